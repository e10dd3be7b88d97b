"""Transfer pledges paid by imported statements, the reconciliation queue, and the ledger."""

from __future__ import annotations

import pytest

from app.banking import accounts, services
from app.banking.models import BankLine
from app.campaigns import services as campaigns
from app.core import structured_reference as ogm
from app.core.errors import Conflict, ValidationFailed
from app.demo.bank_files import Move, Stmt, camt053, coda
from app.extensions import db
from app.ledger import services as ledger
from app.matching import services as matching
from tests.campaigns.fixtures import assert_cache_matches_ledger, make_campaign, pledge, reload

IBAN = "BE68539007547034"


@pytest.fixture(autouse=True)
def fund_account(app, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_IBAN", IBAN)
    monkeypatch.setitem(app.config, "BANK_BIC", "GKCCBEBB")
    monkeypatch.setitem(app.config, "BANK_BENEFICIARY", "Streekfonds vzw")


def transfer_pledge(campaign, amount=2500, **values):
    p, _token = pledge(campaign, amount_cents=amount, method="bank_transfer", **values)
    return p


def ref(p) -> str:
    return ogm.for_object(ogm.PLEDGE, p.id)


def test_verify_catches_a_bank_line_booked_twice(app):
    services.import_file(coda(Stmt(IBAN, 1, 0, [Move(700, free_text="?")])), None)
    assert matching.verify_ledger()["ok"]
    ledger.record("bank_suspense", {accounts.bank(IBAN): 700, accounts.suspense(IBAN): -700})
    failed = {v["check"] for v in matching.verify_ledger()["violations"]}
    assert failed == {"bank_balance", "bank_suspense"}


def receipts(p) -> int:
    from sqlalchemy import func, select

    from app.notifications.models import OutboxMessage

    return db.session.scalar(
        select(func.count()).where(
            OutboxMessage.kind == "pledge_receipt", OutboxMessage.dedupe_key == f"pledge_receipt:{p.id}"
        )
    )


def bank_balance() -> int:
    return ledger.balance(accounts.bank(IBAN))


def check_bank_ledger() -> None:
    """The bank account in the ledger = last closing balance − lines decided 'other'."""
    from sqlalchemy import func, select

    from app.banking.models import BankStatement

    last = db.session.scalars(
        select(BankStatement).order_by(BankStatement.statement_date.desc(), BankStatement.id.desc())
    ).first()
    other = db.session.scalar(
        select(func.coalesce(func.sum(BankLine.amount_cents), 0)).where(BankLine.status == "other")
    )
    assert bank_balance() == last.closing_balance_cents - other
    assert ledger.unbalanced_transactions() == []
    assert_cache_matches_ledger()
    result = matching.verify_ledger()
    assert result["ok"], result["violations"]
    assert "bank_accounts" in [c["name"] for c in result["checks"]]


@pytest.mark.parametrize("build", [coda, camt053], ids=["coda", "camt053"])
def test_a_transfer_pledge_counts_once_however_often_its_statement_comes(app, build):
    campaign = make_campaign(goal=10_000)
    p = transfer_pledge(campaign, 2500)
    assert p.status == "pending" and p.method == "bank_transfer" and p.checkout_session_id is None
    assert campaigns.raised_cents(campaign) == 0
    data = build(Stmt(IBAN, 7, 10_000, [Move(2500, structured=ref(p), name="Bea Backer")]))

    first = services.import_file(data, None)
    assert (first.lines, first.matched, first.unmatched, first.duplicates, first.created) == (
        1,
        1,
        0,
        0,
        True,
    )
    assert reload(p).status == "succeeded" and p.held_account == accounts.bank(IBAN)
    assert campaigns.raised_cents(campaign) == 2500
    assert bank_balance() == 12_500  # opening 100 + the gift
    assert receipts(p) == 1  # the same receipt as a card payment
    check_bank_ledger()

    again = services.import_file(data, None)
    assert (again.lines, again.matched, again.duplicates, again.created) == (1, 0, 1, False)
    other_format = camt053 if build is coda else coda
    third = services.import_file(other_format(Stmt(IBAN, 7, 10_000, [Move(2500, structured=ref(p))])), None)
    assert third.duplicates == 1 and not third.created  # the same line, known whatever the format
    assert campaigns.raised_cents(campaign) == 2500 and bank_balance() == 12_500
    assert receipts(p) == 1
    check_bank_ledger()


def test_a_reference_typed_as_free_text_still_pays(app):
    campaign = make_campaign()
    p = transfer_pledge(campaign, 3000)
    services.import_file(
        coda(Stmt(IBAN, 1, 0, [Move(3000, free_text=f"gift {ogm.formatted(ref(p))}")])), None
    )
    assert reload(p).status == "succeeded"


def test_the_four_kinds_of_unmatched_lines_wait_in_the_queue_and_each_resolves(app):
    campaign = make_campaign(goal=50_000)
    paid = transfer_pledge(campaign, 2000)
    other_amount = transfer_pledge(campaign, 4000, email="two@example.org")
    sponsor = matching.create_sponsor({"name": "Bakkerij De Roos", "kind": "company"}, None)
    commitment = matching.add_commitment(sponsor, {"amount_cents": 100_000}, None)
    stmt = Stmt(
        IBAN,
        3,
        0,
        [
            Move(2000, structured=ref(paid)),  # pays it
            Move(1500, free_text="voor de moestuin", name="Jan"),  # missing reference
            Move(1000, structured=ref(paid)[:10] + "00"),  # wrong check digit: unknown
            Move(3500, structured=ref(other_amount)),  # another amount
            Move(2000, structured=ref(paid)),  # already paid
            Move(100_000, structured=ogm.for_object(ogm.COMMITMENT, commitment.id)),  # a sponsor pays
            Move(-1000, free_text="terugboeking", reversal=True),  # a debit
        ],
    )
    result = services.import_file(coda(stmt), None)
    assert (result.matched, result.unmatched) == (2, 5)
    reasons = {line.reason for line in services.lines("unmatched")}
    assert reasons == {"missing_reference", "unknown_reference", "amount_mismatch", "already_paid", "debit"}
    assert reload(commitment).received and commitment.received_on == stmt.moves[0].booked
    check_bank_ledger()

    by_reason = {line.reason: line for line in services.lines("unmatched")}
    # Another amount: the fund manager accepts what arrived (within the call's limits).
    services.assign(by_reason["amount_mismatch"].id, {"pledge_id": other_amount.id}, None)
    assert reload(other_amount).status == "succeeded" and other_amount.amount_cents == 3500
    # Money without a reference: an offline gift for the campaign it was meant for.
    services.assign(by_reason["missing_reference"].id, {"campaign_id": campaign.id}, None)
    # A double payment and the bank's reversal: outside the platform.
    services.assign(by_reason["already_paid"].id, {"other": "dubbel betaald, teruggestort"}, None)
    services.assign(by_reason["debit"].id, {"other": "terugboeking"}, None)
    # The wrong check digit was the sponsor's second instalment.
    services.assign(by_reason["unknown_reference"].id, {"commitment_id": commitment.id}, None)
    assert services.lines("unmatched") == []
    assert campaigns.raised_cents(campaign) == 2000 + 3500 + 1500
    check_bank_ledger()

    # A decision is undone by reversal, never by deleting, and the line is back in the queue.
    services.undo(by_reason["amount_mismatch"].id, None, "verkeerde bijdrage")
    assert reload(other_amount).status == "cancelled"
    assert campaigns.raised_cents(campaign) == 2000 + 1500
    services.undo(by_reason["already_paid"].id, None)
    assert len(services.lines("unmatched")) == 2
    check_bank_ledger()


def test_refusals_change_nothing(app):
    campaign = make_campaign()
    p = transfer_pledge(campaign, 2500)
    services.import_file(coda(Stmt(IBAN, 4, 0, [Move(999_999, structured=ref(p))])), None)
    (line,) = services.lines("unmatched")
    with pytest.raises(ValidationFailed):  # outside the call's pledge limits
        services.assign(line.id, {"pledge_id": p.id}, None)
    with pytest.raises(ValidationFailed):
        services.assign(line.id, {"pledge_id": p.id, "other": "x"}, None)
    assert reload(line).status == "unmatched" and reload(p).status == "pending"
    check_bank_ledger()
    with pytest.raises(Conflict):
        services.undo(line.id, None)
    services.assign(line.id, {"other": "te veel"}, None)
    with pytest.raises(Conflict):
        services.assign(line.id, {"other": "again"}, None)
    with pytest.raises(ValidationFailed) as error:
        services.import_file(coda(Stmt("BE71096123456769", 1, 0, [Move(100)])), None)
    assert error.value.code == "unknown_account"
    check_bank_ledger()


def test_an_expired_transfer_pledge_still_counts_when_its_money_arrives(app):
    from datetime import timedelta

    from app.campaigns import transfers
    from app.core import clock

    campaign = make_campaign()
    p = transfer_pledge(campaign, 2500)
    with clock.restored():
        clock.shift(timedelta(days=6))
        assert transfers.due_for_expiry() == [] and not transfers.expire(p.id)
        assert [r.id for r in transfers.due_for_reminder()] == []
        clock.shift(timedelta(days=2))
        assert [r.id for r in transfers.due_for_reminder()] == [p.id]  # past half of 14 days
        clock.shift(timedelta(days=7))
        assert transfers.due_for_expiry() == [p.id]
        assert transfers.expire(p.id)
        assert reload(p).status == "expired"
    services.import_file(camt053(Stmt(IBAN, 9, 0, [Move(2500, structured=ref(p))])), None)
    assert reload(p).status == "succeeded"
    assert campaigns.raised_cents(campaign) == 2500


def test_the_api_answers_a_transfer_pledge_with_how_to_pay_and_a_qr_code(app, client):
    campaign = make_campaign()
    r = client.post(
        f"/api/v1/campaigns/{campaign.id}/pledges",
        json={
            "amount_cents": 2550,
            "email": "bea@example.org",
            "display_name": "Bea",
            "method": "bank_transfer",
        },
    )
    assert r.status_code == 201, r.json
    body = r.json
    assert (body["status"], body["method"], body["amount_cents"]) == ("pending", "bank_transfer", 2550)
    assert (body["iban"], body["bic"], body["beneficiary"]) == (IBAN, "GKCCBEBB", "Streekfonds vzw")
    digits = ogm.for_object(ogm.PLEDGE, body["id"])
    assert body["structured_reference"] == ogm.formatted(digits) and body["checkout_url"] is None
    svg = client.get(body["qr_url"].removeprefix(app.config["PUBLIC_BASE_URL"]))
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and svg.data.startswith(b"<svg")
    png = client.get(body["qr_url"].removeprefix(app.config["PUBLIC_BASE_URL"]) + "&format=png")
    assert png.data.startswith(b"\x89PNG")
    assert client.get(f"/pledges/{body['id']}/qr?token=wrong").status_code == 404
    page = client.get(f"/pledges/{body['id']}?token={body['receipt_token']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ogm.formatted(digits) in text and "BE68 5390 0754 7034" in text


def test_without_a_fund_account_a_transfer_is_refused_clearly(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "BANK_IBAN", "")
    campaign = make_campaign()
    r = client.post(
        f"/api/v1/campaigns/{campaign.id}/pledges",
        json={
            "amount_cents": 2500,
            "email": "bea@example.org",
            "display_name": "Bea",
            "method": "bank_transfer",
        },
    )
    assert r.status_code == 422 and "method" in r.json["error"]["details"]


def test_the_pledge_form_offers_a_transfer_and_shows_how_to_pay(app, client):
    campaign = make_campaign()
    form = client.get(f"/campaigns/{campaign.id}/pledge").get_data(as_text=True)
    assert 'value="bank_transfer"' in form
    r = client.post(
        f"/campaigns/{campaign.id}/pledge",
        data={
            "method": "bank_transfer",
            "amount": "25,50",
            "email": "bea@example.org",
            "display_name": "Bea",
        },
    )
    assert r.status_code == 303 and "/pledges/" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True).replace("\xa0", " ")
    assert "Gestructureerde mededeling" in page and "€ 25,50" in page


def test_the_backer_gets_the_instructions_once_and_one_reminder_at_half_time(app):
    from datetime import timedelta

    from sqlalchemy import select

    from app.campaigns import transfers
    from app.core import clock
    from app.notifications.models import OutboxMessage

    def mails(kind):
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)).all()

    campaign = make_campaign()
    p = transfer_pledge(campaign, 2500)
    (instructions,) = mails("pledge_transfer")
    assert instructions.recipient == "backer@example.org"
    assert instructions.context["structured_reference"] == ogm.formatted(ref(p))
    assert instructions.context["iban"] == "BE68 5390 0754 7034"
    with clock.restored():
        clock.shift(timedelta(days=8))
        assert transfers.sweep_transfers() == {"expired": [], "reminded": [p.id]}
        transfers.sweep_transfers()
        assert len(mails("pledge_transfer_reminder")) == 1
        clock.shift(timedelta(days=7))
        assert transfers.sweep_transfers()["expired"] == [p.id]
    assert reload(p).status == "expired" and mails("pledge_transfer_reminder")


def test_the_campaign_page_shows_announced_transfers_apart_from_raised(app, client):
    campaign = make_campaign()
    p = transfer_pledge(campaign, 2500)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True).replace("\xa0", " ")
    assert "Aangekondigd" in page and "€ 25,00" in page
    services.import_file(coda(Stmt(IBAN, 5, 0, [Move(2500, structured=ref(p))])), None)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Aangekondigd" not in page


def test_a_transfer_is_matched_like_a_card_payment_even_where_offline_gifts_are_not(app):
    from tests.matching import helpers as h
    from tests.matching.test_live import live_campaign

    pot = h.commitment(50_000)
    campaign = live_campaign(offline_eligible=False)
    by_transfer = transfer_pledge(campaign, 4000, email="t@example.org")
    services.import_file(coda(Stmt(IBAN, 8, 0, [Move(4000, structured=ref(by_transfer))])), None)
    assert h.balances(pot) == (46_000, 0, 4_000)  # drawn like a card payment
    gift = campaigns.record_offline_gift(
        campaign, {"amount_cents": 1000, "method": "bank_transfer", "reference": "kas"}, None
    )
    assert gift.is_offline and not by_transfer.is_offline
    assert h.balances(pot) == (46_000, 0, 4_000)  # a gift staff record is not matched here
    check_bank_ledger()
