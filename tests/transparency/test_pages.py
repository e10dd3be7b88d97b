"""The HTML pages: public transparency and report pages, report requests, job progress,
the audit trail and the tax certificate export."""

from __future__ import annotations

from app.core import audit
from app.extensions import db
from app.transparency import services
from tests import factories as f
from tests.transparency import fund


def login(client, user):
    res = client.post("/account/login", data={"email": user.email, "password": f.PASSWORD})
    assert res.status_code in (302, 303), res.status_code


def test_public_pages_show_reports_with_charts_and_no_script(client):
    m = f.user("fund_manager")
    call = f.call(m, match_policy=fund.LIVE)
    fund.sponsor(m, "Bakkerij", 10000)
    campaign = fund.project(call, m, "Moestuin <b>", "Gent", 5000)
    fund.gift(campaign, 2500, m)
    job = services.request_call_report(call, m.id)
    db.session.commit()
    report_id = services.get_job(job.id).report_id
    index = client.get("/transparency").get_data(as_text=True)
    assert f"/transparency/reports/{report_id}" in index and "ledger.jsonl" in index
    page = client.get(f"/transparency/reports/{report_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<svg") == 3 and "<script" not in html
    assert "Moestuin &lt;b&gt;" in html and "Moestuin <b>" not in html  # escaped, also in the SVG
    assert "€\xa025,00" in html  # raised, shown the Belgian way
    assert services.get_report(report_id).sha256 in html


def test_a_fund_manager_requests_a_report_and_follows_its_progress(client):
    m = f.user("fund_manager")
    call = f.call(m)
    login(client, m)
    res = client.post(f"/transparency/calls/{call.id}/reports")
    assert res.status_code == 302 and "/transparency/jobs/" in res.headers["Location"]
    page = client.get(res.headers["Location"]).get_data(as_text=True)
    assert "100%" in page and "/transparency/reports/" in page


def test_an_auditor_sees_the_report_page_of_a_call_but_cannot_request(client):
    call = f.call()
    auditor = f.user("auditor")
    login(client, auditor)
    assert client.get(f"/transparency/calls/{call.id}/reports").status_code == 200
    assert client.post(f"/transparency/calls/{call.id}/reports").status_code == 403
    assert client.post("/transparency/years/reports", data={"year": 2027}).status_code == 403


def test_an_applicant_sees_neither_request_pages_nor_the_audit_trail(client):
    call = f.call()
    login(client, f.user("applicant"))
    assert client.get(f"/transparency/calls/{call.id}/reports").status_code == 403
    assert client.get("/transparency/audit").status_code == 403
    assert client.get("/transparency/tax-certificates").status_code == 403


def test_the_audit_trail_is_searchable_and_shows_the_chain(client):
    actor = f.user("fund_manager")
    audit.record(
        db.session, actor.id, "call.update", "call", 7, {"title": "Oud"}, {"title": "Nieuw"}, "typfout"
    )
    audit.record(db.session, actor.id, "sponsor.create", "sponsor", 3, None, {"name": "Bakkerij"})
    services.seal_audit_trail()
    login(client, f.user("auditor"))
    html = client.get("/transparency/audit?q=bakkerij").get_data(as_text=True)
    assert "sponsor.create" in html and "call.update" not in html
    html = client.get("/transparency/audit?q=typfout").get_data(as_text=True)
    assert "call.update" in html and "Nieuw" in html and "Oud" in html
    assert client.get("/transparency/audit?actor=abc").status_code == 400
    assert client.get("/transparency/audit?from=gisteren").status_code == 400


def test_the_tax_export_is_for_the_auditor_alone(client):
    login(client, f.user("fund_manager"))
    assert client.get("/transparency/tax-certificates?year=2027").status_code == 403
    client.post("/account/logout")
    login(client, f.user("auditor"))
    assert client.get("/transparency/tax-certificates").status_code == 200
    res = client.get("/transparency/tax-certificates?year=2027")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert res.get_data(as_text=True).lstrip("\ufeff").startswith("national_register_number;name;")
    assert client.get("/transparency/tax-certificates?year=20x7").status_code == 400


CERT = {
    # 85.07.30-033 → 850730033 = 97 × 8770412 + 69, so the check is 97 − 69 = 28.
    "national_register_number": "85.07.30-033.28",
    "name": "Bea Backer",
    "street": "Kerkstraat 1",
    "postal_code": "9000",
    "city": "Gent",
}


def _paid_pledge(client, campaign, cents, email, cert):
    from app.campaigns import services as campaigns

    pledge, _token = campaigns.create_pledge(
        campaign, {"amount_cents": cents, "email": email, "anonymous": True, "tax_certificate": cert}
    )
    db.session.commit()
    res = client.post(f"/demo/checkout/{pledge.checkout_session_id}", data={"action": "pay"})
    assert res.status_code == 303
    return pledge


def test_the_tax_export_sums_a_donors_gifts_of_the_year(client, app, monkeypatch):
    from cryptography.fernet import Fernet

    from app.core import clock

    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEY", Fernet.generate_key().decode())
    m = f.user("fund_manager")
    call = f.call(m)
    campaign = fund.project(call, m, "Moestuin", "Gent", 500000)
    other = {**CERT, "national_register_number": "90.01.01-001.23", "name": "Piet"}
    _paid_pledge(client, campaign, 2500, "bea@example.org", CERT)
    _paid_pledge(client, campaign, 2000, "bea@example.org", CERT)  # 25 + 20 = 45 euro: due
    _paid_pledge(client, campaign, 3000, "piet@example.org", other)  # 30 euro: not due
    login(client, f.user("auditor"))
    year = clock.local(clock.now()).year
    text = client.get(f"/transparency/tax-certificates?year={year}").get_data(as_text=True).lstrip("\ufeff")
    lines = text.strip().splitlines()
    assert lines[1] == f"85073003328;Bea Backer;Kerkstraat 1;9000;Gent;bea@example.org;{year};4500;2"
    assert len(lines) == 2  # Piet gave less than 40 euro
    assert (
        client.get(f"/transparency/tax-certificates?year={year - 1}").get_data(as_text=True).count("\n") == 1
    )


def test_the_integrity_page_reports_a_changed_journal(client):
    from sqlalchemy import text

    from tests.transparency.helpers import pledge

    tx = pledge(3, 1000)
    login(client, f.user("auditor"))
    assert "In orde" in client.get("/transparency/integrity").get_data(as_text=True)
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
    db.session.execute(text(f"UPDATE journal_entries SET account = 'x' WHERE transaction_id = {tx.id}"))
    html = client.get("/transparency/integrity").get_data(as_text=True)
    assert f"transaction {tx.id} entries differs from its seal" in html


def test_the_audit_trail_names_who_did_it(client):
    actor = f.user("fund_manager", display_name="Fien")
    audit.record(db.session, actor.id, "call.publish", "call", 1)
    login(client, f.user("auditor"))
    assert "Fien &lt;" in client.get("/transparency/audit").get_data(as_text=True)
