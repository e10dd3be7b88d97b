"""A fund manager of fund A against every object of fund B: every route of the app, pages
and API, answers 404 (the listed exceptions say why not). The scope is set in one place
(app.funds.site + app.core.tenancy), so a view that forgets a filter fails here."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from app.calls import services as calls
from app.campaigns import content
from app.core import tenancy
from app.extensions import db
from app.funds import services as funds
from app.notifications.models import OutboxMessage
from app.transparency import services as transparency
from app.transparency.models import Report
from tests import factories
from tests.campaigns.fixtures import login
from tests.funds.helpers import second_fund, world

# The smallest PNG: 1 x 1 pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)

# Routes that are not about one fund's objects, or public by design.
NOT_ABOUT_AN_OBJECT = {"static", "funds.logo", "core.set_language"}
# Deliberate exceptions: the thank-you page after a checkout shows the pledge only to the
# browser that made it (a token in its session) and otherwise a general thank-you, the same
# for every id (nothing of the pledge is shown or changed).
SAME_FOR_EVERY_ID = {"campaigns.thanks"}
# A published report is public (the issue: staff of A see of B "what the public sees"); the
# API serves it to anyone by id, like any visitor of B's site. (The pages of A's site do not.)
PUBLIC_BY_ID = {"api_transparency.report", "api_transparency.report_pdf", "api_transparency.report_csv"}
# A write whose body is refused (400 without its token, 422 invalid) before any object is
# looked up reads and changes nothing: the walk sends empty bodies, so those answer that.
REFUSED_BEFORE_LOOKUP = (400, 422)


# Arguments that name no object get a plain value (the object of the route is what counts).
PLAIN = {
    "token": "x",
    "locale": "nl",
    "kind": "pledge_receipt",
    "name": "Gent",
    "filename": "a.csv",
    "code": "nl",
}


def _fill(rule, ids: dict[str, int]) -> str | None:
    """The rule's path with B's ids, or None when it names an object the walk has none of."""
    values = {}
    for arg, converter in rule._converters.items():
        key = arg.removesuffix("_id")
        if key in ids:
            values[arg] = ids[key]
        elif isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]
        elif key in PLAIN:
            values[arg] = PLAIN[key]
        else:
            return None
    if not set(a.removesuffix("_id") for a in rule.arguments) & set(ids):
        return None
    path = rule.rule
    for arg, value in values.items():
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % arg, str(value), path)
    return path


@pytest.fixture
def two_funds(app):
    west = second_fund()
    home = funds.default_fund()
    ours = world(home.id, home.slug)
    theirs = world(west.id, "west")
    with tenancy.scoped({west.id}):
        # More of B's objects: a draft with an attachment, a picture, a report and its job.
        owner = factories.user("applicant")
        draft = factories.application(theirs.call, owner=owner)
        theirs.attachment = calls.add_attachment(draft, "plan.pdf", b"%PDF-1.4 plan", owner, 10**6)
        theirs.draft = draft
        theirs.picture = content.add_picture(theirs.campaign, "foto.png", PNG, "De buurt", 10**6)
        theirs.job = transparency.request_call_report(theirs.call, theirs.manager.id)
    db.session.commit()  # the report job runs (tasks run in-process here)
    theirs.report = db.session.scalar(select(Report).where(Report.fund_id == west.id))
    theirs.message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.fund_id == west.id))
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
    assert theirs.report is not None and theirs.message is not None
    ids = _as_a_new_request_sees_it(
        ("call", theirs.call),
        ("application", theirs.application),
        ("app", theirs.draft),
        ("att", theirs.attachment),
        ("campaign", theirs.campaign),
        ("pledge", theirs.pledge),
        ("commitment", theirs.commitment),
        ("picture", theirs.picture),
        ("report", theirs.report),
        ("job", theirs.job),
        ("message", theirs.message),
    )
    ids["sponsor"] = sponsor_id
    walked, leaks = 0, []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_ABOUT_AN_OBJECT | SAME_FOR_EVERY_ID | PUBLIC_BY_ID or not rule.arguments:
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
            refused = method != "GET" and response.status_code in REFUSED_BEFORE_LOOKUP
            if response.status_code not in (404, 405) and not refused:
                leaks.append((method, path, response.status_code))
            db.session.rollback()
            db.session.expunge_all()
    assert walked > 80, walked
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
