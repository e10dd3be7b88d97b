"""The public pages cost the same number of SQL statements at 10 and at 1,000 backers.

A campaign that goes viral must not become slower to show: every figure the pages show is
read set-based or from the figures cache, never per pledge. The statements are counted with
a SQLAlchemy event listener on the engine; no timing is asserted.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select

from app.accounts.models import User
from app.campaigns.refunds import record_offline_gift
from app.core import pagecache
from app.extensions import db
from tests import factories
from tests.campaigns.fixtures import login, make_campaign
from tests.matching.helpers import commitment, in_review, open_campaign


@contextmanager
def counted():
    statements: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if "SAVEPOINT" not in statement:  # the test client's commits inside the test's transaction
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def _gifts(campaign, start: int, stop: int) -> None:
    """Offline gifts by distinct backers (the API's way of adding 1,000 gifts at once)."""
    for i in range(start, stop):
        record_offline_gift(
            campaign,
            {
                "amount_cents": 1000 + i,
                "method": "bank_transfer",
                "reference": f"ref {i}",
                "email": f"b{i}@x.org",
            },
            None,
        )
    db.session.flush()


def _counts(client, paths: list[str]) -> dict[str, int]:
    """Statements of a view that renders (the rendered-page cache emptied first; the first
    view after a change may refresh the figures cache, so one view goes before)."""
    out = {}
    for path in paths:
        client.get(path)
        pagecache.clear()
        with counted() as statements:
            r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        out[path] = len(statements)
    return out


def _paths(campaign) -> list[str]:
    return [
        "/",
        "/campaigns",
        f"/campaigns/{campaign.id}",
        f"/campaigns/{campaign.id}/embed",
        f"/calls/{campaign.call_id}",
        f"/api/v1/campaigns/{campaign.id}",
        "/api/v1/campaigns",
    ]


def test_public_pages_query_count_does_not_grow_with_backers(client):
    campaign = make_campaign(goal=1_000_000)
    _gifts(campaign, 0, 10)
    small = _counts(client, _paths(campaign))
    _gifts(campaign, 10, 1000)
    large = _counts(client, _paths(campaign))
    assert large == small
    assert b"1000" in client.get(f"/campaigns/{campaign.id}/embed").data  # the backers shown


def test_campaign_page_query_count_with_an_at_close_match_and_the_owner_giving(client):
    """The match projection (per-backer cap, the owner's own gift left out) is read from the
    cache too: the owner question is asked once, not once per pledge."""
    sponsor_call = factories.call(match_policy={"mode": "at_close", "ratio": 1, "cap_per_backer_cents": 5000})
    commitment(5_000_000)
    application = in_review(sponsor_call, 1_000_000)
    from tests.matching.helpers import confirm

    confirm(sponsor_call, [application])
    campaign = open_campaign(application)
    owner_email = db.session.get(User, campaign.owner_id).email
    record_offline_gift(
        campaign, {"amount_cents": 700, "method": "cash", "reference": "own", "email": owner_email}, None
    )
    _gifts(campaign, 0, 10)
    small = _counts(client, [f"/campaigns/{campaign.id}"])
    _gifts(campaign, 10, 300)
    large = _counts(client, [f"/campaigns/{campaign.id}"])
    assert large == small
    page = client.get(f"/campaigns/{campaign.id}").data.replace(b"\xc2\xa0", b" ")
    # 300 backers within the cap, the owner's € 7 left out: € 3.000 + Σ i cents, matched 1:1.
    matched = 300 * 1000 + sum(range(300))
    assert f"€ {matched // 100:,},{matched % 100:02d}".replace(",", "X", 1).replace("X", ".").encode() in page


def test_an_anonymous_view_of_an_unchanged_campaign_is_one_statement(client):
    campaign = make_campaign(goal=1_000_000)
    _gifts(campaign, 0, 3)
    client.get("/")  # a visitor with a session (without one: test_shared_page.py)
    first = client.get(f"/campaigns/{campaign.id}")
    with counted() as statements:
        again = client.get(f"/campaigns/{campaign.id}")
    assert len(statements) == 1  # the campaign row: its version names the rendered page
    token = re.search(rb'name="csrf_token" value="([^"]+)"', again.data)
    assert token and b"csrf-slot" not in again.data
    assert again.data.replace(token.group(1), b"") == first.data.replace(
        re.search(rb'name="csrf_token" value="([^"]+)"', first.data).group(1), b""
    )
    _gifts(campaign, 3, 4)
    assert b'data-testid="backers">4<' in client.get(f"/campaigns/{campaign.id}").data


def test_with_a_max_age_anonymous_views_within_it_ask_the_database_nothing(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MAX_AGE", 60)
    campaign = make_campaign(goal=1_000_000)
    client.get(f"/campaigns/{campaign.id}")
    with counted() as statements:
        again = client.get(f"/campaigns/{campaign.id}")
    assert again.status_code == 200 and statements == []
    login(client, factories.user("applicant"))
    with counted() as statements:
        client.get(f"/campaigns/{campaign.id}")
    assert statements  # a logged-in visitor's page is always read fresh


def _list_paths() -> list[str]:
    from app.campaigns import listing
    from app.campaigns.models import Campaign

    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.id)).all()
    first, _after = listing.list_page(listing.campaigns_query(), None, size=2)
    return [
        "/",
        "/campaigns",
        f"/campaigns?after={listing.cursor_of(first[-1])}",
        "/campaigns?municipality=Gent&status=open",
        "/api/v1/campaigns?limit=3",
        f"/api/v1/campaigns?limit=3&after={campaigns[1].id}",
        "/api/v1/calls?limit=2",
    ]


def test_list_pages_query_count_does_not_grow_with_campaigns_and_calls(client):
    """Ten years of a fund: the home page, the campaign list (first and a later page) and the
    API lists ask as many statements with 45 campaigns over 8 calls as with 5 over 2 (no
    statement per campaign or per call; the figures are read for a page at once)."""
    calls = [factories.call(municipalities=["Gent", "Melle"]) for _ in range(2)]
    for i in range(5):
        _gifts(make_campaign(the_call=calls[i % 2]), 10 * i, 10 * i + 2)
    small = _counts(client, _list_paths())
    calls += [factories.call(municipalities=["Gent", "Melle"]) for _ in range(6)]
    for i in range(5, 45):
        _gifts(make_campaign(the_call=calls[i % 8]), 10 * i, 10 * i + 2)
    large = _counts(client, _list_paths())
    assert large == small
