"""Jurors of a call, invitations, assignments (with the conflict declaration and the scores),
the scoring window and the confirmed selection."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.calls.models import Application, Call
from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned

# A juror's answer to "do you have a conflict of interest with this application?"
DECLARATIONS = ("pending", "no_conflict", "conflict")


class Juror(FundOwned, Base):
    """A user who sits on the jury of one call."""

    __tablename__ = "jurors"
    __fund_parent__ = "call_id"
    __table_args__ = (UniqueConstraint("call_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # False only when the seat came from registering with an invited address: the address is
    # then trusted once it is confirmed (else anyone could register with it and take the seat).
    address_proven: Mapped[bool] = mapped_column(Boolean, default=True)

    call: Mapped[Call] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class JurorInvitation(FundOwned, Base):
    """An invitation by e-mail for someone without an account; the token is stored hashed."""

    __tablename__ = "juror_invitations"
    __fund_parent__ = "call_id"
    __table_args__ = (UniqueConstraint("call_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    call: Mapped[Call] = relationship()


class Assignment(FundOwned, Base):
    """One juror on one application: the conflict declaration and the (draft) scores."""

    __tablename__ = "jury_assignments"
    __fund_parent__ = "call_id"
    __table_args__ = (UniqueConstraint("application_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    declaration: Mapped[str] = mapped_column(String(20), default="pending")
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    application: Mapped[Application] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def counts(self) -> bool:
        """Whether this assignment's total enters the ranking."""
        return self.declaration == "no_conflict" and self.submitted_at is not None


class ScoringWindow(FundOwned, Base):
    """The jury's scoring window of one call: opened once, closed once."""

    __tablename__ = "jury_scoring_windows"
    __fund_parent__ = "call_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # After closing, jurors see each other's scores only when the fund manager allows it.
    reveal_scores: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None and self.closed_at is None

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "not_opened"
        return "open" if self.closed_at is None else "closed"


class Selection(FundOwned, Base):
    """The confirmed selection of a call: one row, written once (a second confirm is 409)."""

    __tablename__ = "jury_selections"
    __fund_parent__ = "call_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_ids: Mapped[list] = mapped_column(JSON, default=list)
    selected_ids: Mapped[list] = mapped_column(JSON, default=list)
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
    # The proposal's skipped projects and why ([{application_id, reason}]), kept so the
    # transparency report can say exactly why each project was passed over.
    skipped: Mapped[list] = mapped_column(JSON, default=list)


class Reminder(FundOwned, Base):
    """A reminder sent to a juror; at most one per juror, call and (Brussels) day."""

    __tablename__ = "jury_reminders"
    __fund_parent__ = "call_id"
    __table_args__ = (UniqueConstraint("call_id", "user_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
