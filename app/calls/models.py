"""Calls and applications. Applications move through APPLICATION_STATES only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.statemachine import StateMachine
from app.core.tenancy import FundOwned

CALL_STATUSES = ("draft", "published", "closed")
APPLICANT_TYPES = ("individual", "association", "school", "company")
ORGANISATION_TYPES = ("association", "company")

APPLICATION_STATES = StateMachine(
    "aanvraag",
    {
        "draft": {"submitted", "withdrawn"},
        "submitted": {"eligible", "ineligible", "withdrawn"},
        "eligible": {"in_review"},
        "in_review": {"selected", "not_selected"},
    },
)

DEFAULT_MATCH_POLICY: dict[str, Any] = {
    "ratio": 1.0,
    "cap_per_project_cents": 600000,
    "cap_share_of_budget": None,
    "cap_per_backer_cents": None,
    "min_backers": None,
    "condition": "target_reached",
    "mode": "at_close",
    "exclude_owner": True,
    "offline_eligible": True,
}


class Call(FundOwned, Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(80), default="", index=True)
    municipalities: Mapped[list] = mapped_column(JSON, default=list)
    applicant_types: Mapped[list] = mapped_column(JSON, default=lambda: list(APPLICANT_TYPES))
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    criteria: Mapped[list] = mapped_column(JSON, default=list)
    match_policy: Mapped[dict] = mapped_column(JSON, default=lambda: dict(DEFAULT_MATCH_POLICY))
    campaign_days: Mapped[int] = mapped_column(Integer, default=45)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # Jury (issue 3)
    calibration: Mapped[bool] = mapped_column(Boolean, default=False)
    matching_budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_selected_per_municipality: Mapped[int | None] = mapped_column(Integer)
    disagreement_threshold: Mapped[float] = mapped_column(Float, default=15.0)
    tie_lottery: Mapped[bool] = mapped_column(Boolean, default=False)
    lottery_seed: Mapped[str | None] = mapped_column(String(64))
    # Campaigns (issue 4)
    min_pledge_cents: Mapped[int] = mapped_column(Integer, default=500)
    max_pledge_cents: Mapped[int] = mapped_column(Integer, default=500000)
    all_or_nothing: Mapped[bool] = mapped_column(Boolean, default=True)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def policy(self) -> dict[str, Any]:
        """The match policy with every default filled in."""
        return {**DEFAULT_MATCH_POLICY, **(self.match_policy or {})}

    def is_open_for_submissions(self, at: datetime | None = None) -> bool:
        at = at or clock.now()
        return (
            self.status == "published"
            and self.opens_at is not None
            and self.closes_at is not None
            and self.opens_at <= at < self.closes_at
        )


class Application(FundOwned, Base):
    __tablename__ = "applications"
    __fund_parent__ = "call_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    municipality: Mapped[str | None] = mapped_column(String(120))
    applicant_type: Mapped[str | None] = mapped_column(String(20))
    organisation: Mapped[str | None] = mapped_column(String(200))
    enterprise_number: Mapped[str | None] = mapped_column(String(10))
    budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    target_cents: Mapped[int | None] = mapped_column(BigInteger)
    screening_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    screened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Attachment(FundOwned, Base):
    """An uploaded file, kept in the database so a backup holds everything."""

    __tablename__ = "attachments"
    __fund_parent__ = "application_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    application: Mapped[Application] = relationship(back_populates="attachments")
