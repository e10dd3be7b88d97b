"""The outbox: written with the event, once per dedupe key, delivered once, in the
recipient's language, over a real SMTP server."""

from __future__ import annotations

import pytest

from app.accounts import events as accounts_events
from app.accounts import services as accounts
from app.calls import services as calls
from app.extensions import db
from app.notifications import delivery
from tests import factories
from tests.notifications.conftest import rows


def test_registration_writes_one_row_in_the_same_transaction():
    user = accounts.register("nieuw@example.org", "een lang wachtwoord")
    [row] = rows("account_confirm")
    assert row.recipient == "nieuw@example.org"
    assert row.user_id == user.id
    assert row.status == "pending"  # not committed yet: nothing was sent
    assert row.context["confirm_url"].startswith("http://testserver.local/account/confirm/")


def test_a_rolled_back_event_leaves_no_mail():
    savepoint = db.session.begin_nested()
    accounts.register("weg@example.org", "een lang wachtwoord")
    assert len(rows("account_confirm")) == 1
    savepoint.rollback()
    assert rows("account_confirm") == []


def test_a_doubled_signal_writes_one_row():
    user = factories.user("applicant")
    for _ in range(2):
        accounts_events.password_reset_requested.send(user, reset_url="http://x/reset/abc")
    assert len(rows("password_reset")) == 1
    # A new request (a new link) is a new mail.
    accounts_events.password_reset_requested.send(user, reset_url="http://x/reset/def")
    assert len(rows("password_reset")) == 2


def test_commit_delivers_once_to_the_log_without_a_mail_server():
    accounts.register("log@example.org", "een lang wachtwoord")
    db.session.commit()  # eager task after commit (no REDIS_URL)
    [row] = rows("account_confirm")
    assert row.status == "sent"
    assert row.attempts == 1
    assert row.subject == "Bevestig je e-mailadres"
    assert row.message_id == f"<outbox-{row.id}@streekfonds.local>"
    assert "/account/confirm/" in row.body_text
    # Delivering again (a doubled task) sends nothing.
    assert delivery.deliver(row.id) == "not_claimed"
    assert rows("account_confirm")[0].attempts == 1


def test_smtp_delivery_in_the_recipients_language(smtp):
    applicant = factories.user("applicant", locale="fr", display_name="Chloé")
    application = factories.application(owner=applicant, title="Jardin <partagé> & co")
    calls.submit_application(application, applicant)
    db.session.commit()
    [msg] = smtp.wait_for(1)
    [row] = rows("application_received")
    assert row.status == "sent"
    assert msg["To"] == applicant.email
    assert msg["Subject"] == "Nous avons reçu votre demande « Jardin <partagé> & co »"
    assert msg["Message-ID"] == f"<outbox-{row.id}@streekfonds.local>"
    assert msg["Content-Language"] == "fr"
    assert "List-Unsubscribe" not in msg  # transactional
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Bonjour Chloé" in text
    assert "Jardin <partagé> & co" in text
    # In HTML the title is escaped, never markup.
    assert "Jardin &lt;partagé&gt; &amp; co" in html
    assert "<partagé>" not in html
    assert f"http://testserver.local/applications/{application.id}" in html


def test_screening_result_carries_the_reason(smtp):
    application = factories.application(status="submitted")
    manager = factories.user("fund_manager")
    calls.screen_application(application, False, "Buiten het werkgebied.", manager)
    db.session.commit()
    [row] = rows("application_screened")
    [msg] = [m for m in smtp.wait_for(2) if m["X-Streekfonds-Outbox"] == str(row.id)]
    assert msg["Subject"] == "Je aanvraag is niet ontvankelijk"
    assert "Reden: Buiten het werkgebied." in msg.get_body(("plain",)).get_content()


def test_transient_refusal_retries_with_backoff_then_fails(smtp, app, monkeypatch):
    from datetime import timedelta

    from app.core import clock

    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "OUTBOX_RETRY_SECONDS", 60)
    smtp.reply = "451 4.3.0 try again later"
    start = clock.now()
    clock.travel_to(start)
    accounts.register("later@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == start + timedelta(seconds=60)  # 60 × 2^0
    assert "451" in row.last_error
    # Not due yet: a doubled or early task does nothing.
    clock.travel_to(start + timedelta(seconds=59))
    assert delivery.deliver(row.id) == "not_claimed"
    clock.travel_to(start + timedelta(seconds=60))
    assert delivery.deliver(row.id) == "retry"
    row = rows("account_confirm")[0]
    assert row.next_attempt_at == start + timedelta(seconds=60 + 120)  # 60 × 2^1
    clock.travel_to(row.next_attempt_at)
    assert delivery.deliver(row.id) == "failed"  # third attempt of three
    row = rows("account_confirm")[0]
    assert (row.status, row.attempts) == ("failed", 3)
    assert smtp.messages == []


def test_permanent_refusal_fails_at_once(smtp):
    smtp.reply = "550 5.1.1 no such user"
    accounts.register("nobody@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    assert (row.status, row.attempts) == ("failed", 1)
    assert "550" in row.last_error


def test_unreachable_server_is_a_retry(app, monkeypatch):
    from tests.notifications.smtp_sink import free_port

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nothing listens there
    accounts.register("down@example.org", "een lang wachtwoord")
    db.session.commit()
    [row] = rows("account_confirm")
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefused" in row.last_error


def test_secret_links_are_not_kept_after_a_real_send(smtp):
    accounts.register("geheim@example.org", "een lang wachtwoord")
    db.session.commit()
    [msg] = smtp.wait_for(1)
    assert "/account/confirm/" in msg.get_body(("plain",)).get_content()
    [row] = rows("account_confirm")
    assert row.status == "sent"
    assert row.body_text is None and row.body_html is None and row.context == {}


@pytest.mark.parametrize(
    "locale,subject",
    [
        ("nl", "Bevestig je e-mailadres"),
        ("en", "Confirm your e-mail address"),
        ("fr", "Confirmez votre adresse e-mail"),
    ],
)
def test_every_language(locale, subject):
    accounts.register(f"taal-{locale}@example.org", "een lang wachtwoord", locale=locale)
    db.session.commit()
    [row] = rows("account_confirm")
    assert (row.locale, row.subject) == (locale, subject)
