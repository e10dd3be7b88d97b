"""The demo: one project with a paid instalment, one waiting for its second approval."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import campaigns as demo_campaigns
from app.demo import foundation, matching
from app.demo import payouts as demo_payouts
from app.extensions import db
from app.matching.verify import verify_ledger
from app.payouts.models import PayoutRequest


def test_demo_step_is_idempotent_with_one_paid_and_one_waiting(app):
    with app.test_request_context():
        ctx: dict = {}
        foundation.load(ctx)
        demo_campaigns.load(ctx)
        matching.load(ctx)
        demo_payouts.load(ctx)
        demo_payouts.load(ctx)
        rows = db.session.scalars(select(PayoutRequest).order_by(PayoutRequest.id)).all()
        assert [(r.status, len(r.current_approvals)) for r in rows] == [("paid", 2), ("submitted", 1)]
        assert rows[0].paid_transaction_id is not None
        assert db.session.scalar(select(func.count(PayoutRequest.id))) == 2
        assert verify_ledger()["ok"]
