"""Building blocks for the payouts tests: a settled project through the real services
(selection, pledges through the payments domain, close, settlement), invoices, requests."""

from __future__ import annotations

import io
from datetime import date

from app.campaigns import services as campaigns
from app.extensions import db
from app.matching import services as matching
from app.payouts import services as payouts
from tests import factories
from tests.matching import helpers as h

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
GOOD_IBAN = "BE68 5390 0754 7034"
OTHER_IBAN = "BE71 0961 2345 6769"
BAD_IBAN = "BE68 5390 0754 7035"
FUND = {"name": "Streekfonds Meetjesland vzw", "iban": "BE43 0689 9999 9501", "bic": "GKCCBEBB"}


def settled_project(raised: int = 100_000, goal: int = 100_000, owner=None, share: float | None = None):
    """A succeeded campaign of `raised` (one backer) with a 1:1 match, settled."""
    h.commitment(10_000_000, name="Provincie")
    call = factories.call(match_policy={"ratio": 1.0, "cap_per_project_cents": 10_000_000})
    if share is not None:
        payouts.set_final_report_share(call.id, share)
    application = factories.application(
        call, owner=owner, status="in_review", target_cents=goal, municipality="Gent", budget_cents=goal * 2
    )
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, raised, "backer@example.org")
    campaigns.close_campaign(campaign, None)
    matching.settle(campaign)
    db.session.flush()
    return campaign


def owner_of(campaign):
    from app.accounts.models import User

    return db.session.get(User, campaign.owner_id)


def invoice(campaign, amount: int = 50_000, content: bytes = PDF):
    return payouts.add_invoice(
        campaign,
        {"supplier": "Tuincentrum De Linde", "invoice_date": date(2026, 5, 1), "amount_cents": amount},
        "factuur.pdf",
        content,
        owner_of(campaign),
        10 * 1024 * 1024,
    )


def request(campaign, amount: int = 40_000, invoices=None):
    invoices = invoices or [invoice(campaign)]
    return payouts.create_request(
        campaign.id,
        {
            "amount_cents": amount,
            "iban": GOOD_IBAN,
            "account_holder": "Buurtwerking vzw",
            "description": "Eerste schijf",
            "invoice_ids": [i.id for i in invoices],
        },
        owner_of(campaign),
    )


def approved(campaign, amount: int = 40_000):
    req = request(campaign, amount)
    payouts.approve_request(req.id, factories.user("fund_manager"))
    payouts.approve_request(req.id, factories.user("fund_manager"))
    return req


def upload(data: dict, content: bytes = PDF, name: str = "factuur.pdf") -> dict:
    return {**data, "file": (io.BytesIO(content), name)}
