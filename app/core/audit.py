"""The audit trail: who did what, when, with the state before and after. Append-only.

One exception, for the GDPR (issue 12): erasing a person scrubs their personal data from the
`before`, `after` and `note` of the events about them (`scrub`); the action, object, actor
and time stay. The erasure's own event lists the scrubbed event ids (`SCRUBBED_KEY`), which
is what lets the audit chain's verification accept those events (transparency/sealing.py).
PostgreSQL refuses every other change (the trigger of `install_scrub_trigger`).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.models import Base, UTCDateTime
from app.core.tenancy import FundOwned

# What a scrub may change; everything else of an event is fixed for ever.
SCRUBBABLE = ("before", "after", "note", "scrubbed_at")
ERASURE_ACTION = "privacy.erased"
SCRUBBED_KEY = "audit_scrubbed"  # in the erasure event's `after`: the ids it scrubbed
ERASED = "[erased]"
# Keys whose values are a person's data wherever they appear in before/after.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "display_name",
        "name",
        "message",
        "recipient",
        "phone",
        "street",
        "address",
        "national_register_number",
    }
)


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
    # Set when an erasure scrubbed personal data from before/after/note (never otherwise).
    scrubbed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = ({"info": {"append_only": True, "scrubbable": SCRUBBABLE}},)


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


def _pattern(emails: list[str], names: list[str]) -> re.Pattern | None:
    """Matches an e-mail anywhere, a name as whole words (so "Jan" spares "januari")."""
    parts = [re.escape(e) for e in emails] + [rf"\b{re.escape(n)}\b" for n in names]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _scrubbed(value: Any, pattern: re.Pattern | None, all_personal: bool) -> Any:
    """`value` with every string `pattern` finds in replaced by ERASED, and, with
    `all_personal`, the values of PERSONAL_KEYS too."""
    if isinstance(value, dict):
        return {
            k: ERASED
            if all_personal and k in PERSONAL_KEYS and v not in (None, "")
            else _scrubbed(v, pattern, all_personal)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(v, pattern, all_personal) for v in value]
    if isinstance(value, str) and pattern is not None and pattern.search(value):
        return ERASED
    return value


def _mentioning(emails: list[str]):
    """WHERE clauses: before, after or note contains one of `emails` (the JSON text as
    stored may escape characters, so the escaped form is searched too)."""
    forms = {form for e in emails for form in (e, json.dumps(e)[1:-1])}
    columns = (
        func.lower(func.cast(AuditEvent.before, Text)),
        func.lower(func.cast(AuditEvent.after, Text)),
        func.lower(AuditEvent.note),
    )
    return [column.contains(form, autoescape=True) for form in forms for column in columns]


def scrub(
    session,
    emails: list[str],
    names: list[str] = (),
    about: list[tuple[str, int]] = (),
    actor_id: int | None = None,
) -> list[int]:
    """Scrub a person from the audit trail; return the ids of the events changed.

    `emails`: their addresses, removed from every event that mentions one. `names`: the names
    they used, removed (as whole words) from the events about them or by them only: a name
    alone is not unique enough to search the whole trail for. `about`: the (object type, id)
    of their own objects (their user, their pledges): in those events the values of
    PERSONAL_KEYS and the note go too. `actor_id`: their user id; in the events they did only
    what identifies them goes (their decisions stay). Flushes. PostgreSQL lets these updates
    through only while `streekfonds.scrub` is on for the transaction (see append_only.py).
    """
    emails = sorted({e.strip().lower() for e in emails if e and e.strip()})
    names = sorted({n.strip() for n in names if n and len(n.strip()) >= 2})
    conditions = _mentioning(emails) if emails else []
    for obj_type, obj_ids in _group(about).items():
        conditions.append((AuditEvent.object_type == obj_type) & AuditEvent.object_id.in_(obj_ids))
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if not conditions:
        return []
    own = set(about)
    everywhere, scoped = _pattern(emails, []), _pattern(emails, names)
    events = session.scalars(select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.id)).all()
    changes = []
    for event in events:
        is_own = (event.object_type, event.object_id) in own
        pattern = scoped if is_own or (actor_id is not None and event.actor_id == actor_id) else everywhere
        before = _scrubbed(event.before, pattern, is_own)
        after = _scrubbed(event.after, pattern, is_own)
        note = event.note
        if note and (is_own or (pattern is not None and pattern.search(note))):
            note = ERASED
        if (before, after, note) != (event.before, event.after, event.note):
            changes.append((event, before, after, note))
    if not changes:
        return []
    session.flush()  # anything else pending goes first, through the closed door
    _allow_scrub(session, True)
    for event, before, after, note in changes:
        event.before, event.after, event.note = before, after, note
        event.scrubbed_at = clock.now()
    session.flush()
    _allow_scrub(session, False)
    changed = [event.id for event, *_rest in changes]
    return changed


def _group(about) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for obj_type, obj_id in about:
        out.setdefault(obj_type, []).append(obj_id)
    return out


def _allow_scrub(session, on: bool) -> None:
    """Open or close, for this transaction only, the trigger's door for a scrub."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("streekfonds.scrub", "on" if on else "off", True)))


def scrubbed_by_erasures(session) -> dict[int, int]:
    """{scrubbed event id: id of the erasure event that lists it}."""
    out: dict[int, int] = {}
    rows = session.execute(select(AuditEvent.id, AuditEvent.after).where(AuditEvent.action == ERASURE_ACTION))
    for erasure_id, after in rows:
        ids = after.get(SCRUBBED_KEY) if isinstance(after, dict) else None
        for event_id in ids or []:
            if isinstance(event_id, int):
                out.setdefault(event_id, erasure_id)
    return out
