"""Delivering outbox rows: claim, render, send, record. Safe to run twice, or in parallel.

A row is claimed with one conditional UPDATE (pending and due, or `sending` with an expired
lease → `sending`, attempts + 1, lease until now + OUTBOX_LEASE_SECONDS) and that claim is
committed before anything is sent, so two workers never send the same row at the same time
and a worker killed mid-delivery leaves a row that is retried once its lease ran out. The
outcome is written only if the claim is still ours (same attempt number).

The row is marked sent right after the server's reply to DATA, on the SMTP connection still
open and before QUIT: the only step between "the server has it" and "we know it went" is
that one local UPDATE. A worker killed inside that window still sends the mail twice; the
repeat carries the same Message-ID (it derives from the row id), so the receiving side can
drop it.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.core import clock, tenancy
from app.core.tasks import task_named
from app.extensions import db
from app.funds import services as funds
from app.notifications import outbox
from app.notifications.catalogue import CATALOGUE
from app.notifications.models import OutboxMessage
from app.notifications.rendering import Rendered, TemplateBroken, render

log = logging.getLogger("streekfonds.mail")
MAX_BACKOFF = timedelta(hours=6)
SWEEP_BATCH = 1000


class PermanentFailure(Exception):
    """The server refused for good (5xx) or the template is broken: retrying will not help."""


def _cfg(key: str):
    return current_app.config[key]


def backoff(attempt: int) -> timedelta:
    """Wait before attempt `attempt + 1`: OUTBOX_RETRY_SECONDS × 2^(attempt − 1), at most 6 h."""
    return min(timedelta(seconds=_cfg("OUTBOX_RETRY_SECONDS") * 2 ** max(0, attempt - 1)), MAX_BACKOFF)


def _claimable(now):
    return or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )


def claim(message_id: int) -> OutboxMessage | None:
    """Take the row for one delivery attempt and commit that; None if it is not ours to send
    (already sent, failed, not yet due, or leased by a live worker)."""
    now = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now))
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            lease_until=now + timedelta(seconds=_cfg("OUTBOX_LEASE_SECONDS")),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def _finish(row: OutboxMessage, attempt: int, **values) -> bool:
    """Write the outcome if the claim of `attempt` is still ours; commit."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row.id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == attempt,
        )
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        log.warning("outbox %s: claim of attempt %s was taken over; outcome not recorded", row.id, attempt)
        return False
    return True


def deliver(message_id: int) -> str:
    """Send one outbox row once. Returns what happened: sent, skipped, retry, failed, or
    not_claimed (someone else has it, or it is done). Never raises for a mail problem."""
    row = claim(message_id)
    if row is None:
        return "not_claimed"
    attempt = row.attempts
    if not row.transactional and outbox.is_opted_out(row.recipient, row.unsubscribe_scope):
        _finish(row, attempt, status="skipped", last_error="opted out")
        return "skipped"
    accepted: list[str] = []
    try:
        rendered = render_row(row)
        keep = not (_cfg("MAIL_SERVER") and CATALOGUE[row.kind].secret)
        sent_values = {
            "status": "sent",
            "subject": rendered.subject,
            "body_text": rendered.text if keep else None,
            "body_html": rendered.html if keep else None,
            "context": row.context if keep else {},
            "last_error": None,
        }

        def mark_sent(msg_id: str) -> None:
            # Called between the server's "250" to DATA and our QUIT: nothing else first.
            accepted.append(msg_id)
            _finish(row, attempt, sent_at=clock.now(), message_id=msg_id, **sent_values)

        # No transaction stays open while the SMTP server takes its time (the row's values
        # are loaded; it is written again by a conditional UPDATE).
        db.session.close()
        send(row, rendered, on_accepted=mark_sent)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        if accepted:
            # The server has the mail and the row says so; what failed came after (QUIT).
            log.warning("outbox %s sent; the SMTP session ended badly: %s", row.id, exc)
            return "sent"
        return _failed(row, attempt, exc)
    return "sent"


def _failed(row: OutboxMessage, attempt: int, exc: Exception) -> str:
    permanent = isinstance(exc, PermanentFailure | TemplateBroken)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if permanent or attempt >= _cfg("OUTBOX_MAX_ATTEMPTS"):
        log.error("outbox %s failed for good after %s attempt(s): %s", row.id, attempt, error)
        _finish(row, attempt, status="failed", last_error=error)
        return "failed"
    wait = backoff(attempt)
    due = clock.now() + wait
    log.warning("outbox %s attempt %s failed (%s); next try in %s", row.id, attempt, error, wait)
    if _finish(row, attempt, status="pending", next_attempt_at=due, queued_at=due, last_error=error):
        deliver_task = task_named("notifications.deliver")
        if not deliver_task.app.conf.task_always_eager:
            try:
                deliver_task.apply_async((row.id,), countdown=wait.total_seconds())
            except Exception:  # noqa: BLE001 - the sweep picks it up when the broker is back
                log.exception("could not queue the retry of outbox %s", row.id)
    return "retry"


def unsubscribe_url(row: OutboxMessage) -> str | None:
    if row.transactional:
        return None
    token = outbox.unsubscribe_token(row.recipient, row.unsubscribe_scope or "all")
    return outbox.public_url("notifications.unsubscribe", token=token)


def render_row(row: OutboxMessage) -> Rendered:
    """The mail of this row in its recipient's language, with its fund's current template
    and links to its fund's site."""
    with tenancy.scoped({row.fund_id}):
        return render(row.kind, row.locale, row.context or {}, unsubscribe_url(row))


def message_id_for(row_id: int) -> str:
    _name, address = parseaddr(_cfg("MAIL_FROM"))
    domain = address.rpartition("@")[2] or "streekfonds.local"
    return f"<outbox-{row_id}@{domain}>"


def build_message(row: OutboxMessage, rendered: Rendered) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = funds.mail_sender(row.fund_id)  # the fund's own sender
    msg["To"] = str(Address(addr_spec=row.recipient))
    msg["Subject"] = rendered.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id_for(row.id)
    msg["X-Streekfonds-Outbox"] = str(row.id)
    msg["Auto-Submitted"] = "auto-generated"
    url = unsubscribe_url(row)
    if url:
        # RFC 8058 one-click: a mail client may POST to the link without opening a page.
        msg["List-Unsubscribe"] = f"<{url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    msg["Content-Language"] = row.locale  # after the body: set_content drops Content-* headers
    return msg


def send(row: OutboxMessage, rendered: Rendered, on_accepted=None) -> str:
    """Hand the mail to the SMTP server (MAIL_SERVER) or, without one, to the log.

    `on_accepted(message_id)` runs the moment the server accepted the mail (its reply to
    DATA), before QUIT; an error after that (QUIT) no longer counts. Returns the Message-ID.
    Raises PermanentFailure on a 5xx refusal, other errors otherwise.
    """
    msg = build_message(row, rendered)
    accepted = on_accepted or (lambda _msg_id: None)
    if not _cfg("MAIL_SERVER"):
        log.info(
            "mail (no MAIL_SERVER; log only) to %s: %s\n%s", row.recipient, rendered.subject, rendered.text
        )
        accepted(msg["Message-ID"])
        return msg["Message-ID"]
    # Shorter than the lease, so a slow server never lets a second worker take over a send.
    timeout = max(1.0, min(30.0, _cfg("OUTBOX_LEASE_SECONDS") / 3))
    port = _cfg("MAIL_PORT")
    try:
        if port == 465:
            smtp = smtplib.SMTP_SSL(
                _cfg("MAIL_SERVER"), port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(_cfg("MAIL_SERVER"), port, timeout=timeout)
        try:
            if _cfg("MAIL_USE_TLS") and port != 465:
                smtp.starttls(context=ssl.create_default_context())
            if _cfg("MAIL_USERNAME"):
                smtp.login(_cfg("MAIL_USERNAME"), _cfg("MAIL_PASSWORD"))
            smtp.send_message(msg)  # returns once the server answered DATA with 250
            accepted(msg["Message-ID"])
        finally:
            _quit(smtp)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _m in exc.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        raise
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
        if exc.smtp_code >= 500:
            raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        raise
    return msg["Message-ID"]


def _quit(smtp: smtplib.SMTP) -> None:
    """End the session politely if the server still listens; its answer changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def sweep() -> int:
    """Queue a delivery for every row whose task was lost: due and not queued within the
    lease, or claimed by a worker whose lease ran out. Returns how many were queued."""
    deliver_task = task_named("notifications.deliver")
    now = clock.now()
    stale = now - timedelta(seconds=_cfg("OUTBOX_LEASE_SECONDS"))
    ids = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                or_(
                    and_(
                        OutboxMessage.status == "pending",
                        OutboxMessage.next_attempt_at <= now,
                        or_(OutboxMessage.queued_at.is_(None), OutboxMessage.queued_at <= stale),
                    ),
                    and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
                )
            )
            .order_by(OutboxMessage.id)
            .limit(SWEEP_BATCH)
        )
    )
    if not ids:
        return 0
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
        .values(queued_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    queued = 0
    for message_id in ids:
        try:
            deliver_task.apply_async((message_id,))
        except Exception:  # noqa: BLE001 - broker gone again: the next sweep retries these
            log.exception("sweep could not queue outbox %s; stopping this round", message_id)
            break
        queued += 1
    return queued
