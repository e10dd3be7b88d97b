"""Two funds with one of everything each (tests of isolation build on this)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.campaigns import services as campaigns
from app.campaigns.models import Campaign
from app.core import tenancy
from app.extensions import db
from app.funds import services as funds
from tests import factories
from tests.campaigns.fixtures import pledge
from tests.matching.helpers import commitment, confirm, in_review


@dataclass
class FundWorld:
    fund_id: int
    slug: str
    manager: object
    call: object
    application: object
    campaign: object
    pledge: object
    commitment: object


def second_fund(slug: str = "west", name: str = "Streekfonds West-Vlaanderen"):
    fund = funds.create(slug, {"name": name, "region": "West-Vlaanderen"})
    db.session.flush()
    funds.forget()
    return fund


def world(fund_id: int, slug: str, goal: int = 400_000) -> FundWorld:
    """In fund `fund_id`: a manager, a call with a selected, matched, open campaign, a
    pending pledge and a sponsor's commitment."""
    with tenancy.scoped({fund_id}):
        manager = factories.user("fund_manager", funds=[slug])
        the_call = factories.call(manager)
        money = commitment(10_000_000)
        application = in_review(the_call, goal)
        confirm(the_call, [application])
        campaign = db.session.scalar(select(Campaign).where(Campaign.application_id == application.id))
        if campaign.status != "open":
            campaigns.open_campaign(campaign, None)
        the_pledge, _token = pledge(campaign, amount_cents=2_500)
    return FundWorld(fund_id, slug, manager, the_call, application, campaign, the_pledge, money)
