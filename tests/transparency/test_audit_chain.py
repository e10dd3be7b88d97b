"""The audit trail's hash chain: append-only seals; a changed or removed event is found."""

from __future__ import annotations

from sqlalchemy import text

from app.core import audit
from app.core.audit import AuditEvent
from app.extensions import db
from app.transparency import services
from app.transparency.chain import GENESIS_HASH, chain_hash
from app.transparency.models import AuditSeal
from app.transparency.sealing import audit_record


def _events(n=3):
    return [
        audit.record(db.session, 1, f"thing.step{i}", "thing", i, {"v": i}, {"v": i + 1}) for i in range(n)
    ]


def _behind_the_back(sql: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(sql))
    db.session.expire_all()


def test_events_are_sealed_once_in_order_and_chained():
    events = _events()
    db.session.flush()
    assert services.seal_audit_trail() == 3
    assert services.seal_audit_trail() == 0
    seals = db.session.query(AuditSeal).order_by(AuditSeal.seq).all()
    assert [s.audit_event_id for s in seals] == [e.id for e in events]
    assert seals[0].prev_hash == GENESIS_HASH
    assert seals[1].prev_hash == seals[0].hash
    assert seals[2].hash == chain_hash(seals[1].hash, audit_record(events[2]))
    assert services.verify_audit_trail() == []


def test_a_changed_event_is_found():
    events = _events()
    db.session.flush()
    services.seal_audit_trail()
    _behind_the_back(f"UPDATE audit_events SET note = 'nothing happened' WHERE id = {events[1].id}")
    assert services.verify_audit_trail() == [f"audit seq 2: event {events[1].id} was changed"]


def test_a_removed_event_is_found():
    first = _events()[0]
    db.session.flush()
    first_id = first.id
    services.seal_audit_trail()
    _behind_the_back(
        "ALTER TABLE audit_seals DROP CONSTRAINT IF EXISTS fk_audit_seals_audit_event_id_audit_events"
        if db.session.get_bind().dialect.name == "postgresql"
        else "PRAGMA defer_foreign_keys = ON"
    )
    _behind_the_back(f"DELETE FROM audit_events WHERE id = {first_id}")
    assert services.verify_audit_trail() == [f"audit seq 1: event {first_id} was removed"]
    assert db.session.get(AuditEvent, first_id) is None
