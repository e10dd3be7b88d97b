"""Receivers of the jury's and campaigns' signals. Each runs inside the sender's
transaction and only calls a service; the services are idempotent, so a repeated signal
changes nothing."""

from __future__ import annotations

from app.matching import settlement
from app.matching.reservations import reserve_for_selection


def on_selection_confirming(call, applications=(), **_kw) -> None:
    # Raises Conflict(match_not_covered) to refuse the whole confirmation.
    reserve_for_selection(call, list(applications))


def on_campaign_opened(campaign, **_kw) -> None:
    settlement.project_match_for(campaign)


def on_campaign_closed(campaign, **_kw) -> None:
    settlement.settle(campaign)


def _campaign_of(pledge):
    return pledge.campaign


def on_pledge_succeeded(pledge, **_kw) -> None:
    settlement.draw_for_pledge(pledge)  # live only; a pledge pending at close still draws
    campaign = _campaign_of(pledge)
    if campaign.status in settlement.CLOSED:
        settlement.settle(campaign)  # the last pending pledge may have resolved


def on_pledge_resolved(pledge, **_kw) -> None:
    """A pending pledge failed or expired: a closed campaign may now settle."""
    campaign = _campaign_of(pledge)
    if campaign.status in settlement.CLOSED:
        settlement.settle(campaign)


def on_pledge_returned(pledge, **_kw) -> None:
    """A refund, or an offline gift reversed: give back the match it no longer earns."""
    settlement.return_for_pledge(pledge)


def on_dispute_closed(pledge, won: bool = False, **_kw) -> None:
    if not won:
        settlement.return_for_pledge(pledge)


def connect() -> None:
    """Connect the receivers (module functions: connecting twice is a no-op in blinker)."""
    from app.campaigns import events as campaign_events
    from app.jury import events as jury_events

    jury_events.selection_confirming.connect(on_selection_confirming)
    campaign_events.campaign_opened.connect(on_campaign_opened)
    campaign_events.campaign_closed.connect(on_campaign_closed)
    # The draw takes the shared commitments' row locks: last, so they are held briefly.
    campaign_events.pledge_succeeded_last.connect(on_pledge_succeeded)
    campaign_events.pledge_failed.connect(on_pledge_resolved)
    campaign_events.pledge_expired.connect(on_pledge_resolved)
    campaign_events.pledge_refunded.connect(on_pledge_returned)
    campaign_events.pledge_cancelled.connect(on_pledge_returned)
    campaign_events.pledge_dispute_closed.connect(on_dispute_closed)
