"""The outbox page (the demo's mailbox), resend, the fund's templates, unsubscribe."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts import services as accounts
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications import delivery, outbox
from app.notifications.models import MailTemplate, OptOut
from tests import factories
from tests.notifications.conftest import rows


def login(client, user):
    resp = client.post("/account/login", data={"email": user.email, "password": factories.PASSWORD})
    assert resp.status_code == 302


@pytest.fixture
def manager(client):
    user = factories.user("fund_manager")
    login(client, user)
    return user


def test_the_demo_mailbox_shows_every_mail(client, manager):
    accounts.register("demo@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    page = client.get("/demo/mails")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "demo@example.org" in html and "Bevestig je e-mailadres" in html
    assert "geen mailserver" in html.lower()
    one = client.get(f"/demo/mails/{row.id}").get_data(as_text=True)
    assert "/account/confirm/" in one  # without a mail server the demo shows the link


@pytest.mark.parametrize("roles", [("applicant",), ("auditor",), ("juror",)])
def test_only_the_fund_reads_mails(client, roles):
    accounts.register("privé@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    login(client, factories.user(*roles))
    assert client.get("/demo/mails").status_code == 403
    assert client.get(f"/demo/mails/{row.id}").status_code == 403
    assert client.post(f"/demo/mails/{row.id}/resend").status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    assert client.get("/demo/mails").status_code == 302


def test_resend_a_failed_mail(client, manager, smtp):
    smtp.reply = "550 5.7.1 refused"
    accounts.register("twice@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    assert row.status == "failed"
    assert "twice@example.org" in client.get("/demo/mails?status=failed").get_data(as_text=True)
    smtp.reply = "accept"
    resp = client.post(f"/demo/mails/{row.id}/resend")
    assert resp.status_code == 302
    [row] = rows("account_confirm")
    assert (row.status, row.attempts) == ("sent", 1)
    assert len(smtp.wait_for(1)) == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mail.resent")) is not None
    # A sent mail cannot be resent: 409, nothing changes.
    assert client.post(f"/demo/mails/{row.id}/resend").status_code == 409
    assert rows("account_confirm")[0].status == "sent"
    assert len(smtp.messages) == 1


def test_unknown_mail_is_404(client, manager):
    assert client.get("/demo/mails/999999").status_code == 404
    assert client.post("/demo/mails/999999/resend").status_code == 404


def test_the_fund_changes_a_template_and_the_next_mail_uses_it(client, manager):
    resp = client.post(
        "/manage/mail-templates/account_confirm/nl",
        data={
            "subject": "Welkom bij Streekfonds Meetjesland, {{ name }}",
            "body": "Klik: <{{ confirm_url }}>",
        },
    )
    assert resp.status_code == 302
    accounts.register("eigen@example.org", "een lang wachtwoord", display_name="Eva")
    db.session.commit()
    [row] = rows("account_confirm")
    assert row.subject == "Welkom bij Streekfonds Meetjesland, Eva"
    assert row.body_text.startswith("Klik: <http://testserver.local/account/confirm/")
    # Back to the shipped text.
    assert client.post("/manage/mail-templates/account_confirm/nl/reset").status_code == 302
    assert db.session.scalar(select(MailTemplate)) is None


@pytest.mark.parametrize(
    "body",
    ["{% if %}", "Dag {{ naam }}", "{{ name.__class__.__mro__ }}"],
    ids=["syntax", "unknown value", "sandbox"],
)
def test_a_broken_template_is_refused_and_nothing_is_saved(client, manager, body):
    resp = client.post("/manage/mail-templates/account_confirm/nl", data={"subject": "Hallo", "body": body})
    assert resp.status_code == 422
    assert "Dit sjabloon werkt niet" in resp.get_data(as_text=True)
    assert db.session.scalar(select(MailTemplate)) is None


def test_templates_of_unknown_kinds_are_404(client, manager):
    assert client.get("/manage/mail-templates/nope/nl").status_code == 404
    assert client.get("/manage/mail-templates/account_confirm/de").status_code == 404


def test_an_applicant_cannot_change_templates(client):
    login(client, factories.user("applicant"))
    resp = client.post("/manage/mail-templates/account_confirm/nl", data={"subject": "x", "body": "y"})
    assert resp.status_code == 403
    assert db.session.scalar(select(MailTemplate)) is None


def _milestone_row(email="fan@example.org"):
    row_id = outbox.queue(
        "campaign_milestone",
        email,
        dedupe_key=f"test-milestone:{email}",
        context={
            "name": "Fan",
            "campaign_title": "Moestuin",
            "percent": 50,
            "is_owner": False,
            "campaign_url": "http://testserver.local/campaigns/7",
        },
        unsubscribe_scope="campaign:7",
    )
    return row_id


def test_non_transactional_mail_carries_a_working_unsubscribe_link(client, smtp):
    _milestone_row()
    db.session.commit()
    [msg] = smtp.wait_for(1)
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = msg["List-Unsubscribe"].strip("<>")
    assert link in msg.get_body(("plain",)).get_content()
    assert link in msg.get_body(("html",)).get_content()
    path = link.removeprefix("http://testserver.local")
    page = client.get(path)
    assert page.status_code == 200 and "fan@example.org" in page.get_data(as_text=True)
    assert client.post(path, data={"scope": "campaign"}).status_code == 200
    assert client.post(path, data={"scope": "campaign"}).status_code == 200  # twice: idempotent
    assert [(o.email, o.scope) for o in db.session.scalars(select(OptOut))] == [
        ("fan@example.org", "campaign:7")
    ]
    # The next milestone of that campaign is not even written; another campaign's still is.
    assert _milestone_row() is None
    assert (
        outbox.queue(
            "campaign_update",
            "fan@example.org",
            dedupe_key="other",
            context={},
            unsubscribe_scope="campaign:8",
        )
        is not None
    )


def test_one_click_unsubscribe(client):
    token = outbox.unsubscribe_token("click@example.org", "campaign:7")
    resp = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 204
    assert [(o.email, o.scope) for o in db.session.scalars(select(OptOut))] == [
        ("click@example.org", "campaign:7")
    ]


def test_an_opt_out_between_writing_and_delivery_is_honoured():
    from app.notifications import services

    row_id = _milestone_row("late@example.org")  # written, not yet delivered (no commit)
    services.unsubscribe(outbox.unsubscribe_token("late@example.org", "campaign:7"))
    assert delivery.deliver(row_id) == "skipped"
    assert rows("campaign_milestone")[0].status == "skipped"


def test_unsubscribe_from_everything(client):
    token = outbox.unsubscribe_token("all@example.org", "campaign:7")
    assert client.post(f"/unsubscribe/{token}", data={"scope": "all"}).status_code == 200
    assert _milestone_row("all@example.org") is None
    # Transactional mail still goes: a receipt is not news.
    assert outbox.queue("pledge_receipt", "all@example.org", dedupe_key="r", context={}) is not None


def test_a_forged_unsubscribe_link_is_404(client):
    token = outbox.unsubscribe_token("a@example.org", "all")
    assert client.get(f"/unsubscribe/{token[:-2]}xx").status_code == 404
    assert client.post(f"/unsubscribe/{token[:-2]}xx", data={"scope": "all"}).status_code == 404
    assert db.session.scalar(select(OptOut)) is None
