"""Issue 12, erasure beside the books: the sealed ledger records carry a pseudonym only (the
chosen name is published beside the chain), so erasing a backer removes the name and every
`verify` stays green, also over records sealed in the old format."""

from __future__ import annotations

import json

from app.campaigns.models import Pledge
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.matching.verify import verify_ledger as ledger_verify
from app.privacy import erasure
from app.transparency import services as transparency
from app.transparency.chain import GENESIS_HASH, canonical_json, chain_hash, hashed_part
from app.transparency.models import LedgerSeal
from app.transparency.sealing import iso_utc
from tests.campaigns.fixtures import make_campaign
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
    bea = _paid(campaign, "bea@example.org", display_name="Bea Backer")
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
    assert "Bea" not in open(path, encoding="utf-8").read()
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
