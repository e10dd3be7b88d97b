"""The hash chain and the checks anyone can run on a downloaded ledger and report.

Pure functions on plain dicts: no database, no Flask. `docs/transparency.md` describes the
same algorithm in words, so that it can be re-implemented without this code.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

GENESIS_HASH = "0" * 64
RECORD_KEYS = ("seq", "transaction_id", "created_at", "kind", "entries", "reverses", "prev_hash")
# Record versions. 1 (no `v` field): everything but `hash` is hashed, and `backer` could hold
# a name. 2 (`"v": 2`, sealed since issue 12): `backer` holds a pseudonym only, and the name
# of a backer who chose to be shown travels beside the chain in `backer_name`, outside the
# hash, so that erasing the person removes it without changing any hash.
CURRENT_VERSION = 2
UNHASHED_KEYS = {1: ("hash",), 2: ("hash", "backer_name")}
_PSEUDONYM = re.compile(r"^[0-9a-f]{16}$")
_CAMPAIGN_ACCOUNT = re.compile(r"^campaign:(\d+):(raised|match)$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def canonical_json(value) -> str:
    """Keys sorted, no spaces, non-ASCII kept as UTF-8 (the bytes that are hashed)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def version_of(record: dict) -> int:
    """The record's format version: its `v`, or 1 for records sealed before versions existed."""
    version = record.get("v", 1)
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def hashed_part(record: dict) -> dict:
    """The fields the hash covers: all but `hash` (and, from version 2, `backer_name`)."""
    skip = UNHASHED_KEYS.get(version_of(record), ("hash",))  # an unknown version fails its shape
    return {k: v for k, v in record.items() if k not in skip}


def record_hash(record: dict) -> str:
    """SHA-256 hex of `prev_hash` followed by the record's hashed part as canonical JSON."""
    data = (record["prev_hash"] + canonical_json(hashed_part(record))).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def chain_hash(prev_hash: str, body: dict) -> str:
    """The hash of a record whose `prev_hash` is given and whose other fields are `body`."""
    return record_hash({**body, "prev_hash": prev_hash})


@dataclass
class LedgerCheck:
    """What `verify_ledger` found: failures (one line each) and the totals it recomputed."""

    failures: list[str] = field(default_factory=list)
    count: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    # account -> balance after each seq is not kept; only per-record data the report check needs
    records: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def parse_jsonl(lines: Iterable[str]) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record or None, error or None) for every non-empty line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield number, None, f"line {number}: not JSON ({exc.msg})"
            continue
        if not isinstance(value, dict):
            yield number, None, f"line {number}: not a JSON object"
            continue
        yield number, value, None


def _shape_error(rec: dict) -> str | None:
    missing = [k for k in (*RECORD_KEYS, "hash") if k not in rec]
    if missing:
        return f"missing {', '.join(missing)}"
    version = version_of(rec)
    if version not in UNHASHED_KEYS or ("v" in rec and version == 1):  # `"v": 1` is never written
        return f"unknown record version {rec.get('v')!r}"
    if version >= 2:
        backer = rec.get("backer")
        if backer is not None and (
            not isinstance(backer, dict)
            or set(backer) != {"pseudonym"}
            or not _PSEUDONYM.match(str(backer["pseudonym"]))
        ):
            return "backer is not {pseudonym: 16 hex digits}: a sealed record carries no name"
        name = rec.get("backer_name")
        if name is not None and (not isinstance(name, str) or backer is None):
            return "backer_name is not a string beside a backer's pseudonym"
    if not isinstance(rec["seq"], int) or isinstance(rec["seq"], bool):
        return "seq is not an integer"
    entries = rec["entries"]
    if not isinstance(entries, list) or len(entries) < 2:
        return "entries is not a list of at least two lines"
    for e in entries:
        if not isinstance(e, dict) or not isinstance(e.get("account"), str):
            return "an entry has no account"
        amount = e.get("amount_cents")
        if not isinstance(amount, int) or isinstance(amount, bool):
            return "an entry amount is not integer cents"
    if not isinstance(rec["hash"], str) or not _HEX64.match(rec["hash"]):
        return "hash is not 64 lower-case hex digits"
    return None


def verify_ledger(lines: Iterable[str], keep_records: bool = True) -> LedgerCheck:
    """Check an export: shape, seq 1, 2, ... without gaps, every prev_hash equal to the hash
    before it (64 zeros first), every hash recomputed, every transaction summing to zero."""
    check = LedgerCheck()
    expected_seq, prev = 1, GENESIS_HASH
    for number, rec, error in parse_jsonl(lines):
        if error:
            check.failures.append(error)
            continue
        where = f"line {number} (seq {rec.get('seq')})"
        shape = _shape_error(rec)
        if shape:
            check.failures.append(f"{where}: {shape}")
            continue
        if rec["seq"] != expected_seq:
            check.failures.append(f"{where}: expected seq {expected_seq}, a record is missing or inserted")
        if rec["prev_hash"] != prev:
            check.failures.append(f"{where}: prev_hash does not match the hash of the record before")
        if record_hash(rec) != rec["hash"]:
            check.failures.append(f"{where}: hash does not match the record (changed)")
        total = sum(e["amount_cents"] for e in rec["entries"])
        if total != 0:
            check.failures.append(f"{where}: entries sum to {total}, not 0")
        expected_seq, prev = rec["seq"] + 1, rec["hash"]
        check.count += 1
        check.head_seq, check.head_hash = rec["seq"], rec["hash"]
        if keep_records:
            check.records.append(rec)
    return check


def campaign_totals(records: Iterable[dict], upto_seq: int, period: dict | None = None) -> dict[int, dict]:
    """{campaign id: {raised_cents, matched_cents}} from the records with seq ≤ upto_seq (and,
    with a period {"from", "to"} of ISO UTC instants, created_at in [from, to)).

    raised = −(sum of `campaign:<id>:raised`), matched = −(sum of `campaign:<id>:match`):
    both accounts are credited (negative) when money comes in for the campaign.
    """
    totals: dict[int, dict] = {}
    for rec in records:
        if rec["seq"] > upto_seq:
            continue
        if period and not (period["from"] <= rec["created_at"] < period["to"]):
            continue
        for e in rec["entries"]:
            m = _CAMPAIGN_ACCOUNT.match(e["account"])
            if not m:
                continue
            row = totals.setdefault(int(m.group(1)), {"raised_cents": 0, "matched_cents": 0})
            key = "raised_cents" if m.group(2) == "raised" else "matched_cents"
            row[key] -= e["amount_cents"]
    return totals


def verify_report(check: LedgerCheck, report: dict) -> list[str]:
    """Check a report against a verified ledger: the ledger it names (seq, hash, count) is in
    the export, and each campaign's raised and matched equal the recomputed totals."""
    failures: list[str] = []
    ledger = report.get("ledger")
    if not isinstance(ledger, dict) or not {"seq", "hash", "count"} <= set(ledger):
        return ["report: no ledger {seq, hash, count}"]
    seq = ledger["seq"]
    by_seq = {r["seq"]: r for r in check.records}
    if seq == 0:
        if ledger["hash"] != GENESIS_HASH:
            failures.append("report: ledger seq 0 must carry the genesis hash")
    elif seq not in by_seq:
        failures.append(f"report: ledger seq {seq} is not in the export (export ends at {check.head_seq})")
    elif by_seq[seq]["hash"] != ledger["hash"]:
        failures.append(f"report: ledger hash at seq {seq} differs from the export")
    if ledger["count"] != seq:
        failures.append(f"report: ledger count {ledger['count']} is not seq {seq}")
    totals = campaign_totals(check.records, seq, report.get("period"))
    campaigns = report.get("campaigns")
    if not isinstance(campaigns, list):
        return [*failures, "report: no campaigns list"]
    for c in campaigns:
        cid = c.get("id")
        want = totals.get(cid, {"raised_cents": 0, "matched_cents": 0})
        for key in ("raised_cents", "matched_cents"):
            if c.get(key) != want[key]:
                failures.append(f"report: campaign {cid} {key} is {c.get(key)}, the ledger says {want[key]}")
    return failures
