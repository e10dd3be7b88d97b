"""The audit trail: who did what, when, with the state before and after. Append-only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned


class AuditEvent(FundOwned, Base):
    """One recorded action. Rows are never updated or deleted (PostgreSQL refuses it)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = ({"info": {"append_only": True}},)


def record(
    session,
    actor_id: int | None,
    action: str,
    obj_type: str,
    obj_id: int | None,
    before: Any = None,
    after: Any = None,
    note: str | None = None,
) -> AuditEvent:
    """Add one audit event to the session (the caller's transaction commits it)."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=obj_type,
        object_id=obj_id,
        before=json.loads(json.dumps(before, default=str)) if before is not None else None,
        after=json.loads(json.dumps(after, default=str)) if after is not None else None,
        note=note,
    )
    session.add(event)
    return event
