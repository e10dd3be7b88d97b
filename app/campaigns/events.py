"""Signals of the campaigns domain. Each is sent inside the transaction that changed the
state, exactly once per real change (never for a duplicate webhook)."""

from app.core.signals import streekfonds_signals

# sender: the Campaign
campaign_opened = streekfonds_signals.signal("campaign-opened")
# sender: the Campaign, after its status became succeeded or failed (or cancelled)
campaign_closed = streekfonds_signals.signal("campaign-closed")
# sender: the Campaign; kwargs: percent (50 or 100), once each
campaign_milestone = streekfonds_signals.signal("campaign-milestone")
# sender: the CampaignUpdate
campaign_update_posted = streekfonds_signals.signal("campaign-update-posted")
# sender: the Pledge
pledge_succeeded = streekfonds_signals.signal("pledge-succeeded")
# sender: the Pledge; sent right after pledge_succeeded (blinker calls the receivers of one
# signal in no set order). For receivers that lock rows shared by every campaign (the live
# match draw): the later a lock is taken, the shorter it is held, since it lasts until commit.
pledge_succeeded_last = streekfonds_signals.signal("pledge-succeeded-last")
pledge_failed = streekfonds_signals.signal("pledge-failed")
pledge_expired = streekfonds_signals.signal("pledge-expired")
# sender: the Pledge; kwargs: amount_cents (this refund, not the total)
pledge_refunded = streekfonds_signals.signal("pledge-refunded")
pledge_dispute_opened = streekfonds_signals.signal("pledge-dispute-opened")
# sender: the Pledge; kwargs: won (bool)
pledge_dispute_closed = streekfonds_signals.signal("pledge-dispute-closed")
# sender: the Pledge (an offline gift reversed)
pledge_cancelled = streekfonds_signals.signal("pledge-cancelled")
# sender: the Campaign, whose patron e-mail was just set or changed
patron_set = streekfonds_signals.signal("campaign-patron-set")
