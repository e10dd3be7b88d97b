"""Sponsors, their commitments, each project's match and the allocations that trace it.

Money lives in the journal (app.ledger); the figures here are caches or indexes of it:
`Commitment.available_cents` exists so that concurrent draws can take money with one
conditional UPDATE, and `verify_ledger()` compares it with the entries. `Allocation` rows
are an append-only index of every matching posting, per commitment and project.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned

SPONSOR_KINDS = ("company", "municipality", "province", "intercommunale", "foundation", "other")
MATCH_STATES = ("reserved", "projected", "settled", "released")
ALLOCATION_KINDS = ("reserve", "release", "match", "reverse", "draw", "draw_reverse")


class Sponsor(FundOwned, Base):
    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(20), default="company")
    # Shown by name on public pages, or as "an anonymous sponsor".
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    commitments: Mapped[list[Commitment]] = relationship(back_populates="sponsor", order_by="Commitment.id")


class Commitment(FundOwned, Base):
    """Money a sponsor promised, optionally earmarked for one call, one theme and/or a list
    of municipalities. Its money is available, reserved or matched (see the ledger)."""

    __tablename__ = "commitments"
    __fund_parent__ = "sponsor_id"
    __table_args__ = (CheckConstraint("available_cents >= 0", name="available_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    theme: Mapped[str | None] = mapped_column(String(80))
    municipalities: Mapped[list] = mapped_column(JSON, default=list)
    received: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[date | None] = mapped_column(Date)
    received_reference: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    # Cache of the balance of `commitment:<id>:available`, changed only by a conditional
    # UPDATE in the same transaction as the posting; checked by verify_ledger().
    available_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    sponsor: Mapped[Sponsor] = relationship(back_populates="commitments")

    @property
    def earmark(self) -> dict:
        return {
            "call_id": self.call_id,
            "theme": self.theme or None,
            "municipalities": list(self.municipalities or []),
        }


class ProjectMatch(FundOwned, Base):
    """The match of one selected project, from the reservation at selection on.

    Keyed by the application, because money is reserved when the jury's selection is
    confirmed, before the campaign exists; `campaign_id` is filled in when it does.
    `max_match_cents` and the policy are frozen at selection. `matched_cents` caches the
    balance of `campaign:<id>:match` (negated), checked by verify_ledger().
    """

    __tablename__ = "project_matches"
    __fund_parent__ = "call_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    mode: Mapped[str] = mapped_column(String(10))
    policy: Mapped[dict] = mapped_column(JSON)
    max_match_cents: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(12), default="projected", index=True)
    matched_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # What the settlement decided (M, and the rule that bound it), for the audit.
    settled_cents: Mapped[int | None] = mapped_column(BigInteger)
    settled_bound: Mapped[str | None] = mapped_column(String(30))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Allocation(FundOwned, Base):
    """One matching posting of one commitment for one project (append-only).

    `cents` is positive; the kind says where it went: reserve (available→reserved), release
    (reserved→available), match (reserved→matched), reverse (matched→available, after a
    refund), draw (available→matched, live), draw_reverse (matched→available, live).
    """

    __tablename__ = "match_allocations"
    __fund_parent__ = "commitment_id"
    __table_args__ = ({"info": {"append_only": True}},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_match_id: Mapped[int] = mapped_column(ForeignKey("project_matches.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    pledge_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(14))
    cents: Mapped[int] = mapped_column(BigInteger)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("journal_transactions.id"), unique=True)
    # Draw order position of the commitment (0 = drawn first); returns go in reverse.
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class PledgeDraw(FundOwned, Base):
    """The live draw of one confirmed pledge, written once (the unique pledge id makes a
    repeated confirmation a no-op). `requested_cents` is what the rules asked,
    `drawn_cents` what the commitments could give at that moment."""

    __tablename__ = "match_pledge_draws"
    __fund_parent__ = "project_match_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_match_id: Mapped[int] = mapped_column(ForeignKey("project_matches.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(Integer, unique=True)
    eligible_part_cents: Mapped[int] = mapped_column(BigInteger)
    requested_cents: Mapped[int] = mapped_column(BigInteger)
    drawn_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class SponsorContact(FundOwned, Base):
    """A user who speaks for a sponsor (role `sponsor`): they see that sponsor's report."""

    __tablename__ = "sponsor_contacts"
    __fund_parent__ = "sponsor_id"
    __table_args__ = (UniqueConstraint("sponsor_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class SponsorInvitation(FundOwned, Base):
    """An invitation mailed to an address without an account; following its link (which
    proves the address) links the user who accepts it. Only the token's SHA-256 is kept."""

    __tablename__ = "sponsor_invitations"
    __fund_parent__ = "sponsor_id"
    __table_args__ = (UniqueConstraint("sponsor_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(Integer)
