"""The HTML pages: the backer's path through the demo gateway, owner and fund manager pages."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from app.campaigns import services
from app.campaigns.models import Pledge
from app.extensions import db
from app.payments.models import PaymentEvent
from tests import factories
from tests.campaigns.fixtures import login, make_campaign, reload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _pledge_via_form(client, campaign, **extra):
    data = {"amount": "25", "email": "bea@example.org", "display_name": "Bea", "message": "Hup!", **extra}
    r = client.post(f"/campaigns/{campaign.id}/pledge", data=data)
    assert r.status_code == 303, r.data[:2000]
    return r.headers["Location"]


def test_backer_pledges_and_pays_on_the_demo_checkout(client):
    campaign = make_campaign(goal=10_000)
    listing = client.get(f"/campaigns?municipality={campaign.municipality}&status=open&q=moestuin")
    assert listing.status_code == 200 and campaign.title.encode() in listing.data
    assert campaign.title.encode() not in client.get("/campaigns?status=failed").data
    page = client.get(f"/campaigns/{campaign.id}")
    assert page.status_code == 200 and b"Steun dit project" in page.data

    checkout = _pledge_via_form(client, campaign)
    assert "/demo/checkout/" in checkout
    demo_page = client.get(checkout.replace("http://testserver.local", ""))
    assert b"DEMO" in demo_page.data
    pledge = db.session.scalar(select(Pledge))
    assert pledge.status == "pending"
    r = client.post(checkout.replace("http://testserver.local", ""), data={"action": "pay"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/pledges/{pledge.id}/thanks")
    thanks = client.get(f"/pledges/{pledge.id}/thanks")
    assert b"is betaald" in thanks.data and b"Er is niets afgeschreven" not in thanks.data
    link = re.search(rb'href="(/pledges/\d+\?token=[0-9a-f]+)"', thanks.data).group(1).decode()
    assert b"betaald" in client.get(link).data
    assert reload(pledge).status == "succeeded"
    # The same code path as Stripe's webhook: the event is in the one log.
    assert db.session.scalar(select(PaymentEvent.type)) == "checkout.session.completed"
    page = client.get(f"/campaigns/{campaign.id}")
    assert "€ 25,00".encode() in page.data.replace(b"\xc2\xa0", b" ") and b"Bea" in page.data
    assert b'aria-valuenow="25"' in page.data
    embed = client.get(f"/campaigns/{campaign.id}/embed")
    assert embed.status_code == 200 and b'aria-valuenow="25"' in embed.data
    # Paying twice is refused, nothing more counts.
    again = client.post(checkout.replace("http://testserver.local", ""), data={"action": "pay"})
    assert again.status_code == 409
    assert services.raised_cents(campaign) == 2500


def test_fail_button_fails_the_pledge_and_bad_form_input_is_shown(client):
    campaign = make_campaign()
    bad = client.post(
        f"/campaigns/{campaign.id}/pledge",
        data={"amount": "1", "email": "x@example.org", "display_name": "X"},
    )
    assert bad.status_code == 422 and b'class="error"' in bad.data
    checkout = _pledge_via_form(client, campaign).replace("http://testserver.local", "")
    client.post(checkout, data={"action": "fail"})
    assert db.session.scalar(select(Pledge.status)) == "failed"
    assert services.raised_cents(campaign) == 0


def test_demo_checkout_needs_the_csrf_token(csrf_app):
    # Without CSRF protection an unknown session would be a 404; with it, the token is
    # checked first.
    r = csrf_app.test_client().post("/demo/checkout/cs_demo_unknown", data={"action": "pay"})
    assert r.status_code == 400


def test_owner_edits_story_pictures_and_posts_updates(client):
    campaign = make_campaign()
    from app.accounts.models import User

    owner = db.session.get(User, campaign.owner_id)
    stranger = factories.user("applicant")
    login(client, stranger)
    assert client.get(f"/my/campaigns/{campaign.id}").status_code == 404
    client.post("/account/logout")
    login(client, owner)
    url = f"/my/campaigns/{campaign.id}"
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        data={
            "action": "story",
            "story-summary": "Kort",
            "story-story": "**Sterk** <script>alert(1)</script>",
        },
    )
    assert r.status_code == 303
    page = client.get(f"/campaigns/{campaign.id}").data
    assert b"<strong>Sterk</strong>" in page and b"<script>alert" not in page
    bad = client.post(
        url,
        data={
            "action": "picture",
            "picture-alt_text": "Een pdf",
            "picture-picture": (io.BytesIO(b"%PDF-1.4"), "x.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    ok = client.post(
        url,
        data={
            "action": "picture",
            "picture-alt_text": "De moestuin",
            "picture-picture": (io.BytesIO(PNG), "tuin.png"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 303
    assert b'alt="De moestuin"' in client.get(f"/campaigns/{campaign.id}").data
    posted = []
    from app.campaigns import events

    with events.campaign_update_posted.connected_to(lambda sender: posted.append(sender.title)):
        r = client.post(
            url, data={"action": "update", "update-title": "Eerste spade", "update-body": "We zijn gestart."}
        )
    assert r.status_code == 303 and posted == ["Eerste spade"]


def test_fund_manager_pages_and_roles(client):
    campaign = make_campaign(open_now=False)
    applicant, auditor, manager = (
        factories.user("applicant"),
        factories.user("auditor"),
        factories.user("fund_manager"),
    )
    base = f"/manage/campaigns/{campaign.id}"
    login(client, applicant)
    assert client.get(base).status_code == 403
    client.post("/account/logout")
    login(client, auditor)
    assert client.get(base).status_code == 200
    assert client.post(f"{base}/open").status_code == 403
    client.post("/account/logout")
    login(client, manager)
    assert client.post(f"{base}/open").status_code == 303
    assert reload(campaign).status == "open"
    # A gift without a reference: the form again, the message at the field (issue 18).
    r = client.post(f"{base}/offline", data={"gift-amount": "12,50", "gift-method": "cash"})
    assert r.status_code == 422 and b'class="error-summary"' in r.data
    assert b'<p class="error" id="gift-reference-error">' in r.data
    assert db.session.scalar(select(Pledge)) is None
    # The cancel button asks on a page of its own.
    assert b"Ja, campagne annuleren" in client.get(f"{base}/cancel").data
    r = client.post(
        f"{base}/offline", data={"gift-amount": "12,50", "gift-method": "cash", "gift-reference": "kas 1"}
    )
    assert r.status_code == 303
    gift = db.session.scalar(select(Pledge))
    assert (gift.amount_cents, gift.status) == (1250, "succeeded")
    assert b"kas 1" in client.get(base).data
    r = client.post(f"/manage/pledges/{gift.id}/refund", data={"amount": "20"})
    assert r.status_code == 422  # more than is left
    assert client.post(f"/manage/pledges/{gift.id}/refund", data={"amount": "2,50"}).status_code == 303
    assert (reload(gift).status, gift.refunded_cents) == ("partially_refunded", 250)
    assert client.post(f"{base}/close").status_code == 303
    assert reload(campaign).status == "failed"
    assert client.get("/manage/campaigns").status_code == 200
