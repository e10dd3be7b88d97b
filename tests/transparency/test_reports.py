"""Reports of calls and of the fund's year: figures against hand-computed numbers and against
the ledger export, versions and digests, the PDF and CSV, the jobs."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from pypdf import PdfReader

from app.core.money import format_cents
from app.extensions import db
from app.transparency import render, services
from app.transparency import tasks as transparency_tasks
from app.transparency.chain import canonical_json, hashed_part, verify_ledger, verify_report
from app.transparency.models import ReportJob
from tests import factories as f
from tests.transparency import fund


@pytest.fixture
def two_calls():
    """Two live-matching calls. Sponsor 'Bakkerij' commits 50,00 for call 1 only, 'Streek'
    (not public) 1.000,00 for anything; draws take the most specific commitment first.

    Live matching draws 1:1 up to the project's maximum match (ratio × target: 50,00 for
    Moestuin, so its 35,00 is matched in full).
    Call 1: Moestuin (Gent) gifts 25,00 + 10,00; Fietsbib (Melle) gift 40,00.
      Moestuin draws 25,00 + 10,00 from Bakkerij (50,00 → 15,00 left).
      Fietsbib draws 15,00 from Bakkerij (now empty) and 25,00 from Streek.
      → raised 35,00 / 40,00, matched 35,00 / 40,00.
    Call 2: Repair (Gent) gift 7,00 → matched 7,00 from Streek.
    """
    m = f.user("fund_manager")
    call1 = f.call(m, match_policy=fund.LIVE, municipalities=["Gent", "Melle"], title="Oproep een")
    call2 = f.call(m, match_policy=fund.LIVE, municipalities=["Gent"], title="Oproep twee")
    fund.sponsor(m, "Bakkerij", 5000, call_id=call1.id)
    fund.sponsor(m, "Streek", 100000, public=False)
    moestuin = fund.project(call1, m, "Moestuin", "Gent", 5000)
    fietsbib = fund.project(call1, m, "Fietsbib", "Melle", 80000)
    repair = fund.project(call2, m, "Repair", "Gent", 5000)
    fund.gift(moestuin, 2500, m, email="jan@example.org", name="Jan")
    fund.gift(moestuin, 1000, m, email="an@example.org", anonymous=True)
    fund.gift(fietsbib, 4000, m)
    fund.gift(repair, 700, m, email="jan@example.org")
    # a draft application and an ineligible one: drafts are private, the other counts
    f.application(call1, status="draft")
    f.application(call1, status="ineligible", municipality="Melle")
    db.session.flush()
    return {
        "manager": m,
        "call1": call1,
        "call2": call2,
        "moestuin": moestuin,
        "fietsbib": fietsbib,
        "repair": repair,
    }


def generate(call=None, year=None, actor=None):
    job = (
        services.request_call_report(call, None)
        if call is not None
        else services.request_fund_report(year, None)
    )
    db.session.commit()
    job = services.get_job(job.id)
    assert job.status == "done", job.error
    return services.get_report(job.report_id)


def by_id(doc):
    return {c["id"]: c for c in doc["campaigns"]}


def test_call_report_figures_are_the_hand_computed_ones(two_calls):
    rep = generate(two_calls["call1"])
    doc = services.report_document(rep)
    rows = by_id(doc)
    m, fb = two_calls["moestuin"], two_calls["fietsbib"]
    assert set(rows) == {m.id, fb.id}
    assert (rows[m.id]["raised_cents"], rows[m.id]["matched_cents"]) == (3500, 3500)
    assert (rows[fb.id]["raised_cents"], rows[fb.id]["matched_cents"]) == (4000, 4000)
    assert rows[m.id]["backers"] == 2 and rows[fb.id]["backers"] == 1
    assert rows[m.id]["goal_cents"] == 5000 and rows[m.id]["title"] == "Moestuin"
    assert rows[fb.id]["matched_per_sponsor"] == [
        {"sponsor": "Bakkerij", "matched_cents": 1500},
        {"sponsor": "anonymous", "matched_cents": 2500},
    ]
    assert doc["summary"]["raised_cents"] == 7500 and doc["summary"]["matched_cents"] == 7500
    assert doc["by_municipality"] == [
        {"municipality": "Gent", "raised_cents": 3500, "matched_cents": 3500, "campaigns": 1},
        {"municipality": "Melle", "raised_cents": 4000, "matched_cents": 4000, "campaigns": 1},
    ]
    apps = doc["applications"]
    assert apps["total"] == 3  # two selected, one ineligible; the draft is not counted
    assert apps["by_status"] == {"ineligible": 1, "selected": 2}
    assert apps["screening"] == {"screened": 3, "eligible": 2, "ineligible": 1}
    sponsors = {s["sponsor"]: s for s in doc["sponsors"]}
    assert sponsors["Bakkerij"]["matched_cents"] == 5000 and sponsors["Bakkerij"]["available_cents"] == 0
    # Streek gave 25,00 to this call (and 7,00 to call 2, not counted here): 1.000,00 − 32,00 left
    assert sponsors["anonymous"]["matched_cents"] == 2500
    assert sponsors["anonymous"]["available_cents"] == 100000 - 2500 - 700
    assert "Streek" not in json.dumps(doc)


def test_report_totals_equal_the_ledger_export_recomputed(two_calls):
    rep = generate(two_calls["call1"])
    doc = json.loads(rep.body)
    check = verify_ledger(services.iter_jsonl())
    assert check.ok, check.failures
    assert doc["ledger"] == {
        "seq": check.head_seq,
        "hash": check.head_hash,
        "count": check.count,
        "fund": "streekfonds",  # whose chain: each fund has its own
    }
    assert verify_report(check, doc) == []
    # tampering with a figure of the report is caught
    doc["campaigns"][0]["raised_cents"] += 1
    assert len(verify_report(check, doc)) == 1


def test_the_export_names_no_email_and_shows_backers_as_chosen(two_calls):
    services.seal_ledger()
    text = "".join(services.iter_jsonl())
    assert "@" not in text and "example.org" not in text
    records = [json.loads(line) for line in text.splitlines() if json.loads(line)["kind"] == "pledge"]
    # Jan chose to be shown by name: beside the chain, never inside the hashed record
    [named] = [r for r in records if r.get("backer_name") == "Jan"]
    assert "Jan" not in canonical_json(hashed_part(named))
    assert all(r["v"] == 2 and set(r["backer"]) == {"pseudonym"} for r in records)
    pseudonyms = [r["backer"]["pseudonym"] for r in records]
    # an anonymous gift by e-mail, an offline gift without e-mail, Jan's named gift and his
    # second, anonymous one: four different pseudonyms, so the name beside the first does
    # not tie the second to Jan
    assert len(pseudonyms) == 4 and len(set(pseudonyms)) == 4


def test_versions_are_immutable_numbered_and_digested(two_calls):
    first = generate(two_calls["call1"])
    fund.gift(two_calls["moestuin"], 500, two_calls["manager"])
    second = generate(two_calls["call1"])
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 == hashlib.sha256(first.body).hexdigest()
    assert by_id(json.loads(first.body))[two_calls["moestuin"].id]["raised_cents"] == 3500
    assert by_id(json.loads(second.body))[two_calls["moestuin"].id]["raised_cents"] == 4000
    assert json.loads(second.body)["ledger"]["seq"] > json.loads(first.body)["ledger"]["seq"]


def test_fund_report_of_the_year_covers_every_call(two_calls):
    from app.core import clock

    rep = generate(year=clock.local(clock.now()).year)
    doc = services.report_document(rep)
    assert {c["title"] for c in doc["calls"]} == {"Oproep een", "Oproep twee"}
    rows = by_id(doc)
    assert rows[two_calls["repair"].id]["raised_cents"] == 700
    assert doc["summary"]["raised_cents"] == 8200 and doc["summary"]["matched_cents"] == 8200
    check = verify_ledger(services.iter_jsonl())
    assert verify_report(check, doc) == []


def test_a_fund_report_of_another_year_counts_nothing(two_calls):
    from app.core import clock

    doc = services.report_document(generate(year=clock.local(clock.now()).year - 1))
    assert doc["summary"]["raised_cents"] == 0
    check = verify_ledger(services.iter_jsonl())
    assert verify_report(check, doc) == []


def test_the_pdf_opens_and_holds_the_same_figures(two_calls):
    doc = services.report_document(generate(two_calls["call1"]))
    reader = PdfReader(io.BytesIO(render.to_pdf(doc)))
    text = " ".join(page.extract_text() for page in reader.pages)
    for c in doc["campaigns"]:
        assert c["title"] in text
        assert format_cents(c["raised_cents"]) in text
    assert format_cents(doc["summary"]["raised_cents"]) in text
    assert doc["ledger"]["hash"] in text.replace("\n", "")


def test_the_csv_holds_the_json_figures(two_calls):
    doc = services.report_document(generate(two_calls["call1"]))
    rows = list(csv.DictReader(io.StringIO(render.to_csv(doc))))
    assert {(int(r["id"]), int(r["raised_cents"]), int(r["matched_cents"])) for r in rows} == {
        (c["id"], c["raised_cents"], c["matched_cents"]) for c in doc["campaigns"]
    }


def test_csv_cells_never_run_as_formulas():
    doc = {"campaigns": [{"id": 1, "title": '=HYPERLINK("x")', "raised_cents": -5}]}
    row = list(csv.reader(io.StringIO(render.to_csv(doc))))[1]
    assert row[1].startswith("'=")
    assert row[5] == "-5"  # a negative number stays a number


def test_a_job_redelivered_after_it_finished_does_nothing(two_calls):
    job = services.request_call_report(two_calls["call1"], None)
    db.session.commit()
    report_id = services.get_job(job.id).report_id
    assert transparency_tasks.generate_report(job.id) == report_id
    assert db.session.query(ReportJob).count() == 1
    assert len(db.session.scalars(services.list_reports("call:%d" % two_calls["call1"].id)).all()) == 1


def test_a_draft_call_has_no_report():
    from app.core.errors import Conflict

    call = f.call(publish=False)
    with pytest.raises(Conflict):
        services.request_call_report(call, None)


def test_a_call_report_reads_only_its_campaigns_transactions_with_the_same_totals(two_calls):
    """A call's report sums the transactions of its own campaigns only (it must not cost
    what the fund's ten years hold), with each transaction's every line, so the match and
    its split over sponsors come out as over the whole ledger."""
    from app.transparency import report_data

    services.seal_ledger()
    db.session.commit()
    seq = services.ledger_head()["seq"]
    every = report_data.ledger_totals(seq)
    moestuin, fietsbib, repair = (two_calls[k].id for k in ("moestuin", "fietsbib", "repair"))
    theirs = report_data.ledger_totals(seq, campaign_ids=[moestuin, fietsbib])
    assert repair in every and repair not in theirs
    assert theirs[moestuin] == every[moestuin] and theirs[fietsbib] == every[fietsbib]
    assert len(theirs[fietsbib]["matched_by_sponsor"]) == 2  # Bakkerij and Streek
