"""Issue 12, erasure beside the books: the sealed ledger records carry a pseudonym only (the
chosen name is published beside the chain), so erasing a backer removes the name and every
`verify` stays green, also over records sealed in the old format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select, text

from app.accounts.models import User
from app.campaigns import taxcert
from app.campaigns.models import Pledge
from app.core import audit, clock, datakeys
from app.core.audit import AuditEvent
from app.core.datakeys import DataKey
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.matching.verify import verify_ledger as ledger_verify
from app.privacy import erasure, retention
from app.transparency import services as transparency
from app.transparency.chain import GENESIS_HASH, canonical_json, chain_hash, hashed_part
from app.transparency.models import LedgerSeal
from app.transparency.sealing import iso_utc
from tests import factories as f
from tests.campaigns.fixtures import login, make_campaign
from tests.campaigns.fixtures import pledge as new_pledge
from tests.matching.helpers import succeed


def _paid(campaign, email, **values) -> Pledge:
    p, _token = new_pledge(campaign, email=email, **values)
    succeed(p)
    return p


def _seal_the_old_way(tx: JournalTransaction, pledge: Pledge) -> None:
    """Seal one transaction as the code before issue 12 did: record version 1, no `v`, the
    chosen name inside the hashed `backer`."""
    seq, prev = transparency.ledger_head()["seq"] + 1, transparency.ledger_head()["hash"]
    body = {
        "seq": seq,
        "transaction_id": tx.id,
        "created_at": iso_utc(tx.created_at),
        "kind": tx.kind,
        "entries": [{"account": e.account, "amount_cents": int(e.amount_cents)} for e in tx.entries],
        "reverses": tx.reverses_id,
        "backer": {"name": pledge.display_name},
        "prev_hash": prev,
    }
    db.session.add(
        LedgerSeal(
            seq=seq,
            transaction_id=tx.id,
            prev_hash=prev,
            hash=chain_hash(prev, body),
            record=canonical_json(body),
        )
    )
    db.session.flush()


def _export(tmp_path, name) -> tuple[str, list[dict]]:
    text = "".join(transparency.iter_jsonl())
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path), [json.loads(line) for line in text.splitlines()]


def _verify(app, path) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["transparency", "verify", path])
    return result.exit_code, result.output


def test_the_name_is_beside_the_chain_and_erasure_keeps_both_verifies_green(app, tmp_path):
    campaign = make_campaign()
    old = _paid(campaign, "oud@example.org", display_name="Olga Oud")
    [old_tx] = db.session.query(JournalTransaction).filter_by(pledge_id=old.id).all()
    _seal_the_old_way(old_tx, old)  # an installation that sealed before upgrading
    _paid(campaign, "bea@example.org", display_name="Bea Backer")
    transparency.seal_ledger()
    path, before = _export(tmp_path, "before.jsonl")
    assert _verify(app, path)[0] == 0
    assert before[0]["backer"] == {"name": "Olga Oud"} and "v" not in before[0]  # version 1 stays as sealed
    [new] = [r for r in before if r.get("backer_name") == "Bea Backer"]
    assert new["v"] == 2 and "Bea" not in canonical_json(hashed_part(new))
    assert not any("Bea" in s.record for s in db.session.query(LedgerSeal))  # not even in the seals
    assert ledger_verify()["ok"] and transparency.check_seals() == []

    erasure.erase_address("bea@example.org")
    db.session.flush()
    transparency.seal_ledger()
    path, after = _export(tmp_path, "after.jsonl")
    code, output = _verify(app, path)
    assert code == 0, output
    assert "Bea" not in (tmp_path / "after.jsonl").read_text(encoding="utf-8")
    assert [r["hash"] for r in after] == [r["hash"] for r in before]  # no hash changed
    assert ledger_verify()["ok"] and transparency.check_seals() == []
    # the API shows the same, the name gone from the record that had it
    page = transparency.ledger_page(0, 100)["items"]
    assert [r.get("backer_name") for r in page if r["transaction_id"] == new["transaction_id"]] == [None]


def test_the_api_keeps_its_fields_and_shows_the_name_beside(client):
    campaign = make_campaign()
    _paid(campaign, "jan@example.org", display_name="Jan")
    _paid(campaign, "anoniem@example.org", display_name="Geheim", anonymous=True)
    client.get("/api/v1/transparency/ledger/head")  # seals first
    page = client.get("/api/v1/transparency/ledger").get_json()["items"]
    pledges = [r for r in page if r["backer"]]
    assert {r.get("backer_name") for r in pledges} == {"Jan", None}
    assert all(set(r["backer"]) == {"pseudonym"} for r in pledges)
    assert page[0]["prev_hash"] == GENESIS_HASH
    assert "Geheim" not in json.dumps(page)


# --- crypto-shredding of the tax-certificate data -----------------------------------------

CERT = {
    "name": "Bea Backer",
    "national_register_number": "85.07.30-033.28",
    "street": "Kerkstraat 1",
    "postal_code": "9900",
    "city": "Eeklo",
}


@pytest.fixture
def master_key(monkeypatch, app):
    key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", key)
    return key


def _past_the_legal_period():
    # the certificate year, its filing year and RETENTION_TAX_YEARS (7) more
    clock.travel_to(clock.now() + timedelta(days=9 * 366 + 370))


def test_erasure_shreds_the_data_key_so_every_copy_of_the_ciphertext_is_unreadable(master_key):
    campaign = make_campaign()
    p = _paid(campaign, "bea@example.org", tax_certificate=CERT)
    backup = bytes(p.tax_certificate_encrypted)  # a copy elsewhere: a backup, an export
    assert backup.startswith(b"dk1:")  # a data key of its own, wrapped by the master key
    assert taxcert.decrypt(backup)["national_register_number"] == "85073003328"
    assert b"85073003328" not in backup
    _past_the_legal_period()
    erasure.erase_address("bea@example.org")
    db.session.flush()
    db.session.expire_all()
    assert db.session.get(Pledge, p.id).tax_certificate_encrypted is None
    assert db.session.scalars(select(DataKey)).all() == []
    with pytest.raises(datakeys.Shredded):
        taxcert.decrypt(backup)
    with pytest.raises(InvalidToken):  # the master key alone does not open it either
        Fernet(master_key.encode()).decrypt(backup[backup.index(b":", 4) + 1 :])


def test_inside_the_legal_period_erasure_keeps_the_key_and_retention_shreds_it_later(master_key):
    campaign = make_campaign()
    p = _paid(campaign, "bea@example.org", tax_certificate=CERT)
    backup = bytes(p.tax_certificate_encrypted)
    erasure.erase_address("bea@example.org")
    db.session.flush()
    assert taxcert.decrypt(backup)["city"] == "Eeklo"  # the tax administration may still ask
    _past_the_legal_period()
    assert retention.apply()["tax_data"] == 1
    with pytest.raises(datakeys.Shredded):
        taxcert.decrypt(backup)


def test_ciphertext_written_before_data_keys_still_decrypts(master_key):
    campaign = make_campaign()
    p = _paid(campaign, "oud@example.org")
    # the format before issue 12: a bare Fernet token under the master key
    p.tax_certificate_encrypted = Fernet(master_key.encode()).encrypt(json.dumps(CERT).encode())
    db.session.flush()
    [row] = taxcert.tax_certificate_requests(clock.local(clock.now()).year)
    assert row["city"] == "Eeklo" and row["pledge_id"] == p.id
    _past_the_legal_period()
    erasure.erase_address("oud@example.org")  # no data key to shred: the ciphertext goes
    db.session.flush()
    assert db.session.get(Pledge, p.id).tax_certificate_encrypted is None


# --- the audit trail loses the person, keeps the action, object and time --------------------


def _audit_text(event) -> str:
    return json.dumps([event.before, event.after, event.note], ensure_ascii=False)


def test_erasure_scrubs_the_person_from_the_audit_trail_and_its_chain_stays_green(app):
    eva = f.user("backer", "applicant", email="eva@example.org", display_name="Eva Jansen")
    admin = f.user("admin")
    p = _paid(make_campaign(), "eva@example.org", display_name="Eva J.", user_id=eva.id)
    about_her = audit.record(
        db.session, admin.id, "user.invitation_resent", "user", eva.id, None, {"email": "eva@example.org"}
    )
    pledge_note = audit.record(
        db.session,
        admin.id,
        "pledge.refund_requested",
        "pledge",
        p.id,
        None,
        {"amount_cents": 2500},
        "Eva J. vroeg het",
    )
    by_her = audit.record(
        db.session, eva.id, "call.updated", "call", 7, {"title": "Januari"}, {"contact": "Eva Jansen"}
    )
    elsewhere = audit.record(
        db.session, admin.id, "mail.resent", "outbox", 3, None, {"to": "EVA@example.org"}
    )
    namesake = audit.record(db.session, admin.id, "call.updated", "call", 8, None, {"jury": "Eva Jansen"})
    db.session.flush()
    transparency.seal_audit_trail()  # sealed with her data inside
    ids = [e.id for e in (about_her, pledge_note, by_her, elsewhere, namesake)]
    kept = {
        e.id: (e.action, e.object_type, e.object_id, e.actor_id, e.created_at)
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids)))
    }

    erasure.erase_user(eva, eva.id)
    db.session.flush()
    transparency.seal_audit_trail()
    db.session.expire_all()
    events = {e.id: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.id.in_(ids)))}
    for event_id in (about_her.id, pledge_note.id, by_her.id, elsewhere.id):
        text = _audit_text(events[event_id]).lower()
        assert "eva" not in text and events[event_id].scrubbed_at is not None, text
    assert events[by_her.id].before == {"title": "Januari"}  # her decision stays, not her name
    assert events[namesake.id].after == {"jury": "Eva Jansen"}  # a name alone is no proof it is her
    assert {
        i: (e.action, e.object_type, e.object_id, e.actor_id, e.created_at) for i, e in events.items()
    } == kept
    [erased] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).all()
    assert sorted(erased.after["audit_scrubbed"]) == sorted(
        [about_her.id, pledge_note.id, by_her.id, elsewhere.id]
    )
    assert transparency.verify_audit_trail() == []
    result = app.test_cli_runner().invoke(args=["transparency", "check"])
    assert result.exit_code == 0, result.output


def test_a_change_no_erasure_accounts_for_still_breaks_the_audit_chain():
    event = audit.record(db.session, 1, "call.updated", "call", 7, None, {"title": "Oud"})
    db.session.flush()
    transparency.seal_audit_trail()
    # what a scrub looks like, but without an erasure event naming it
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(
        text("UPDATE audit_events SET note = 'x', scrubbed_at = created_at WHERE id = :id"), {"id": event.id}
    )
    db.session.expire_all()
    assert transparency.verify_audit_trail() == [f"audit seq 1: event {event.id} was changed"]


@pytest.mark.postgres
def test_postgresql_lets_a_scrub_through_and_nothing_else():
    event = audit.record(db.session, 1, "call.updated", "call", 7, None, {"email": "x@example.org"})
    db.session.flush()
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("UPDATE audit_events SET note = 'x' WHERE id = :id"), {"id": event.id})
    db.session.execute(text("SELECT set_config('streekfonds.scrub', 'on', true)"))
    db.session.execute(
        text("UPDATE audit_events SET note = 'x', scrubbed_at = now() WHERE id = :id"), {"id": event.id}
    )
    for change in ("action = 'other'", "object_id = 8", "created_at = now() - interval '1 day'"):
        with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
            db.session.execute(text(f"UPDATE audit_events SET {change} WHERE id = :id"), {"id": event.id})
    with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})


# --- the erase form on the profile page ------------------------------------------------------


def test_the_profile_page_leads_to_an_erase_form_with_the_password(app, client, monkeypatch):
    user = f.user("backer", email="jan@example.org", display_name="Jan")
    _paid(make_campaign(), "jan@example.org", display_name="Jan", user_id=user.id)
    login(client, user)
    assert "/account/erase" in client.get("/account/profile").get_data(as_text=True)
    page = client.get("/account/erase")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Wat blijft" in text and "Wat verdwijnt" in text
    assert 'type="password"' in text and "tien jaar" in text  # what the law keeps, and how long

    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/account/erase", data={"password": f.PASSWORD, "understood": "y"}).status_code == 400
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)

    wrong = client.post("/account/erase", data={"password": "not it at all", "understood": "y"})
    assert wrong.status_code == 200
    assert 'id="password-error"' in wrong.get_data(as_text=True)  # next to the field
    unticked = client.post("/account/erase", data={"password": f.PASSWORD})
    assert 'id="understood-error"' in unticked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).erased_at is None  # nothing happened yet

    done = client.post("/account/erase", data={"password": f.PASSWORD, "understood": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account/erased")
    confirmation = client.get("/account/erased").get_data(as_text=True)
    assert "Je account is gewist" in confirmation and "1 bijdrage" in confirmation
    db.session.expire_all()
    assert db.session.get(User, user.id).erased_at is not None
    assert client.get("/account/profile").status_code == 302  # logged out
    assert client.get("/account/erased").status_code == 302  # shown once


def test_rekeying_gives_old_ciphertext_a_data_key_so_it_can_be_shredded(app, master_key):
    campaign = make_campaign()
    p = _paid(campaign, "oud@example.org")
    p.tax_certificate_encrypted = Fernet(master_key.encode()).encrypt(json.dumps(CERT).encode())
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["privacy", "rekey-tax-data"])
    assert result.exit_code == 0 and result.output.startswith("1 "), result.output
    again = app.test_cli_runner().invoke(args=["privacy", "rekey-tax-data"])
    assert again.output.startswith("0 ")  # idempotent
    db.session.expire_all()
    blob = bytes(db.session.get(Pledge, p.id).tax_certificate_encrypted)
    assert blob.startswith(b"dk1:") and taxcert.decrypt(blob)["city"] == "Eeklo"
    _past_the_legal_period()
    retention.apply()
    with pytest.raises(datakeys.Shredded):
        taxcert.decrypt(blob)
