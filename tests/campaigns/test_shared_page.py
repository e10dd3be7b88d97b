"""The campaign page for a visitor who sent no cookie: no session cookie, no CSRF token,
the same bytes for every such visitor (app.core.sharedpage answers repeats from memory
while the version stamp is current), a validator for conditional requests, and a
Cache-Control a reverse proxy may honour for a moment. A visitor with any cookie, or
logged in, gets the personal page as before."""

from __future__ import annotations

import re

import pytest

from app.campaigns.refunds import record_offline_gift
from app.core import pagecache
from app.extensions import db
from tests import factories
from tests.campaigns.fixtures import login, make_campaign
from tests.campaigns.test_query_counts import counted


def _gift(campaign, i: int) -> None:
    record_offline_gift(
        campaign, {"amount_cents": 1500, "method": "cash", "reference": f"r{i}", "email": f"g{i}@x.org"}, None
    )


@pytest.fixture
def clock(monkeypatch):
    """The page caches' clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(pagecache, "_clock", lambda: now[0])
    return now


def test_a_first_visit_gets_no_cookie_and_no_token_yet_the_pledge_link_works(csrf_app):
    campaign = make_campaign()
    c = csrf_app.test_client()
    page = c.get(f"/campaigns/{campaign.id}")
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers and c.get_cookie("session") is None
    assert b"csrf_token" not in page.data
    cache = page.headers["Cache-Control"]
    assert "public" in cache and "max-age=0" in cache and "s-maxage=" in cache
    assert {"Cookie", "Accept-Language"} <= set(page.headers["Vary"].replace(" ", "").split(","))
    assert page.headers["Content-Security-Policy"] and page.headers["ETag"]
    # The pledge link leads to the form, which opens the session and carries the token...
    link = re.search(rb'href="([^"]*/pledge)"', page.data).group(1).decode()
    form = c.get(link)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.get_data(as_text=True))
    assert form.status_code == 200 and token and c.get_cookie("session") is not None
    data = {"amount": "25", "email": "bea@example.org", "display_name": "Bea"}
    # ... which a post needs: without it nothing happens, with it the pledge is made.
    assert c.post(link, data=data).status_code == 400
    assert c.post(link, data={**data, "csrf_token": token.group(1)}).status_code == 303
    # Now that the visitor has a cookie, the campaign page is the personal one again.
    personal = c.get(f"/campaigns/{campaign.id}")
    assert b"csrf_token" in personal.data and "private" in personal.headers["Cache-Control"]


def test_the_language_switch_asks_for_the_page_in_that_language(client):
    campaign = make_campaign()
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    switch = re.search(r'<form method="get" action="([^"]+)" class="lang', page)
    assert switch and switch.group(1) == f"/campaigns/{campaign.id}"
    assert 'name="lang" value="en"' in page
    english = client.get(f"/campaigns/{campaign.id}?lang=en").get_data(as_text=True)
    assert "Support this project" in english and "Steun dit project" not in english
    # The choice goes along to the pledge form.
    assert f'href="/campaigns/{campaign.id}/pledge?lang=en"' in english
    assert client.get_cookie("session") is None


def test_a_browser_language_gets_its_own_copy(client, app, monkeypatch, clock):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MAX_AGE", 60)
    campaign = make_campaign()
    dutch = client.get(f"/campaigns/{campaign.id}")
    french = client.get(f"/campaigns/{campaign.id}", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    assert b'lang="nl"' in dutch.data[:200] and b'lang="fr"' in french.data[:200]
    assert dutch.headers["ETag"] != french.headers["ETag"]


def test_conditional_requests_answer_304_until_the_figures_change(client):
    campaign = make_campaign(goal=100_000)
    first = client.get(f"/campaigns/{campaign.id}")
    etag = first.headers["ETag"]
    again = client.get(f"/campaigns/{campaign.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert "Set-Cookie" not in again.headers
    _gift(campaign, 0)
    changed = client.get(f"/campaigns/{campaign.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b'data-testid="backers">1<' in changed.data


def test_a_gifts_transaction_changes_the_next_view(client):
    # PUBLIC_PAGE_MAX_AGE 0 (the tests' setting): every view reads the campaign's version.
    campaign = make_campaign(goal=100_000)
    assert b'data-testid="backers">0<' in client.get(f"/campaigns/{campaign.id}").data
    _gift(campaign, 0)
    assert b'data-testid="backers">1<' in client.get(f"/campaigns/{campaign.id}").data


def test_within_the_max_age_repeats_are_answered_from_memory_and_after_it_the_change_shows(
    client, app, monkeypatch, clock
):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MAX_AGE", 1)
    campaign = make_campaign(goal=100_000)
    url = f"/campaigns/{campaign.id}"
    first = client.get(url)
    assert "s-maxage=1" in first.headers["Cache-Control"]
    _gift(campaign, 0)
    db.session.commit()
    clock[0] += 0.5
    with counted() as statements:
        same = client.get(url)
        not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert statements == []  # no request context, no SQL: the kept response
    assert same.data == first.data and dict(same.headers) == dict(first.headers)
    assert not_modified.status_code == 304 and not_modified.data == b""
    clock[0] += 0.6  # the version stamp is due to be read again
    after = client.get(url)
    assert b'data-testid="backers">1<' in after.data and after.headers["ETag"] != first.headers["ETag"]


def test_a_visitor_with_a_cookie_or_logged_in_never_gets_the_shared_copy(client, app, monkeypatch, clock):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MAX_AGE", 60)
    campaign = make_campaign(goal=100_000)
    shared = client.get(f"/campaigns/{campaign.id}")
    assert b"csrf_token" not in shared.data
    with_cookie = app.test_client(use_cookies=False).get(
        f"/campaigns/{campaign.id}", headers={"Cookie": "anything=1"}
    )
    assert b'name="csrf_token"' in with_cookie.data and "private" in with_cookie.headers["Cache-Control"]
    login(client, factories.user("applicant"))
    mine = client.get(f"/campaigns/{campaign.id}")
    assert b"Afmelden" in mine.data and "public" not in mine.headers["Cache-Control"]


def test_a_head_or_an_error_is_not_kept(client, app, monkeypatch, clock):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MAX_AGE", 60)
    assert client.get("/campaigns/999999").status_code == 404
    campaign = make_campaign()
    head = client.head(f"/campaigns/{campaign.id}")
    assert head.status_code == 200 and head.data == b""
    assert client.get(f"/campaigns/{campaign.id}").data.startswith(b"<!doctype html>")


def test_a_visitor_with_a_cookie_sees_a_new_gift_at_once_whatever_the_max_age(
    client, app, monkeypatch, clock
):
    # The backer back from paying has the pledge form's session cookie: the crowd without
    # cookies may see the figures up to PUBLIC_PAGE_MAX_AGE late, the backer may not.
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MAX_AGE", 60)
    campaign = make_campaign(goal=100_000)
    backer = app.test_client(use_cookies=False)
    cookie = {"Cookie": "session=from-the-pledge-form"}
    assert b'data-testid="backers">0<' in backer.get(f"/campaigns/{campaign.id}", headers=cookie).data
    assert b'data-testid="backers">0<' in client.get(f"/campaigns/{campaign.id}").data
    _gift(campaign, 1)
    db.session.commit()
    clock[0] += 1  # well within the max age
    assert b'data-testid="backers">1<' in backer.get(f"/campaigns/{campaign.id}", headers=cookie).data
    assert b'data-testid="backers">0<' in client.get(f"/campaigns/{campaign.id}").data  # the crowd's copy
