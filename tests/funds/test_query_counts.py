"""The main pages cost the same number of SQL statements with 2 funds as with 50: the site's
fund comes from the process's copy of the funds, lists are filtered by the fund in the same
query, and the platform's list of funds reads every fund's campaigns in one query."""

from __future__ import annotations

from app.extensions import db
from app.funds import services as funds
from tests.campaigns.fixtures import login
from tests.campaigns.test_query_counts import counted
from tests.funds.helpers import second_fund, world

PAGES = ("/", "/calls", "/campaigns", "/transparency", "/f/west/", "/f/west/calls", "/f/west/campaigns")


def _counts(client, paths) -> dict[str, int]:
    out = {}
    for path in paths:
        client.get(path)  # once to warm the process's caches (as any server after a request)
        with counted() as statements:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        out[path] = len(statements)
    return out


def test_the_main_pages_do_not_cost_more_with_50_funds(client):
    west = second_fund()
    home = funds.default_fund()
    ours = world(home.id, home.slug)
    theirs = world(west.id, "west")
    db.session.commit()
    funds.forget()
    paths = PAGES + (f"/campaigns/{ours.campaign.id}", f"/f/west/campaigns/{theirs.campaign.id}")
    with_two = _counts(client, paths)
    for n in range(48):
        funds.create(f"fonds-{n:02d}", {"name": f"Fonds {n:02d}", "region": "Vlaanderen"})
    db.session.commit()
    funds.forget()
    assert len(funds.all_funds()) == 50
    with_fifty = _counts(client, paths)
    assert with_fifty == with_two
    login(client, ours.manager)  # the fund manager's pages too
    staff = ("/manage/calls", "/manage/campaigns", f"/manage/calls/{ours.call.id}")
    before = _counts(client, staff)
    for n in range(48, 60):
        funds.create(f"fonds-{n:02d}", {"name": f"Fonds {n:02d}"})
    db.session.commit()
    funds.forget()
    assert _counts(client, staff) == before
