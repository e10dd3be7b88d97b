"""Signals of the payments domain. Campaigns connects receivers; payments never writes
pledges or ledger rows itself.

Every signal is sent with sender=the gateway name ("stripe" or "demo") and `update`, a
`app.payments.gateways.PaymentUpdate`. A receiver returns an `Outcome` (applied, ignored or
rejected with a reason); payments records it on the PaymentEvent.
"""

from app.core.signals import streekfonds_signals

# The money arrived (checkout.session.completed paid, or async_payment_succeeded).
payment_succeeded = streekfonds_signals.signal("payment-succeeded")
# Checkout completed, but a delayed method is still on its way (payment_status unpaid).
payment_processing = streekfonds_signals.signal("payment-processing")
payment_failed = streekfonds_signals.signal("payment-failed")
payment_expired = streekfonds_signals.signal("payment-expired")
# update.amount_refunded_cents is the charge's cumulative refunded amount.
payment_refunded = streekfonds_signals.signal("payment-refunded")
payment_dispute_opened = streekfonds_signals.signal("payment-dispute-opened")
# update.dispute_won tells the bank's decision.
payment_dispute_closed = streekfonds_signals.signal("payment-dispute-closed")
