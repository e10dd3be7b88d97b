"""The transparency API (a contract): report jobs, versions, the ledger pages and head."""

from __future__ import annotations

import hashlib
import json

from app.extensions import db
from app.transparency import services
from app.transparency.chain import record_hash, verify_ledger
from tests import factories as f
from tests.transparency.helpers import pledge


def test_post_call_report_is_202_with_a_job_that_ends_done(client):
    manager = f.user("fund_manager")
    call = f.call(manager)
    headers = f.token_headers(manager)
    res = client.post(f"/api/v1/calls/{call.id}/reports", headers=headers)
    assert res.status_code == 202
    job_id = res.get_json()["job_id"]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
    assert job["status"] == "done" and job["progress"] == 100
    report = client.get(f"/api/v1/transparency/reports/{job['report_id']}")
    assert report.status_code == 200 and report.mimetype == "application/json"
    listing = client.get("/api/v1/transparency/reports").get_json()["items"]
    version = next(v for v in listing if v["id"] == job["report_id"])
    assert version["sha256"] == hashlib.sha256(report.data).hexdigest()
    assert (version["scope"], version["version"]) == ("call", 1)
    assert json.loads(report.data)["call"]["id"] == call.id


def test_report_requests_need_a_fund_manager(client):
    call = f.call()
    assert client.post(f"/api/v1/calls/{call.id}/reports").status_code == 401
    applicant = f.token_headers(f.user("applicant"))
    assert client.post(f"/api/v1/calls/{call.id}/reports", headers=applicant).status_code == 403
    auditor = f.token_headers(f.user("auditor"))
    assert client.post(f"/api/v1/calls/{call.id}/reports", headers=auditor).status_code == 403
    manager = f.token_headers(f.user("fund_manager"))
    assert client.post("/api/v1/calls/999999/reports", headers=manager).status_code == 404


def test_fund_report_request_checks_the_year(client):
    manager = f.token_headers(f.user("fund_manager"))
    bad = client.post("/api/v1/transparency/fund-reports", json={"year": "twee"}, headers=manager)
    assert bad.status_code == 422 and "year" in bad.get_json()["error"]["details"]
    assert (
        client.post("/api/v1/transparency/fund-reports", json={"year": 1999}, headers=manager).status_code
        == 422
    )
    ok = client.post("/api/v1/transparency/fund-reports", json={"year": 2027}, headers=manager)
    assert ok.status_code == 202


def test_an_unknown_job_or_report_is_404(client):
    headers = f.token_headers(f.user("auditor"))
    assert client.get("/api/v1/jobs/424242", headers=headers).status_code == 404
    assert client.get("/api/v1/transparency/reports/424242").status_code == 404
    assert client.get("/api/v1/transparency/reports/424242.pdf").status_code == 404


def test_ledger_pages_and_head(client):
    for cents in (100, 200, 300):
        pledge(9, cents)
    head = client.get("/api/v1/transparency/ledger/head").get_json()  # seals first
    assert head["seq"] == 3 and head["count"] == 3
    first = client.get("/api/v1/transparency/ledger?limit=2").get_json()
    assert [r["seq"] for r in first["items"]] == [1, 2] and first["next"] == "2"
    rest = client.get(f"/api/v1/transparency/ledger?after={first['next']}&limit=2").get_json()
    assert [r["seq"] for r in rest["items"]] == [3] and rest["next"] is None
    last = rest["items"][0]
    assert last["hash"] == head["hash"] == record_hash(last)
    assert client.get("/api/v1/transparency/ledger?limit=0").status_code == 422
    assert client.get("/api/v1/transparency/ledger?after=-1").status_code == 422


def test_the_jsonl_download_is_the_whole_verified_export(client):
    for cents in (100, 200):
        pledge(9, cents)
    res = client.get("/transparency/ledger.jsonl")
    assert res.status_code == 200 and "attachment" in res.headers["Content-Disposition"]
    lines = res.get_data(as_text=True).splitlines(keepends=True)
    check = verify_ledger(lines)
    assert check.ok and check.count == 2
    assert services.ledger_head()["hash"] == check.head_hash
    db.session.rollback()


def test_csv_and_pdf_of_a_report(client):
    manager = f.user("fund_manager")
    call = f.call(manager)
    job = services.request_call_report(call, manager.id)
    db.session.commit()
    report_id = services.get_job(job.id).report_id
    pdf = client.get(f"/api/v1/transparency/reports/{report_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    csv_ = client.get(f"/api/v1/transparency/reports/{report_id}.csv")
    assert csv_.status_code == 200 and csv_.get_data(as_text=True).startswith("id,title,")
    assert client.get(f"/api/v1/transparency/reports/{report_id}.csv?table=secrets").status_code == 422
    assert client.get(f"/transparency/reports/{report_id}.csv?table=secrets").status_code == 404
