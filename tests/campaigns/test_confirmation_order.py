"""The confirmation path runs its steps in the order written in campaigns/confirmation.py:
the pledge's ledger lines, then the receipt's outbox row, then matching's draw, and only
then the notification signal. Each step is watched at the moment it is called."""

from __future__ import annotations

from sqlalchemy import select

from app.campaigns.events import pledge_succeeded
from app.campaigns.ports import Matching, PledgeMail
from app.core import ports
from app.extensions import db
from app.ledger.models import JournalTransaction
from app.notifications.models import OutboxMessage
from app.payments import services as payments
from tests.campaigns.fixtures import make_campaign, pledge, reload


def _posted(pledge_id: int) -> bool:
    key = f"pledge:{pledge_id}:in"
    return (
        db.session.scalar(select(JournalTransaction.id).where(JournalTransaction.idempotency_key == key))
        is not None
    )


def _receipt_queued(pledge_id: int) -> bool:
    key = f"pledge_receipt:{pledge_id}"
    return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None


class _Watching:
    """Stands in for a port's provider: notes each call with what is written at that moment,
    then hands it to the real provider."""

    def __init__(self, real, name: str, steps: list):
        self._real, self._name, self._steps = real, name, steps

    def __getattr__(self, method):
        def call(pledge, *args):
            self._steps.append((f"{self._name}.{method}", _posted(pledge.id), _receipt_queued(pledge.id)))
            return getattr(self._real, method)(pledge, *args)

        return call


def test_a_paid_pledge_posts_then_queues_its_receipt_then_draws_then_notifies(app, monkeypatch):
    campaign = make_campaign(goal=10_000)
    p, _token = pledge(campaign, amount_cents=2_500)
    steps: list = []
    providers = app.extensions["streekfonds_ports"]
    monkeypatch.setitem(providers, PledgeMail, _Watching(ports.get(PledgeMail), "mail", steps))
    monkeypatch.setitem(providers, Matching, _Watching(ports.get(Matching), "matching", steps))

    def signal_seen(sender, **_kw):
        steps.append(("signal", _posted(sender.id), _receipt_queued(sender.id)))

    with pledge_succeeded.connected_to(signal_seen):
        handled = payments.demo_pay(payments.demo_payment(p.checkout_session_id))
    assert handled.outcome == "applied"
    assert steps == [
        ("mail.receipt", True, False),  # the ledger lines are written before the mail row
        ("matching.pledge_counted", True, True),  # matching comes after both
        ("signal", True, True),  # the notification goes out last
    ]
    assert reload(p).status == "succeeded"
