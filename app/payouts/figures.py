"""The project's account, derived from the ledger:

    payable = raised + matched − paid out − requested and not yet paid

`held_back` is the call's `final_report_share` of raised + matched while the final report
is not approved (never more than what is payable); a new request may take at most
`payable − held_back`. A refund after settlement may take payable below zero: the figures
say so (`overpaid_cents`) and the fund manager decides; nothing here invents a claim.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.calls.models import Call
from app.campaigns.models import Campaign
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.ledger import services as ledger
from app.matching import services as matching
from app.payouts.models import (
    DEFAULT_FINAL_REPORT_SHARE,
    OPEN_STATES,
    FinalReport,
    PayoutRequest,
    PayoutSettings,
)

PAID_OUT_KIND = "payout_paid"
BANK_ACCOUNT = "bank:payouts"


def paid_out_account(campaign_id: int) -> str:
    return f"campaign:{campaign_id}:paid_out"


@dataclass
class Figures:
    raised_cents: int
    matched_cents: int
    paid_out_cents: int
    requested_cents: int
    payable_cents: int
    held_back_cents: int
    requestable_cents: int
    overpaid_cents: int
    final_report_share: float
    settled: bool
    # The whole share held back (held_back_cents is this, capped at what is payable).
    hold_cents: int

    def as_dict(self) -> dict:
        return asdict(self)


def final_report_share(call_id: int) -> float:
    share = db.session.scalar(
        select(PayoutSettings.final_report_share).where(PayoutSettings.call_id == call_id)
    )
    return DEFAULT_FINAL_REPORT_SHARE if share is None else float(share)


def set_final_report_share(call_id: int, share: float) -> PayoutSettings:
    """Set the call's share held back until the final report (0 ≤ share ≤ 1; 422 otherwise,
    404 for a call that does not exist)."""
    if db.session.get(Call, call_id) is None:
        raise NotFound(_("Oproep niet gevonden."))
    if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1:
        msg = _("Een deel tussen 0 en 1.")
        raise ValidationFailed(msg, details={"final_report_share": [msg]})
    row = db.session.scalar(select(PayoutSettings).where(PayoutSettings.call_id == call_id))
    if row is None:
        row = PayoutSettings(call_id=call_id)
        db.session.add(row)
    row.final_report_share = share
    db.session.flush()
    return row


def is_settled(campaign: Campaign) -> bool:
    """A succeeded campaign whose match is settled: only then does the project have money."""
    if campaign.status != "succeeded":
        return False
    pm = matching.project_match_for(campaign, create=False)
    return pm is not None and pm.state == "settled"


def report_approved(campaign_id: int) -> bool:
    status = db.session.scalar(select(FinalReport.status).where(FinalReport.campaign_id == campaign_id))
    return status == "approved"


def share_of(total: int, share: float) -> int:
    """`share` of `total` cents, rounded half up to a whole cent."""
    value = Decimal(total) * Decimal(str(share))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figures(campaign: Campaign) -> Figures:
    """The project's account now (see the module docstring)."""
    bal = ledger.balances(f"campaign:{campaign.id}:")
    raised = -bal.get(f"campaign:{campaign.id}:raised", 0)
    matched = -bal.get(f"campaign:{campaign.id}:match", 0)
    paid = bal.get(paid_out_account(campaign.id), 0)
    requested = int(
        db.session.scalar(
            select(func.coalesce(func.sum(PayoutRequest.amount_cents), 0)).where(
                PayoutRequest.campaign_id == campaign.id, PayoutRequest.status.in_(OPEN_STATES)
            )
        )
        or 0
    )
    settled = is_settled(campaign)
    total = raised + matched if settled else 0
    payable = total - paid - requested
    share = final_report_share(campaign.call_id)
    hold = 0 if report_approved(campaign.id) else share_of(total, share)
    held_back = max(0, min(hold, payable))
    return Figures(
        raised_cents=raised,
        matched_cents=matched,
        paid_out_cents=paid,
        requested_cents=requested,
        payable_cents=payable,
        held_back_cents=held_back,
        requestable_cents=max(0, payable - held_back),
        overpaid_cents=max(0, paid - (raised + matched)),
        final_report_share=share,
        settled=settled,
        hold_cents=hold,
    )
