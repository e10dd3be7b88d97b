"""Demo step: seal the ledger and the audit trail, and publish a first transparency report
of every demo call (and of the fund's year) once: a second `flask demo load` adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from app.calls.models import Call
from app.core import clock, tenancy
from app.extensions import db
from app.transparency import services
from app.transparency.models import ReportJob


def load(ctx: dict) -> None:
    with tenancy.all_funds():  # every fund's ledger and calls
        services.seal_ledger()
        services.seal_audit_trail()
        if db.session.scalar(select(ReportJob.id).where(ReportJob.call_id.is_not(None)).limit(1)) is not None:
            return
        manager_id = ctx["users"]["fund_manager"].id
        # Queued now, run after the demo loader commits (in-process without a broker); each
        # report belongs to its call's fund. (The second fund asked for its year's report.)
        for call in db.session.scalars(select(Call).where(Call.status != "draft").order_by(Call.id)):
            services.request_call_report(call, manager_id)
    services.request_fund_report(clock.local(clock.now()).year, manager_id)
