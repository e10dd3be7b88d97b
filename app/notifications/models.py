"""The outbox, the fund's own mail templates and the unsubscribe list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned

# pending → sending (claimed, leased) → sent | pending (retry later) | failed | skipped
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


class OutboxMessage(FundOwned, Base):
    """One mail to one recipient, written in the transaction of the event that causes it.

    `dedupe_key` is unique: a doubled signal or task finds the row already there and
    writes nothing. The rendered subject and bodies are kept once the mail went out.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Non-transactional mails (milestones, updates) carry an unsubscribe link and honour it.
    transactional: Mapped[bool] = mapped_column(Boolean, default=True)
    unsubscribe_scope: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # When a delivery task was last queued for it; the sweep re-queues only stale ones.
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MailTemplate(FundOwned, Base):
    """A fund's own wording for one mail in one language; without it the file is used."""

    __tablename__ = "mail_templates"
    __table_args__ = (UniqueConstraint("fund_id", "kind", "locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    locale: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OptOut(Base):
    """An address that asked for no more non-transactional mail (of one campaign, or all)."""

    __tablename__ = "notification_opt_outs"
    __table_args__ = (UniqueConstraint("email", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    # "all" or "campaign:<id>"
    scope: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
