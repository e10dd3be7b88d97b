"""Property-based (stateful) test of the money of one campaign: whatever sequence of pledges,
payments, failures, refunds, offline gifts, cancellations and redelivered events, raised and
backers equal a plain model of the pledges, the cache equals the ledger, and the ledger balances."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from app.campaigns import services
from app.campaigns.models import Pledge
from app.core.errors import Conflict
from app.extensions import db
from app.payments import demo
from app.payments import services as payments
from app.payments.models import PaymentEvent
from tests.campaigns.fixtures import assert_cache_matches_ledger, make_campaign

EMAILS = st.sampled_from(["a@example.org", "b@example.org", "c@example.org", None])
AMOUNTS = st.integers(min_value=500, max_value=20_000)


class CampaignMoney(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.campaign = make_campaign(goal=50_000)
        self.model: dict[int, dict] = {}  # pledge id → what we expect of it

    def teardown(self):
        # Each example starts afresh: the session's transaction (a SAVEPOINT inside the
        # test's rolled-back connection) is rolled back.
        db.session.rollback()

    def _online(self, amount, email, pay: bool | None):
        pledge, _ = services.create_pledge(
            self.campaign, {"amount_cents": amount, "email": email or "x@example.org", "display_name": "X"}
        )
        status = "pending"
        if pay is True:
            demo.pay(payments.demo_payment(pledge.checkout_session_id))
            status = "succeeded"
        elif pay is False:
            demo.fail(payments.demo_payment(pledge.checkout_session_id))
            status = "failed"
        self.model[pledge.id] = {"email": pledge.email, "amount": amount, "refunded": 0, "status": status}

    @rule(amount=AMOUNTS, email=EMAILS)
    def pledge_and_pay(self, amount, email):
        self._online(amount, email, True)

    @rule(amount=AMOUNTS, email=EMAILS)
    def pledge_and_fail(self, amount, email):
        self._online(amount, email, False)

    @rule(amount=AMOUNTS, email=EMAILS)
    def pledge_and_wait(self, amount, email):
        self._online(amount, email, None)

    @rule(amount=AMOUNTS, email=EMAILS, method=st.sampled_from(["bank_transfer", "cash"]))
    def offline_gift(self, amount, email, method):
        values = {"amount_cents": amount, "method": method, "reference": "ref", "email": email}
        pledge = services.record_offline_gift(self.campaign, values, None)
        key = pledge.email
        self.model[pledge.id] = {"email": key, "amount": amount, "refunded": 0, "status": "succeeded"}

    @rule(data=st.data())
    def refund_part(self, data):
        open_ = [pid for pid, m in self.model.items() if m["status"] in ("succeeded", "partially_refunded")]
        if not open_:
            return
        pid = data.draw(st.sampled_from(open_))
        m = self.model[pid]
        left = m["amount"] - m["refunded"]
        amount = data.draw(st.integers(min_value=1, max_value=left + 100))
        pledge = db.session.get(Pledge, pid)
        if amount > left:
            with pytest.raises(Conflict):
                services.request_refund(pledge, amount, None)
            return
        refund = services.request_refund(pledge, amount, None)
        services.run_refund(refund.id)  # the task, for online pledges; offline ones are done
        m["refunded"] += amount
        m["status"] = "refunded" if m["refunded"] == m["amount"] else "partially_refunded"

    @rule(data=st.data())
    def cancel_gift(self, data):
        gifts = [
            pid
            for pid, m in self.model.items()
            if m["status"] == "succeeded" and db.session.get(Pledge, pid).is_offline
        ]
        if not gifts:
            return
        pid = data.draw(st.sampled_from(gifts))
        services.cancel_offline_gift(db.session.get(Pledge, pid), None)
        self.model[pid]["status"] = "cancelled"

    @rule(data=st.data())
    def redeliver_an_event(self, data):
        events = db.session.scalars(db.select(PaymentEvent)).all()
        if not events:
            return
        event = data.draw(st.sampled_from(events))
        assert payments.handle_event(event.payload, gateway="demo").duplicate

    @invariant()
    def figures_match_the_model(self):
        if not hasattr(self, "model"):
            return
        counting = {"succeeded", "partially_refunded"}
        expected = sum(m["amount"] - m["refunded"] for m in self.model.values() if m["status"] in counting)
        assert services.raised_cents(self.campaign) == expected
        per_backer: dict[str, int] = {}
        for pid, m in self.model.items():
            if m["status"] in counting:
                key = m["email"] or f"offline:{pid}"
                per_backer[key] = per_backer.get(key, 0) + m["amount"] - m["refunded"]
        assert services.backers_count(self.campaign) == sum(1 for v in per_backer.values() if v > 0)
        for pid, m in self.model.items():
            assert db.session.get(Pledge, pid).status == m["status"]
        assert_cache_matches_ledger()


def test_campaign_money_state_machine():
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(
        CampaignMoney,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
