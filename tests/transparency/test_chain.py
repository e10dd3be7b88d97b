"""The record hash and the export checks, on plain data (no database)."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.transparency.chain import GENESIS_HASH, campaign_totals, record_hash, verify_ledger, verify_report


def _record(seq, prev, entries, tx=None, kind="pledge_succeeded", created="2027-03-01T09:30:00.000000Z"):
    rec = {
        "seq": seq,
        "transaction_id": tx or seq,
        "created_at": created,
        "kind": kind,
        "entries": [{"account": a, "amount_cents": c} for a, c in entries],
        "reverses": None,
        "backer": None,
        "prev_hash": prev,
    }
    rec["hash"] = record_hash(rec)
    return rec


def _chain(*entry_lists):
    out, prev = [], GENESIS_HASH
    for i, entries in enumerate(entry_lists, start=1):
        rec = _record(i, prev, entries)
        out.append(rec)
        prev = rec["hash"]
    return out


def _lines(records):
    return [json.dumps(r) + "\n" for r in records]


def test_hash_is_sha256_of_prev_hash_and_canonical_json_written_out_by_hand():
    rec = {
        "seq": 1,
        "transaction_id": 7,
        "created_at": "2027-03-01T09:30:00.000000Z",
        "kind": "pledge_succeeded",
        "entries": [
            {"account": "gateway:demo", "amount_cents": 2500},
            {"account": "campaign:3:raised", "amount_cents": -2500},
        ],
        "reverses": None,
        "prev_hash": GENESIS_HASH,
        "backer": {"name": "Zoë"},
    }
    # keys sorted, no spaces, UTF-8 (ë stays ë), prev_hash in front
    text = (
        GENESIS_HASH
        + '{"backer":{"name":"Zoë"},"created_at":"2027-03-01T09:30:00.000000Z",'
        + '"entries":[{"account":"gateway:demo","amount_cents":2500},'
        + '{"account":"campaign:3:raised","amount_cents":-2500}],'
        + '"kind":"pledge_succeeded","prev_hash":"'
        + GENESIS_HASH
        + '","reverses":null,"seq":1,"transaction_id":7}'
    )
    assert record_hash(rec) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    # the hash field itself is left out of what is hashed
    assert record_hash({**rec, "hash": "x" * 64}) == record_hash(rec)


def test_an_intact_export_passes():
    records = _chain([("gateway:demo", 1000), ("campaign:1:raised", -1000)], [("a", 5), ("b", -5)])
    check = verify_ledger(_lines(records))
    assert check.ok, check.failures
    assert (check.count, check.head_seq, check.head_hash) == (2, 2, records[-1]["hash"])


def test_changing_one_amount_is_caught():
    records = _chain([("a", 1000), ("b", -1000)], [("a", 5), ("b", -5)], [("a", 7), ("b", -7)])
    records[1]["entries"][0]["amount_cents"] = 6
    records[1]["entries"][1]["amount_cents"] = -6  # still balanced: only the hash can tell
    failures = verify_ledger(_lines(records)).failures
    assert failures == ["line 2 (seq 2): hash does not match the record (changed)"]


def test_changing_a_record_and_rehashing_it_breaks_the_next_link():
    records = _chain([("a", 1000), ("b", -1000)], [("a", 5), ("b", -5)], [("a", 7), ("b", -7)])
    records[1]["kind"] = "refund"
    records[1]["hash"] = record_hash(records[1])
    failures = verify_ledger(_lines(records)).failures
    assert failures == ["line 3 (seq 3): prev_hash does not match the hash of the record before"]


def test_removing_a_record_is_caught():
    records = _chain([("a", 1), ("b", -1)], [("a", 2), ("b", -2)], [("a", 3), ("b", -3)])
    del records[1]
    failures = verify_ledger(_lines(records)).failures
    assert any("expected seq 2" in f for f in failures)
    assert any("prev_hash" in f for f in failures)


def test_removing_the_last_record_is_caught_against_the_report():
    records = _chain([("campaign:1:raised", -100), ("g", 100)], [("campaign:1:raised", -50), ("g", 50)])
    check = verify_ledger(_lines(records[:1]))
    assert check.ok  # a prefix of a chain is a valid chain ...
    report = {
        "ledger": {"seq": 2, "hash": records[1]["hash"], "count": 2},
        "campaigns": [{"id": 1, "raised_cents": 150, "matched_cents": 0}],
    }
    assert verify_report(check, report)  # ... but not the one the report was computed from


def test_inserting_a_record_is_caught():
    records = _chain([("a", 1), ("b", -1)], [("a", 2), ("b", -2)])
    forged = _record(2, records[0]["hash"], [("a", 9), ("b", -9)], tx=99)
    records.insert(1, forged)
    failures = verify_ledger(_lines(records)).failures
    assert failures  # seq 2 twice, and the old seq 2 no longer follows its prev_hash
    assert any("expected seq 3" in f for f in failures)


def test_an_unbalanced_record_is_caught_even_with_a_correct_hash():
    records = _chain([("a", 10), ("b", -9)])
    assert verify_ledger(_lines(records)).failures == ["line 1 (seq 1): entries sum to 1, not 0"]


def test_garbage_and_missing_fields_are_reported_per_line():
    records = _chain([("a", 1), ("b", -1)])
    lines = _lines(records) + ["not json\n", json.dumps({"seq": 2}) + "\n"]
    failures = verify_ledger(lines).failures
    assert failures[0].startswith("line 2: not JSON")
    assert failures[1].startswith("line 3 (seq 2): missing")


def test_campaign_totals_by_hand():
    # campaign 4: pledges 25,00 + 10,00, refund 10,00, match 15,00 → raised 25,00, matched 15,00
    records = _chain(
        [("gateway:demo", 2500), ("campaign:4:raised", -2500)],
        [("gateway:demo", 1000), ("campaign:4:raised", -1000)],
        [("campaign:4:raised", 1000), ("gateway:demo", -1000)],
        [("commitment:1:reserved", 1500), ("campaign:4:match", -1500)],
        [("gateway:demo", 700), ("campaign:5:raised", -700)],
    )
    assert campaign_totals(records, 5) == {
        4: {"raised_cents": 2500, "matched_cents": 1500},
        5: {"raised_cents": 700, "matched_cents": 0},
    }
    assert campaign_totals(records, 2) == {4: {"raised_cents": 3500, "matched_cents": 0}}


def test_report_totals_are_checked_against_the_ledger():
    records = _chain(
        [("gateway:demo", 2500), ("campaign:4:raised", -2500)], [("x", 1500), ("campaign:4:match", -1500)]
    )
    check = verify_ledger(_lines(records))
    good = {
        "ledger": {"seq": 2, "hash": records[1]["hash"], "count": 2},
        "campaigns": [{"id": 4, "raised_cents": 2500, "matched_cents": 1500}],
    }
    assert verify_report(check, good) == []
    bad = json.loads(json.dumps(good))
    bad["campaigns"][0]["matched_cents"] = 1600
    assert verify_report(check, bad) == ["report: campaign 4 matched_cents is 1600, the ledger says 1500"]
    wrong_hash = json.loads(json.dumps(good))
    wrong_hash["ledger"]["hash"] = "f" * 64
    assert verify_report(check, wrong_hash) == ["report: ledger hash at seq 2 differs from the export"]


def test_period_filter_counts_only_records_inside():
    a = _record(
        1, GENESIS_HASH, [("g", 100), ("campaign:1:raised", -100)], created="2026-12-31T22:59:59.999999Z"
    )
    b = _record(
        2, a["hash"], [("g", 200), ("campaign:1:raised", -200)], created="2026-12-31T23:00:00.000000Z"
    )
    period = {"from": "2026-12-31T23:00:00.000000Z", "to": "2027-12-31T23:00:00.000000Z"}
    assert campaign_totals([a, b], 2, period) == {1: {"raised_cents": 200, "matched_cents": 0}}


# --- property: any one change, removal or insertion is caught --------------------------------

amounts = st.lists(st.integers(min_value=1, max_value=10**7), min_size=2, max_size=12)


@settings(max_examples=60, deadline=None)
@given(amounts=amounts, data=st.data())
def test_any_single_tampering_is_caught(amounts, data):
    records = _chain(
        *[[("gateway:demo", a), (f"campaign:{i % 3}:raised", -a)] for i, a in enumerate(amounts)]
    )
    assert verify_ledger(_lines(records)).ok
    i = data.draw(st.integers(min_value=0, max_value=len(records) - 1))
    how = data.draw(st.sampled_from(["amount", "account", "kind", "created_at", "remove", "insert", "swap"]))
    tampered = json.loads(json.dumps(records))
    if how == "amount":
        delta = data.draw(st.integers(min_value=1, max_value=1000))
        tampered[i]["entries"][0]["amount_cents"] += delta
        tampered[i]["entries"][1]["amount_cents"] -= delta  # still balanced
    elif how == "account":
        tampered[i]["entries"][1]["account"] = "campaign:99:raised"
    elif how == "kind":
        tampered[i]["kind"] = "refund"
    elif how == "created_at":
        tampered[i]["created_at"] = "2030-01-01T00:00:00.000000Z"
    elif how == "remove":
        if i == len(tampered) - 1:
            i = 0  # removing the last one leaves a valid prefix: the head comparison catches that
        del tampered[i]
    elif how == "insert":
        prev = tampered[i - 1]["hash"] if i else GENESIS_HASH
        forged = _record(i + 1, prev, [("gateway:demo", 5), ("campaign:0:raised", -5)], tx=10_000)
        tampered.insert(i, forged)
    else:
        j = (i + 1) % len(tampered)
        tampered[i], tampered[j] = tampered[j], tampered[i]
    assert not verify_ledger(_lines(tampered)).ok


# --- record versions (issue 12: the sealed record carries a pseudonym only) -----------------


def _v2(seq, prev, backer, name=None):
    rec = {
        "v": 2,
        "seq": seq,
        "transaction_id": seq,
        "created_at": "2027-03-01T09:30:00.000000Z",
        "kind": "pledge_succeeded",
        "entries": [
            {"account": "gateway:demo", "amount_cents": 2500},
            {"account": "campaign:3:raised", "amount_cents": -2500},
        ],
        "reverses": None,
        "backer": backer,
        "prev_hash": prev,
    }
    rec["hash"] = record_hash(rec)
    if name is not None:
        rec["backer_name"] = name
    return rec


def test_a_version_2_name_lies_beside_the_hash_so_erasing_it_keeps_the_chain():
    old = _record(1, GENESIS_HASH, [("a", 1), ("b", -1)])
    old["backer"] = {"name": "Zoë"}  # sealed before issue 12: the name is hashed, and stays valid
    old["hash"] = record_hash(old)
    named = _v2(2, old["hash"], {"pseudonym": "0123456789abcdef"}, name="Zoë")
    after = _v2(3, named["hash"], None)
    assert verify_ledger(_lines([old, named, after])).ok
    erased = {k: v for k, v in named.items() if k != "backer_name"}
    assert verify_ledger(_lines([old, erased, after])).ok  # the same hashes without the name
    # but in a version-1 record the name is hashed: changing it is caught
    assert not verify_ledger(_lines([{**old, "backer": {"name": "X"}}, named, after])).ok


def test_a_version_2_record_with_a_name_inside_the_hash_or_an_unknown_version_fails():
    inside = _v2(1, GENESIS_HASH, {"name": "Zoë"})
    assert "carries no name" in verify_ledger(_lines([inside])).failures[0]
    for version in (1, 3, "2", None, [2]):
        rec = {**_v2(1, GENESIS_HASH, None), "v": version}
        assert "unknown record version" in verify_ledger(_lines([rec])).failures[0]
    loose = _v2(1, GENESIS_HASH, None, name="Zoë")  # a name beside no backer
    assert "backer_name" in verify_ledger(_lines([loose])).failures[0]
