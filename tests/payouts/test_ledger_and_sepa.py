"""The SEPA file against the pain.001 schema, and the ledger checks of payouts."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
import sepaxml
import xmlschema

from app.core import clock
from app.extensions import db
from app.ledger import services as ledger
from app.matching.verify import verify_ledger
from app.payouts import services as payouts
from app.payouts import tasks as payout_tasks
from tests import factories
from tests.matching import helpers as mh
from tests.payouts import helpers as h

XSD_DIR = os.path.join(os.path.dirname(sepaxml.__file__), "schemas")


@pytest.mark.parametrize("version", ["pain.001.001.09", "pain.001.001.03"])
def test_the_batch_file_validates_against_the_pain001_schema(app, version):
    app.config["SEPA_PAIN_VERSION"] = version
    try:
        a, b = h.settled_project(raised=100_000), h.settled_project(raised=60_000, goal=60_000)
        reqs = [h.approved(a, 70_000), h.approved(b, 30_000)]
        batch = payouts.create_batch(factories.user("fund_manager"))
    finally:
        app.config["SEPA_PAIN_VERSION"] = "pain.001.001.09"
    # The XSD is the one the sepaxml package ships (ISO 20022); we do not copy it.
    schema = xmlschema.XMLSchema(os.path.join(XSD_DIR, f"{version}.xsd"))
    schema.validate(batch.xml.decode())
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    root = ET.fromstring(batch.xml)  # noqa: S314
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", ns).text == "2"
    assert root.find("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", ns).text == "1000.00"
    e2e = [n.text for n in root.iterfind(".//p:EndToEndId", ns)]
    assert e2e == [r.end_to_end_id for r in reqs] and len(set(e2e)) == 2
    assert {n.text for n in root.iterfind(".//p:CdtrAcct/p:Id/p:IBAN", ns)} == {h.GOOD_IBAN.replace(" ", "")}
    assert root.find(".//p:DbtrAcct/p:Id/p:IBAN", ns).text == h.FUND["iban"].replace(" ", "")
    assert batch.message_id


def test_a_tampered_file_fails_the_schema():
    campaign = h.settled_project()
    h.approved(campaign, 10_000)
    batch = payouts.create_batch(factories.user("fund_manager"))
    schema = xmlschema.XMLSchema(os.path.join(XSD_DIR, f"{batch.pain_version}.xsd"))
    broken = batch.xml.decode().replace("<CtrlSum>100.00</CtrlSum>", "<CtrlSum>honderd</CtrlSum>", 1)
    assert broken != batch.xml.decode()
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(broken)


def test_verify_flags_a_project_paid_more_than_it_raised_after_a_refund():
    campaign = h.settled_project(raised=100_000)
    req = h.approved(campaign, 150_000)
    batch = payouts.create_batch(factories.user("fund_manager"))
    payouts.mark_paid(batch.id, factories.user("fund_manager"))
    assert verify_ledger()["ok"]
    from app.campaigns.models import Pledge

    pledge = db.session.scalar(db.select(Pledge).where(Pledge.campaign_id == campaign.id))
    mh.refund(pledge, 100_000)  # raised 0, and the match follows it back to 0
    fig = payouts.figures(db.session.get(type(campaign), campaign.id))
    assert fig.overpaid_cents == 150_000 and fig.payable_cents < 0
    result = verify_ledger()
    assert [v["check"] for v in result["violations"]] == ["paid_within_raised_and_matched"]
    assert result["violations"][0]["campaign_id"] == campaign.id
    # A bank return reverses the posting, and the books agree again.
    payouts.mark_failed(req.id, factories.user("fund_manager"), "Teruggestort")
    assert ledger.balance(payouts.paid_out_account(campaign.id)) == 0
    assert verify_ledger()["ok"]


def test_verify_flags_a_paid_out_posting_without_a_paid_request():
    campaign = h.settled_project(raised=100_000)
    ledger.post("payout_paid", {payouts.paid_out_account(campaign.id): 1_000, "bank:payouts": -1_000})
    assert [v["check"] for v in verify_ledger()["violations"]] == ["paid_out_equals_requests"]


def test_reminders_go_out_once_a_week_before_and_after_the_end(app):
    from app.notifications.models import OutboxMessage

    campaign = h.settled_project()
    owner = h.owner_of(campaign)
    today = clock.now().astimezone(clock.BRUSSELS).date()
    from datetime import timedelta

    payouts.set_project_end(campaign.id, today + timedelta(days=10), owner)
    assert payouts.send_reminders(today) == []
    assert payouts.send_reminders(today + timedelta(days=3)) == [(campaign.id, "before")]
    assert payouts.send_reminders(today + timedelta(days=4)) == []
    assert payouts.send_reminders(today + timedelta(days=16)) == []
    assert payouts.send_reminders(today + timedelta(days=17)) == [(campaign.id, "after")]
    assert payouts.send_reminders(today + timedelta(days=30)) == []
    mails = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.kind == "final_report_reminder")
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.recipient for m in mails] == [owner.email, owner.email]
    assert [m.context["which"] for m in mails] == ["before", "after"]
    # A submitted report gets no more reminders, even for a new end date.
    payouts.set_project_end(campaign.id, today + timedelta(days=40), owner)
    payouts.submit_report(
        campaign.id, {"summary": "Klaar.", "spending": [{"description": "X", "amount_cents": 1}]}, owner
    )
    assert payouts.send_reminders(today + timedelta(days=50)) == []


def test_the_beat_task_sends_the_reminder_once_however_often_it_runs(app):
    from datetime import timedelta

    from app.notifications.models import OutboxMessage

    campaign = h.settled_project()
    owner = h.owner_of(campaign)
    today = clock.now().astimezone(clock.BRUSSELS).date()
    payouts.set_project_end(campaign.id, today + timedelta(days=7), owner)
    assert payout_tasks.send_final_report_reminders.apply().result == 1
    assert payout_tasks.send_final_report_reminders.apply().result == 0  # a doubled beat run
    mails = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind == "final_report_reminder")
    ).all()
    assert [(m.recipient, m.context["which"]) for m in mails] == [(owner.email, "before")]


def test_a_batch_refuses_to_pay_a_project_above_what_it_still_has():
    from app.campaigns.models import Pledge
    from app.core.errors import Conflict

    campaign = h.settled_project(raised=100_000)
    req = h.approved(campaign, 150_000)
    pledge = db.session.scalar(db.select(Pledge).where(Pledge.campaign_id == campaign.id))
    mh.refund(pledge, 50_000)  # raised 500 + matched 500: 1.000 euro left, 1.500 approved
    with pytest.raises(Conflict) as err:
        payouts.create_batch(factories.user("fund_manager"))
    assert err.value.code == "above_funds" and err.value.details["campaign_id"] == campaign.id
    assert db.session.get(type(req), req.id).status == "approved"


def test_the_end_to_end_id_finds_its_request_for_a_statement_import():
    campaign = h.settled_project()
    req = h.approved(campaign, 10_000)
    payouts.create_batch(factories.user("fund_manager"))
    assert len(req.end_to_end_id) <= 35
    assert payouts.request_for_end_to_end_id(req.end_to_end_id) is req
    assert payouts.request_for_end_to_end_id("SF-unknown") is None


def test_the_public_ledger_shows_the_payout_and_never_the_iban():
    from app.transparency import public_ledger
    from app.transparency import services as transparency

    campaign = h.settled_project()
    req = h.approved(campaign, 10_000)
    manager = factories.user("fund_manager")
    payouts.mark_paid(payouts.create_batch(manager).id, manager)
    transparency.seal_ledger()
    export = "".join(public_ledger.iter_jsonl())
    assert f'"account":"campaign:{campaign.id}:paid_out"' in export and '"kind":"payout_paid"' in export
    assert req.iban not in export and req.end_to_end_id not in export


def test_the_owner_hears_of_each_decision_once():
    from app.notifications.models import OutboxMessage

    campaign = h.settled_project()
    owner = h.owner_of(campaign)
    req = h.request(campaign, 10_000)
    m1, m2 = factories.user("fund_manager"), factories.user("fund_manager")
    payouts.request_changes(req.id, m1, "Factuur ontbreekt")
    payouts.submit_request(req.id, owner)
    payouts.approve_request(req.id, m1)
    payouts.approve_request(req.id, m2)
    batch = payouts.create_batch(m1)
    payouts.mark_paid(batch.id, m1)
    payouts.mark_paid(batch.id, m2)  # again: nothing new
    mails = db.session.scalars(
        db.select(OutboxMessage)
        .where(OutboxMessage.kind == "payout_request_changed")
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.context["status"] for m in mails] == ["changes_requested", "approved", "paid"]
    assert {m.recipient for m in mails} == {owner.email}
    assert mails[0].context["reason"] == "Factuur ontbreekt"
    assert req.iban not in str([m.context for m in mails])
