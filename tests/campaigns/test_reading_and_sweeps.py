"""What others read (API list and item, owner pledges), and the pending-pledge sweep."""

from __future__ import annotations

from datetime import timedelta

from app.campaigns import services
from app.campaigns import tasks as campaign_tasks
from app.core import clock
from app.extensions import db
from app.payments.models import PaymentEvent
from tests import factories
from tests.campaigns.fixtures import make_campaign, pledge, reload


def test_api_lists_with_filters_and_hides_drafts_from_the_public(client):
    call = factories.call(theme="zorg")
    gent = make_campaign(the_call=call)
    melle_app = factories.application(call, status="selected", municipality="Melle", title="Speeltuin")
    melle = services.create_campaign(melle_app)
    services.open_campaign(melle, None)
    draft = make_campaign(open_now=False)
    db.session.commit()
    ids = lambda r: sorted(c["id"] for c in r.json["items"])  # noqa: E731
    assert ids(client.get("/api/v1/campaigns")) == sorted([gent.id, melle.id])
    assert ids(client.get("/api/v1/campaigns?municipality=Melle")) == [melle.id]
    assert ids(client.get("/api/v1/campaigns?theme=zorg&status=open")) == sorted([gent.id, melle.id])
    assert ids(client.get("/api/v1/campaigns?q=speel")) == [melle.id]
    assert client.get("/api/v1/campaigns?status=bogus").status_code == 422
    assert client.get(f"/api/v1/campaigns/{draft.id}").status_code == 404
    staff = factories.token_headers(factories.user("auditor"))
    assert client.get(f"/api/v1/campaigns/{draft.id}", headers=staff).json["status"] == "draft"
    body = client.get(f"/api/v1/campaigns/{gent.id}").json
    assert set(body) == {
        "id", "application_id", "call_id", "title", "municipality", "theme", "goal_cents",
        "raised_cents", "matched_cents", "backers_count", "status", "starts_at", "ends_at",
    }  # fmt: skip
    assert (body["goal_cents"], body["raised_cents"], body["status"]) == (gent.goal_cents, 0, "open")


def test_open_and_close_through_the_api_need_a_fund_manager(client):
    campaign = make_campaign(open_now=False)
    backer = factories.token_headers(factories.user("backer"))
    manager = factories.token_headers(factories.user("fund_manager"))
    url = f"/api/v1/campaigns/{campaign.id}"
    assert client.post(f"{url}/open", headers=backer).status_code in (403, 404)
    assert client.post(f"{url}/open", headers=manager).json["status"] == "open"
    again = client.post(f"{url}/open", headers=manager)
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"
    assert client.post(f"{url}/close", headers=manager).json["status"] == "failed"


def test_owner_pledges_are_recognised_by_account_or_email():
    campaign = make_campaign()
    owner = db.session.get(type(factories.user()), campaign.owner_id)
    by_mail, _ = pledge(campaign, email=owner.email.upper())
    by_account, _ = services.create_pledge(
        campaign, {"amount_cents": 1000, "email": "other@example.org", "display_name": "O"}, user_id=owner.id
    )
    stranger, _ = pledge(campaign, email="stranger@example.org")
    assert services.is_owner_pledge(by_mail) and services.is_owner_pledge(by_account)
    assert not services.is_owner_pledge(stranger)
    assert services.pending_count(campaign) == 3
    assert [p.id for p in services.pledges_of(campaign)] == [by_mail.id, by_account.id, stranger.id]


def test_expire_pending_asks_the_demo_gateway_and_expires_through_the_same_path():
    campaign = make_campaign()
    old, _ = pledge(campaign, email="old@example.org")
    clock.shift(timedelta(hours=26))
    fresh, _ = pledge(campaign, email="fresh@example.org")
    assert campaign_tasks.expire_pending() == [old.id]
    assert (reload(old).status, reload(fresh).status) == ("expired", "pending")
    assert db.session.scalar(db.select(PaymentEvent.type)) == "checkout.session.expired"
    assert campaign_tasks.expire_pending() == []


def test_expire_pending_finds_a_payment_whose_webhook_never_came(fake_stripe):
    campaign = make_campaign()
    paid, _ = pledge(campaign, amount_cents=1200, email="paid@example.org")
    open_, _ = pledge(campaign, amount_cents=1300, email="open@example.org")
    fake_stripe.complete_checkout(paid.checkout_session_id)  # its event is lost
    clock.shift(timedelta(hours=26))
    assert sorted(campaign_tasks.expire_pending()) == sorted([paid.id, open_.id])
    assert (reload(paid).status, reload(open_).status) == ("succeeded", "expired")
    assert fake_stripe.get(open_.checkout_session_id)["status"] == "expired"
    assert services.raised_cents(campaign) == 1200


def test_staff_list_every_pledge_of_a_campaign(client):
    campaign = make_campaign()
    p, _ = pledge(campaign)
    services.record_offline_gift(campaign, {"amount_cents": 900, "method": "cash", "reference": "k"}, None)
    url = f"/api/v1/campaigns/{campaign.id}/pledges"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=factories.token_headers(factories.user("backer"))).status_code == 403
    body = client.get(url, headers=factories.token_headers(factories.user("auditor"))).json
    assert [(x["id"], x["status"], x["method"]) for x in body["items"]] == [
        (p.id, "pending", "demo"),
        (p.id + 1, "succeeded", "cash"),
    ]
    assert body["items"][0]["email"] == "backer@example.org"
