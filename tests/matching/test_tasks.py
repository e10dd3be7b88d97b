"""The tasks: `matching.settle_due` (idempotent) and the nightly `ledger.verify`."""

from __future__ import annotations

from sqlalchemy import update

from app.campaigns.models import Pledge
from app.extensions import db
from app.ledger import services as ledger
from app.matching import services as matching
from app.matching.events import ledger_violation
from app.matching.tasks import settle_due, verify
from tests import factories
from tests.matching import helpers as h


def test_settle_due_settles_a_closed_campaign_once_its_last_pending_pledge_is_gone():
    h.commitment(1_000_000)
    call = factories.call(all_or_nothing=False, match_policy={"condition": "none"})
    application = h.in_review(call, 100_000)
    h.confirm(call, [application])
    campaign = h.open_campaign(application)
    h.give(campaign, 30_000, "a@example.org")
    stuck = h.pending(campaign, 10_000, "b@example.org")
    h.close(campaign)
    assert settle_due.run() == []
    # The pledge vanished without a signal (e.g. expired by hand): the periodic task settles.
    db.session.execute(update(Pledge).where(Pledge.id == stuck.id).values(status="expired"))
    assert settle_due.run() == [campaign.id]
    assert settle_due.run() == []  # idempotent
    assert matching.match_audit(campaign)["matched_cents"] == 30_000
    h.assert_ledger_clean()


def test_the_nightly_verify_tells_on_a_violation():
    seen = []

    def receiver(sender, violations, **_kw):
        seen.append(violations)

    ledger_violation.connect(receiver)
    try:
        assert verify.run() is True and seen == []
        c = h.commitment(100)
        ledger.post("tampered", {f"commitment:{c.id}:available": -1, "nowhere": 1})
        assert verify.run() is False
        assert {v["check"] for v in seen[0]} >= {"commitment_cache"}
    finally:
        ledger_violation.disconnect(receiver)
