"""The public pages answer with validators and honour conditional requests; a personal page
(menu, CSRF token) never validates for another visitor, and a change invalidates the copy."""

from __future__ import annotations

from app.campaigns.refunds import record_offline_gift
from tests import factories
from tests.campaigns.fixtures import login, make_campaign


def _gift(campaign, i: int = 0) -> None:
    record_offline_gift(
        campaign, {"amount_cents": 1500, "method": "cash", "reference": f"r{i}", "email": f"g{i}@x.org"}, None
    )


def _with_a_session(client) -> None:
    """A visitor who has a session cookie (any page with a form gives one) gets the
    personal page; one without any cookie the shared one (tests/campaigns/test_shared_page.py)."""
    client.get("/")
    assert client.get_cookie("session") is not None


def test_campaign_page_304_until_a_gift_changes_its_figures(client):
    campaign = make_campaign(goal=100_000)
    _with_a_session(client)
    first = client.get(f"/campaigns/{campaign.id}")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Last-Modified"]
    assert "private" in first.headers["Cache-Control"] and "no-cache" in first.headers["Cache-Control"]
    assert "Cookie" in first.headers["Vary"]
    again = client.get(f"/campaigns/{campaign.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    _gift(campaign)
    changed = client.get(f"/campaigns/{campaign.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b'data-testid="backers">1<' in changed.data


def test_campaign_page_does_not_validate_for_another_visitor(client, app):
    campaign = make_campaign(goal=100_000)
    _with_a_session(client)
    etag = client.get(f"/campaigns/{campaign.id}").headers["ETag"]
    other = app.test_client()
    login(other, factories.user("applicant"))
    r = other.get(f"/campaigns/{campaign.id}", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    # The same visitor in another language gets another copy too.
    assert client.get(f"/campaigns/{campaign.id}?lang=fr", headers={"If-None-Match": etag}).status_code == 200


def test_embed_is_shared_and_honours_if_modified_since(client):
    campaign = make_campaign(goal=100_000)
    first = client.get(f"/campaigns/{campaign.id}/embed")
    assert "public" in first.headers["Cache-Control"] and "max-age=60" in first.headers["Cache-Control"]
    assert "csrf_token" not in first.data.decode()
    since = first.headers["Last-Modified"]
    assert (
        client.get(f"/campaigns/{campaign.id}/embed", headers={"If-Modified-Since": since}).status_code == 304
    )
    r = client.get(f"/campaigns/{campaign.id}/embed", headers={"If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304
    _gift(campaign)
    after = client.get(f"/campaigns/{campaign.id}/embed", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and b"1 steuner" in after.data


def test_home_list_and_call_pages_validate_by_content(client):
    campaign = make_campaign(goal=100_000)
    for path in ("/", "/campaigns", "/calls", f"/calls/{campaign.call_id}"):
        first = client.get(path)
        assert first.status_code == 200 and "private" in first.headers["Cache-Control"], path
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, path
    before = client.get("/campaigns").headers["ETag"]
    _gift(campaign)
    assert client.get("/campaigns", headers={"If-None-Match": before}).status_code == 200


def test_a_pending_flash_is_shown_not_answered_with_304(client):
    campaign = make_campaign(goal=100_000)
    _with_a_session(client)
    etag = client.get(f"/campaigns/{campaign.id}").headers["ETag"]
    with client.session_transaction() as s:
        s["_flashes"] = [("info", "Bedankt")]
    r = client.get(f"/campaigns/{campaign.id}", headers={"If-None-Match": etag})
    assert r.status_code == 200 and b"Bedankt" in r.data
