"""Campaigns, pledges, refunds, updates and pictures. States move through the tables below only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.calls.models import Application, Call
from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.statemachine import StateMachine
from app.core.tenancy import FundOwned
from app.payments.gateways import GATEWAYS

# A campaign that no longer runs (its match can settle).
CLOSED = ("succeeded", "failed", "cancelled")

CAMPAIGN_STATES = StateMachine(
    "campagne",
    {
        "draft": {"open", "cancelled"},
        "open": {"succeeded", "failed", "cancelled"},
    },
)

# The table, plus what partial refunds need: a partially refunded pledge can be
# refunded further or disputed, and a won dispute returns it to where it was. `cancelled`
# is an offline gift recorded by mistake (reversed in the ledger, never deleted).
PLEDGE_STATES = StateMachine(
    "bijdrage",
    {
        "pending": {"succeeded", "failed", "expired"},
        # A bank transfer that arrives after its pledge expired still counts (late).
        "expired": {"succeeded"},
        "succeeded": {"refunded", "partially_refunded", "disputed", "cancelled"},
        "partially_refunded": {"partially_refunded", "refunded", "disputed"},
        "disputed": {"succeeded", "partially_refunded", "dispute_lost"},
    },
)
# How a pledge is paid: through a payment gateway (its name), or offline, recorded by staff.
ONLINE_METHODS = GATEWAYS
OFFLINE_METHODS = ("bank_transfer", "cash")

# Pledge status groupings, defined here once; every domain imports them from here.
# Paid and still here: may be refunded (further) or disputed.
PAID = ("succeeded", "partially_refunded")
REFUNDABLE = PAID
# Its money counts for the match (an open dispute still counts until it is lost).
COUNTING = (*PAID, "disputed")
# It was paid at some time (tax certificates, the ledger checks).
EVER_PAID = (*COUNTING, "dispute_lost", "refunded")
REFUND_STATES = ("requested", "submitted", "succeeded", "failed")


class Campaign(FundOwned, Base):
    __tablename__ = "campaigns"
    __fund_parent__ = "call_id"
    __table_args__ = (
        # A fund's public list in its order (open first, then by end, then id: the exact
        # expressions of listing.list_page, which PostgreSQL matches), so a page reads its
        # rows from the index instead of sorting every campaign of ten years. The CASE is
        # written as PostgreSQL prints it back, so that Alembic's comparison of the models
        # with the database (tests/test_migrations.py) finds it unchanged.
        Index(
            "ix_campaigns_list_order",
            "fund_id",
            text("(\nCASE\n    WHEN status = 'open' THEN 0\n    ELSE 1\nEND)"),
            text("(COALESCE(ends_at, '9999-01-01 00:00:00'::timestamp))"),
            "id",
        ).ddl_if(dialect="postgresql"),
        # The list's filters (listing.facets) from an index-only scan, not every row.
        Index("ix_campaigns_facets", "fund_id", "municipality", "theme", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(120), default="", index=True)
    theme: Mapped[str] = mapped_column(String(80), default="", index=True)
    goal_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    patron_name: Mapped[str | None] = mapped_column(String(200))
    # The patron (often a mayor) gets the "campaign opened" mail; role e.g. "burgemeester van Eeklo".
    patron_email: Mapped[str | None] = mapped_column(String(254))
    patron_role: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    story_markdown: Mapped[str] = mapped_column(Text, default="")
    # Who is behind the project in the owner's own words, and an address the public may
    # write to (issue 18): both optional, both shown on the public page.
    owner_profile: Mapped[str] = mapped_column(Text, default="", server_default="")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # A cache of raised (updated in the same statement as every ledger posting, under the
    # campaign's row lock); the figure shown is derived from the ledger, and a check compares.
    raised_cache_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    milestone_50_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    milestone_100_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Raised once per change of what the public figures are made of (every posting, in the
    # same statement; settlement; opening and closing): the figures cache is valid for one
    # version. `changed_at` is the public pages' Last-Modified.
    figures_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    call: Mapped[Call] = relationship()
    application: Mapped[Application] = relationship()


class CampaignFigures(Base):
    """The figures every visitor sees that are not on the campaign row itself (raised is:
    `raised_cache_cents`), as computed at `version` of the campaign's figures_version.
    A cache: rewritten by the first view after a change, compared with the ledger by
    `flask ledger verify` (campaigns.figures.mismatches)."""

    __tablename__ = "campaign_figures"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    backers_count: Mapped[int] = mapped_column(Integer)
    matched_cents: Mapped[int] = mapped_column(BigInteger)
    # [[amount, amount + match], ...]; null when the match depends on money shared with
    # other campaigns (live mode) and is read at each view.
    effects: Mapped[list | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Pledge(FundOwned, Base):
    __tablename__ = "pledges"
    __fund_parent__ = "campaign_id"
    __table_args__ = (UniqueConstraint("campaign_id", "client_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="eur")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    message: Mapped[str] = mapped_column(Text, default="")
    hide_amount: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(24), default="pending", index=True)
    refunded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    disputed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receipt_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_nonce: Mapped[str] = mapped_column(String(32))
    notify_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language the pledge was made in: its mails use it when no account says otherwise.
    locale: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")
    # The gateway's references (for refunds and for asking it the current state).
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    checkout_url: Mapped[str | None] = mapped_column(Text)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    charge_id: Mapped[str | None] = mapped_column(String(255))
    dispute_id: Mapped[str | None] = mapped_column(String(255))
    # The API's Idempotency-Key and a fingerprint of the request that first used it.
    client_key: Mapped[str | None] = mapped_column(String(255))
    client_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # JSON {rrn, name, street, postal_code, city} encrypted with a data key of its own
    # (app/core/datakeys.py), only when asked for.
    tax_certificate_encrypted: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A backer who chose to pay by bank transfer: pending until a statement line pays it,
    # then counted (and matched) like a card payment, unlike an offline gift staff record.
    announced_by_backer: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The ledger account holding the pledge's money when the method alone does not say
    # (a bank transfer: `bank:<iban>` of the account the statement showed it on).
    held_account: Mapped[str | None] = mapped_column(String(60))

    campaign: Mapped[Campaign] = relationship()

    @property
    def is_offline(self) -> bool:
        """A gift staff recorded by hand (it may be excluded from the match)."""
        return self.method in OFFLINE_METHODS and not self.announced_by_backer

    @property
    def refunded_by_hand(self) -> bool:
        """No gateway holds the money: a refund is a bank transfer or cash the fund pays."""
        return self.method in OFFLINE_METHODS

    @property
    def wants_tax_certificate(self) -> bool:
        return self.tax_certificate_encrypted is not None


class Refund(FundOwned, Base):
    """A refund is first this row, then a task asks the gateway (key `refund:<id>`)."""

    __tablename__ = "refunds"
    __fund_parent__ = "pledge_id"
    __table_args__ = (UniqueConstraint("pledge_id", "once_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    reason: Mapped[str] = mapped_column(String(40), default="requested")
    # 'campaign_closed' for the automatic refund of a failed campaign: once per pledge.
    once_key: Mapped[str | None] = mapped_column(String(40))
    gateway_refund_id: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pledge: Mapped[Pledge] = relationship()


class CampaignUpdate(FundOwned, Base):
    __tablename__ = "campaign_updates"
    __fund_parent__ = "campaign_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    campaign: Mapped[Campaign] = relationship()


class CampaignPicture(FundOwned, Base):
    __tablename__ = "campaign_pictures"
    __fund_parent__ = "campaign_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    alt_text: Mapped[str] = mapped_column(String(300), default="")
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
