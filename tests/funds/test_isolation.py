"""A fund manager of fund A against every object of fund B: every route of the app, pages
and API, answers 404 (the listed exceptions say why not). The scope is set in one place
(app.funds.site + app.core.tenancy), so a view that forgets a filter fails here."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.funds import services as funds
from tests import factories
from tests.campaigns.fixtures import login
from tests.funds.helpers import second_fund, world

# Routes that are not about one fund's objects, or public by design.
NOT_ABOUT_AN_OBJECT = {"static", "funds.logo", "core.set_language"}
# Deliberate exceptions: the thank-you page after a checkout shows the pledge only to the
# browser that made it (a token in its session) and otherwise a general thank-you, the same
# for every id (nothing of the pledge is shown or changed).
SAME_FOR_EVERY_ID = {"campaigns.thanks"}
# A write whose body is refused (422) before any object is looked up reads and changes
# nothing: the walk sends empty bodies, so those answer 422 instead of 404.
REFUSED_BEFORE_LOOKUP = 422


def _fill(rule, ids: dict[str, int]) -> str | None:
    path = rule.rule
    for arg in rule.arguments:
        key = arg.removesuffix("_id")
        if key not in ids:
            return None
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % arg, str(ids[key]), path)
    return path


@pytest.fixture
def two_funds(app):
    west = second_fund()
    home = funds.default_fund()
    ours = world(home.id, home.slug)
    theirs = world(west.id, "west")
    db.session.commit()
    return ours, theirs


def _as_a_new_request_sees_it(*objects) -> dict:
    """Ids of `objects`, then an empty identity map: a server's request starts with a new
    session, while the test client shares the test's (which holds every object made)."""
    ids = {name: obj.id for name, obj in objects}
    db.session.expunge_all()
    return ids


def test_every_route_about_another_funds_object_answers_404(client, app, two_funds):
    ours, theirs = two_funds
    login(client, ours.manager)
    headers = factories.token_headers(ours.manager)
    db.session.commit()
    sponsor_id = theirs.commitment.sponsor_id
    ids = _as_a_new_request_sees_it(
        ("call", theirs.call),
        ("application", theirs.application),
        ("campaign", theirs.campaign),
        ("pledge", theirs.pledge),
        ("commitment", theirs.commitment),
    )
    ids["sponsor"] = sponsor_id
    walked, leaks = 0, []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_ABOUT_AN_OBJECT | SAME_FOR_EVERY_ID or not rule.arguments:
            continue
        if not (set(a.removesuffix("_id") for a in rule.arguments) & set(ids)):
            continue
        path = _fill(rule, ids)
        if path is None:
            continue
        is_api = path.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kwargs = {"headers": headers} if is_api else {}
            if method != "GET":
                kwargs["json" if is_api else "data"] = {}
            response = client.open(path, method=method, **kwargs)
            walked += 1
            refused = method != "GET" and response.status_code == REFUSED_BEFORE_LOOKUP
            if response.status_code not in (404, 405) and not refused:
                leaks.append((method, path, response.status_code))
            db.session.rollback()
            db.session.expunge_all()
    assert walked > 40, walked
    assert leaks == [], "\n".join(map(str, leaks))


def test_the_other_funds_objects_are_fine_on_their_own_site(client, two_funds):
    _ours, theirs = two_funds
    login(client, theirs.manager)
    assert client.get(f"/f/west/calls/{theirs.call.id}").status_code == 200
    assert client.get(f"/f/west/campaigns/{theirs.campaign.id}").status_code == 200
    headers = factories.token_headers(theirs.manager)
    db.session.commit()
    r = client.get(f"/api/v1/calls/{theirs.call.id}", headers=headers)
    assert r.status_code == 200 and r.get_json()["fund"] == "west"
    # ... and a manager of the west fund, on the default fund's site, sees its pages 404.
    assert client.get("/manage/calls").status_code in (403, 404)
