"""Signals of the campaigns domain: notifications to whoever cares (mails, audit, reports).
Each is sent inside the transaction that changed the state, exactly once per real change
(never for a duplicate webhook), after every money movement of that change is written: no
receiver decides or orders money (that is app/campaigns/confirmation.py and its ports)."""

from app.core.signals import streekfonds_signals

campaign_opened = streekfonds_signals.signal("campaign-opened", doc="sender: the Campaign")
campaign_closed = streekfonds_signals.signal(
    "campaign-closed", doc="sender: the Campaign, after its status became succeeded or failed (or cancelled)"
)
campaign_milestone = streekfonds_signals.signal(
    "campaign-milestone", doc="sender: the Campaign; kwargs: percent (50 or 100), once each"
)
campaign_update_posted = streekfonds_signals.signal(
    "campaign-update-posted", doc="sender: the CampaignUpdate"
)
pledge_succeeded = streekfonds_signals.signal("pledge-succeeded", doc="sender: the Pledge")
pledge_failed = streekfonds_signals.signal("pledge-failed", doc="sender: the Pledge")
pledge_expired = streekfonds_signals.signal("pledge-expired", doc="sender: the Pledge")
pledge_refunded = streekfonds_signals.signal(
    "pledge-refunded", doc="sender: the Pledge; kwargs: amount_cents (this refund, not the total)"
)
pledge_dispute_opened = streekfonds_signals.signal("pledge-dispute-opened", doc="sender: the Pledge")
pledge_dispute_closed = streekfonds_signals.signal(
    "pledge-dispute-closed", doc="sender: the Pledge; kwargs: won (bool)"
)
pledge_cancelled = streekfonds_signals.signal(
    "pledge-cancelled", doc="sender: the Pledge (an offline gift reversed)"
)
