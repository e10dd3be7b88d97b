"""A fund: one streekfonds (or climate fund, or thematic programme) hosted on the platform."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime


class Fund(Base):
    """Its own people (roles are granted per fund), money, look, mail sender and public
    books. Everything a fund owns carries its `fund_id` (app.core.tenancy)."""

    __tablename__ = "funds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str] = mapped_column(String(200), default="")
    municipalities: Mapped[list] = mapped_column(JSON, default=list)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Who runs it and who oversees it, shown at the foot of every page and mail.
    footer: Mapped[str] = mapped_column(Text, default="")
    # The account backers transfer to (empty: no transfers for this fund).
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    beneficiary: Mapped[str | None] = mapped_column(String(70))
    mail_from_name: Mapped[str | None] = mapped_column(String(120))
    mail_from: Mapped[str | None] = mapped_column(String(254))
    primary_colour: Mapped[str] = mapped_column(String(7), default="#0b5d3b")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str | None] = mapped_column(String(20))
    # Host names that show this fund's site at `/` (optional; else /f/<slug>/).
    hosts: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
