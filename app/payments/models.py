"""The payment event log and the demo gateway's own record of its payments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime

# What became of an event: applied (changed a pledge), ignored (late, unknown type, or
# nothing to change), rejected (unknown pledge, amount or currency mismatch: a person looks).
EVENT_OUTCOMES = ("received", "applied", "ignored", "rejected")


class PaymentEvent(Base):
    """One event from a gateway, recorded once: the unique event id makes a redelivery a no-op."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    gateway: Mapped[str] = mapped_column(String(20))
    type: Mapped[str] = mapped_column(String(80), index=True)
    object_id: Mapped[str | None] = mapped_column(String(255))
    pledge_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="received", index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)


class DemoPayment(Base):
    """A payment of the demo gateway, shaped like a Checkout Session with its PaymentIntent
    and Charge, so that its events take the same path as Stripe's."""

    __tablename__ = "demo_payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(80), unique=True)
    payment_intent_id: Mapped[str] = mapped_column(String(80), unique=True)
    charge_id: Mapped[str] = mapped_column(String(80), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="eur")
    pledge_ref: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    success_url: Mapped[str] = mapped_column(Text)
    cancel_url: Mapped[str] = mapped_column(Text)
    # open → complete (paid) | failed | expired
    status: Mapped[str] = mapped_column(String(20), default="open")
    amount_refunded_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    refunds: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
