"""Signals the matching domain sends (receivers in higher domains, e.g. notifications)."""

from app.core.signals import streekfonds_signals

# sender=campaign, campaign=, matched_cents=int, sponsor_ids=[int]; sent once, at settlement.
match_settled = streekfonds_signals.signal("match_settled")
# sender=None, violations=[dict]; sent by the nightly `ledger.verify` when a check fails.
ledger_violation = streekfonds_signals.signal("ledger_violation")
# sender=sponsor, email=str, invite_url=str: a contact to invite (no account yet).
sponsor_contact_invited = streekfonds_signals.signal("sponsor_contact_invited")
