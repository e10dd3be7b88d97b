"""A privacy request: someone asked, by e-mail, for their data or for its erasure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime

KINDS = ("access", "erasure")


class PrivacyRequest(Base):
    """Made by POST /api/v1/privacy/requests; carried out through the mailed link or by a fund
    manager. Once done the address is replaced by its hash: the row only proves the request
    was handled, and when."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    carried_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
