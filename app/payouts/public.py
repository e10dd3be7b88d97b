"""What the public sees of a project's money: each paid instalment (amount and date, never
the account) and the approved final report."""

from __future__ import annotations

from sqlalchemy import select

from app.campaigns.models import Campaign
from app.extensions import db
from app.payouts.final_reports import report_of, spending_total
from app.payouts.models import FinalReport, PayoutRequest


def _paid(campaign_ids: list[int]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {cid: [] for cid in campaign_ids}
    rows = db.session.scalars(
        select(PayoutRequest)
        .where(PayoutRequest.campaign_id.in_(campaign_ids), PayoutRequest.status == "paid")
        .order_by(PayoutRequest.paid_at, PayoutRequest.id)
    )
    for req in rows:
        out[req.campaign_id].append(
            {
                "request_id": req.id,
                "amount_cents": int(req.amount_cents),
                "paid_at": req.paid_at,
                "description": req.description,
            }
        )
    return out


def campaign_public(campaign: Campaign) -> dict:
    """For the campaign page: paid instalments and the final report once approved. Only a
    succeeded campaign can have either, so the pages of the others cost no query here."""
    if campaign.status != "succeeded":
        return {"paid": [], "paid_out_cents": 0, "report": None, "spending_total_cents": 0}
    report = report_of(campaign)
    approved = report is not None and report.status == "approved"
    paid = _paid([campaign.id])[campaign.id]
    return {
        "paid": paid,
        "paid_out_cents": sum(p["amount_cents"] for p in paid),
        "report": report if approved else None,
        "spending_total_cents": spending_total(report) if approved else 0,
    }


def call_payouts(call_id: int) -> list[dict]:
    """For the call's transparency report: per project what was paid and when, and the
    approved final report (summary and spending). No account numbers."""
    campaigns = list(
        db.session.scalars(select(Campaign).where(Campaign.call_id == call_id).order_by(Campaign.id))
    )
    paid = _paid([c.id for c in campaigns])
    # One statement for every final report, not one per campaign.
    reports = {
        r.campaign_id: r
        for r in db.session.scalars(
            select(FinalReport).where(FinalReport.campaign_id.in_([c.id for c in campaigns]))
        )
    }
    rows = []
    for campaign in campaigns:
        report = reports.get(campaign.id)
        approved = report is not None and report.status == "approved"
        if not paid[campaign.id] and not approved:
            continue
        rows.append(
            {
                "campaign_id": campaign.id,
                "title": campaign.title,
                "paid_out_cents": sum(p["amount_cents"] for p in paid[campaign.id]),
                "instalments": [
                    {
                        "amount_cents": p["amount_cents"],
                        "paid_at": p["paid_at"].isoformat() if p["paid_at"] else None,
                    }
                    for p in paid[campaign.id]
                ],
                "final_report": {
                    "summary": report.summary,
                    "spending": [
                        {"description": s["description"], "amount_cents": s["amount_cents"]}
                        for s in report.spending
                    ],
                    "approved_at": report.approved_at.isoformat() if report.approved_at else None,
                }
                if approved
                else None,
            }
        )
    return rows
