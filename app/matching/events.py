"""Signals the matching domain sends (receivers in higher domains, e.g. notifications)."""

from app.core.signals import streekfonds_signals

match_settled = streekfonds_signals.signal(
    "match_settled",
    doc="sender=campaign, campaign=, matched_cents=int, sponsor_ids=[int]; sent once, at settlement.",
)
ledger_violation = streekfonds_signals.signal(
    "ledger_violation",
    doc="sender=None, violations=[dict]; sent by the nightly `ledger.verify` when a check fails.",
)
