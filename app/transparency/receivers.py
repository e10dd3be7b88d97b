"""Signal receivers: a call's report is generated once all its campaigns have settled."""

from __future__ import annotations

from app.calls.models import Call
from app.extensions import db
from app.matching import events as matching_events
from app.matching import services as matching
from app.transparency import reports
from app.transparency.sources import campaigns_of_call


def _call_fully_settled(call_id: int) -> bool:
    """True when every public campaign of the call is closed and its match no longer
    projected (matching settled it, or it never had a match row)."""
    call = db.session.get(Call, call_id)
    if call is None:
        return False
    campaigns = campaigns_of_call(call)
    if not campaigns or any(c.status == "open" for c in campaigns):
        return False
    for campaign in campaigns:
        pm = matching.project_match_for(campaign, create=False)
        if pm is not None and pm.state == "projected":
            return False
    return True


def on_match_settled(sender, **kw) -> None:
    """Queue the call's report once all its campaigns have settled (once per call: the
    trigger key makes a redelivered or repeated signal harmless)."""
    campaign = kw.get("campaign") or sender
    call_id = getattr(campaign, "call_id", None)
    if call_id is None or not _call_fully_settled(call_id):
        return
    call = db.session.get(Call, call_id)
    if call is not None:
        reports.request_call_report(call, None, trigger_key=f"settled:call:{call_id}")


def connect() -> None:
    """Connect to matching's `match_settled` (a module function: connecting twice is a no-op)."""
    matching_events.match_settled.connect(on_match_settled, weak=False)
