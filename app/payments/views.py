"""The Stripe webhook, the demo gateway's checkout page and the payment event log."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import gettext as _

from app.core.auth import roles_required
from app.core.transaction import attempt
from app.extensions import db
from app.payments import demo, drain, inbox, services

bp = Blueprint("payments", __name__, template_folder="templates")


@bp.route("/webhooks/stripe", methods=["POST"])
def stripe_webhook():
    """400 on a bad or stale signature (nothing recorded); 200 for everything else we
    understood, including duplicates, late, unknown and rejected events.

    The event is recorded and answered at once; the applier applies it right after (see
    inbox). `outcome` is `received` until then; without a broker the applier runs here
    before the answer, which then says what it did."""
    gateway = services.get_gateway("stripe")
    update = gateway.parse_event(request.get_data(cache=False), request.headers)
    handled = inbox.receive(update)
    db.session.commit()
    outcome = handled.outcome
    if outcome == "received" and drain.kick():
        outcome = inbox.outcome_of(handled.row_id)
    return {"received": True, "duplicate": handled.duplicate, "outcome": outcome}, 200


def _demo_payment(session_id: str):
    if current_app.config.get("PAYMENT_GATEWAY") != "demo":
        abort(404)
    payment = services.demo_payment(session_id)
    if payment is None:
        abort(404)
    return payment


@bp.route("/demo/checkout/<session_id>")
def demo_checkout(session_id):
    payment = _demo_payment(session_id)
    return render_template("payments/demo_checkout.html", payment=payment)


@bp.route("/demo/checkout/<session_id>", methods=["POST"])
def demo_checkout_action(session_id):
    payment = _demo_payment(session_id)
    action = request.form.get("action")
    if action == "cancel":
        return redirect(payment.cancel_url, 303)
    if action not in ("pay", "fail"):
        abort(400)
    with attempt() as outcome:
        (demo.pay if action == "pay" else demo.fail)(payment)
    if outcome.failed:
        exc = outcome.error
        return render_template("payments/demo_checkout.html", payment=payment, error=exc.message), exc.status
    return redirect(payment.success_url, 303)


@bp.route("/manage/payment-events")
@roles_required("fund_manager", "admin", "auditor")
def payment_events():
    outcome = request.args.get("outcome", "rejected")
    outcome = outcome if outcome in ("rejected", "ignored", "applied", "all") else "rejected"
    rows = db.session.scalars(services.events_query(None if outcome == "all" else outcome).limit(500)).all()
    return render_template(
        "payments/events.html", rows=rows, outcome=outcome, title=_("Betaalgebeurtenissen")
    )
