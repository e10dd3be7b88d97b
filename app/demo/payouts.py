"""Demo step for payouts: a call of last year whose two projects succeeded and were
matched; one got its first instalment paid (two approvals, a SEPA file, marked paid), the
other asked for one that waits for its second approval. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.calls import services as calls
from app.calls.models import Call
from app.campaigns import services as campaigns
from app.core import clock
from app.demo.campaigns import pay
from app.extensions import db
from app.matching import services as matching
from app.payouts import services as payouts

CALL_TITLE = "Oproep 2025 (projecten lopen)"
# A made-up account of the fund for the demo's SEPA file (a valid Belgian IBAN).
DEMO_FUND = {"name": "Streekfonds Meetjesland (demo)", "iban": "BE71096123456769", "bic": ""}
# A minimal PDF: the demo's invoices.
PDF = b"%PDF-1.4\n% demo invoice\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# title, municipality, organisation, target, pledges (euro), instalment (cents), paid?
PROJECTS = [
    ("Speelbos Kaprijke", "Kaprijke", "Speelbos vzw", 150_000, [800, 400, 200, 100], 120_000, True),
    ("Buurtmoestuin Eeklo", "Eeklo", "Moestuin Eeklo vzw", 100_000, [500, 300, 250], 80_000, False),
]


def load(ctx: dict) -> None:
    if db.session.scalar(select(Call).where(Call.title == CALL_TITLE)) is not None:
        return
    users = ctx["users"]
    manager, second, owner = users["fund_manager"], users["admin"], users["applicant"]
    now = clock.now()
    call = calls.create_call(
        {
            "title": CALL_TITLE,
            "description": "De projecten van vorig jaar: opgehaald, verdubbeld en nu in uitvoering.",
            "theme": "samenleven",
            "municipalities": ["Kaprijke", "Eeklo"],
            "opens_at": now - timedelta(days=300),
            "closes_at": now + timedelta(hours=1),
            "criteria": [{"key": "impact", "label": "Maatschappelijke impact", "weight": 1, "max_score": 10}],
        },
        manager,
    )
    calls.publish_call(call, manager)
    selected = []
    for title, muni, org, target, _gifts, _cents, _paid in PROJECTS:
        application = calls.create_application(
            call,
            {
                "title": title,
                "summary": f"{title}: samen met de buurt.",
                "description": f"## Wat we doen\n\n{title} in {muni}.",
                "municipality": muni,
                "applicant_type": "association",
                "organisation": org,
                "enterprise_number": "0123.456.749",
                "budget_cents": target * 2,
                "target_cents": target,
            },
            owner,
        )
        calls.submit_application(application, owner)
        calls.screen_application(application, True, "", manager)
        calls.set_application_status(application, "in_review", manager.id)
        selected.append(application)
    matching.reserve_for_selection(call, selected)
    for application in selected:
        calls.set_application_status(application, "selected", manager.id)
    calls.update_call(call, {"closes_at": now - timedelta(minutes=1)}, manager)
    calls.close_call(call)
    for application, (title, _muni, org, _target, gifts, cents, paid) in zip(selected, PROJECTS, strict=True):
        campaign = campaigns.create_campaign(application, manager.id)
        campaigns.open_campaign(campaign, manager.id, starts_at=now - timedelta(days=10))
        pay(campaign, gifts)
        campaigns.close_campaign(campaign, manager.id)
        matching.settle(campaign)
        invoice = payouts.add_invoice(
            campaign,
            {
                "supplier": "Bouwmaterialen Vermeersch",
                "invoice_date": date.today() - timedelta(days=20),
                "amount_cents": cents,
                "description": f"Materiaal voor {title}",
            },
            "factuur-demo.pdf",
            PDF,
            owner,
            10 * 1024 * 1024,
        )
        request = payouts.create_request(
            campaign.id,
            {
                "amount_cents": cents,
                "iban": "BE68539007547034",
                "account_holder": org,
                "description": f"Eerste schijf {title}",
                "invoice_ids": [invoice.id],
            },
            owner,
        )
        payouts.approve_request(request.id, manager)
        if paid:
            payouts.approve_request(request.id, second)
            batch = payouts.create_batch(manager, [request.id], debtor=DEMO_FUND)
            payouts.mark_paid(batch.id, manager)
            payouts.set_project_end(campaign.id, date.today() + timedelta(days=90), owner)
    db.session.flush()
