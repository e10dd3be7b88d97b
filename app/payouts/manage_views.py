"""The fund's payout desk: requests waiting for approval, SEPA batches, marking paid."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.campaigns.models import Campaign
from app.core.auth import roles_required
from app.core.errors import Conflict
from app.core.transaction import attempt
from app.extensions import db
from app.payouts import forms
from app.payouts import services as payouts
from app.payouts.models import PayoutRequest
from app.payouts.views import shown_here

bp = Blueprint("payouts_manage", __name__, template_folder="templates", url_prefix="/manage/payouts")
STAFF = ("fund_manager", "admin", "auditor")


def _requests(*states: str) -> list[tuple[PayoutRequest, Campaign]]:
    return list(
        db.session.execute(
            select(PayoutRequest, Campaign)
            .join(Campaign, Campaign.id == PayoutRequest.campaign_id)
            .where(PayoutRequest.status.in_(states))
            .order_by(PayoutRequest.id)
        )
    )


@bp.route("")
@roles_required(*STAFF)
def index():
    return render_template(
        "payouts/manage.html",
        waiting=_requests("submitted"),
        approved=_requests("approved"),
        failed=_requests("failed"),
        batches=payouts.list_batches(),
        button=forms.ButtonForm(),
    )


@bp.route("/batches", methods=["POST"])
@roles_required(*STAFF)
def create_batch():
    if forms.ButtonForm().validate_on_submit():
        with attempt() as outcome:
            batch = payouts.create_batch(current_user)
        if not outcome.failed:
            flash(_("Het betaalbestand is klaar."), "success")
            return redirect(url_for(".batch", batch_id=batch.id))
        flash(shown_here(outcome.error, Conflict).message, "error")
    return redirect(url_for(".index"))


@bp.route("/batches/<int:batch_id>")
@roles_required(*STAFF)
def batch(batch_id):
    the_batch = payouts.get_batch(batch_id, current_user)
    rows = [(r, db.session.get(Campaign, r.campaign_id)) for r in the_batch.requests]
    return render_template("payouts/batch.html", batch=the_batch, rows=rows, button=forms.ButtonForm())


@bp.route("/batches/<int:batch_id>/sepa.xml")
@roles_required(*STAFF)
def batch_xml(batch_id):
    the_batch = payouts.get_batch(batch_id, current_user)
    return Response(
        the_batch.xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="streekfonds-batch-{the_batch.id}.xml"'},
    )


@bp.route("/batches/<int:batch_id>/paid", methods=["POST"])
@roles_required(*STAFF)
def batch_paid(batch_id):
    if forms.ButtonForm().validate_on_submit():
        with attempt() as outcome:
            payouts.mark_paid(batch_id, current_user)
        if outcome.failed:
            raise outcome.error
        flash(_("Het betaalbestand is als betaald geboekt."), "success")
    return redirect(url_for(".batch", batch_id=batch_id))
