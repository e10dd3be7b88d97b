"""The public figures cache: valid for one campaign version, moved by every posting and by
settlement, and compared with the ledger by `flask ledger verify`."""

from __future__ import annotations

from sqlalchemy import select, update

from app.campaigns import services
from app.campaigns.models import Campaign, CampaignFigures
from app.campaigns.refunds import cancel_offline_gift, record_offline_gift
from app.extensions import db
from app.matching.verify import verify_ledger
from tests.campaigns.fixtures import make_campaign, reload


def _gift(campaign, i: int, amount: int = 1500):
    return record_offline_gift(
        campaign,
        {"amount_cents": amount, "method": "cash", "reference": f"r{i}", "email": f"f{i}@x.org"},
        None,
    )


def _row(campaign) -> CampaignFigures:
    return db.session.scalar(
        select(CampaignFigures)
        .where(CampaignFigures.campaign_id == campaign.id)
        .execution_options(populate_existing=True)
    )


def test_a_posting_makes_the_row_stale_and_the_next_view_recomputes_it(client):
    campaign = make_campaign(goal=100_000)
    gift = _gift(campaign, 1)
    db.session.commit()
    assert client.get(f"/campaigns/{campaign.id}").status_code == 200
    row = _row(campaign)
    assert (row.version, row.backers_count) == (reload(campaign).figures_version, 1)
    cancel_offline_gift(gift, None)  # a reversal moves raised, so the version
    db.session.commit()
    assert reload(campaign).figures_version > row.version
    assert services.cache_mismatches() == []  # a stale row is never shown, nor reported
    page = client.get(f"/campaigns/{campaign.id}")
    assert b'data-testid="backers">0<' in page.data
    assert _row(campaign).version == reload(campaign).figures_version


def test_closing_and_settling_move_the_version(client):
    campaign = make_campaign(goal=1_000)
    _gift(campaign, 1, amount=2_000)
    before = reload(campaign).figures_version
    services.close_campaign(campaign, None)  # settles the match too (signal)
    assert reload(campaign).figures_version > before
    assert reload(campaign).status == "succeeded"


def test_ledger_verify_reports_a_current_row_that_the_ledger_does_not_back(client):
    campaign = make_campaign(goal=100_000)
    _gift(campaign, 1)
    _gift(campaign, 2)
    db.session.commit()
    client.get(f"/campaigns/{campaign.id}")
    assert verify_ledger()["ok"]
    db.session.execute(
        update(CampaignFigures).where(CampaignFigures.campaign_id == campaign.id).values(backers_count=7)
    )
    result = verify_ledger()
    assert not result["ok"]
    (violation,) = [v for v in result["violations"] if v["check"] == "campaign_figures_cache"]
    assert violation["figure"] == "backers_count" and (violation["cached"], violation["derived"]) == (7, 2)
    raised = db.session.scalar(select(Campaign.raised_cache_cents).where(Campaign.id == campaign.id))
    assert raised == 3000
