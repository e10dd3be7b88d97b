"""Pages: the outbox (every mail, the demo's mailbox), resend, the fund's templates, unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.auth import roles_required
from app.core.transaction import attempt
from app.extensions import csrf, db
from app.notifications import services
from app.notifications.catalogue import CATALOGUE, LOCALES
from app.notifications.forms import MailTemplateForm
from app.notifications.models import OUTBOX_STATUSES, OutboxMessage

bp = Blueprint("notifications", __name__, template_folder="templates")
PAGE = 50
# Shown on these pages only: the global status labels belong to pledges and campaigns.
STATUS_LABELS = {
    "pending": _l("in de wachtrij"),
    "sending": _l("wordt verstuurd"),
    "sent": _l("verstuurd"),
    "failed": _l("mislukt"),
    "skipped": _l("niet verstuurd (uitgeschreven)"),
}


@bp.route("/demo/mails")
@roles_required(*services.MANAGERS)
def outbox():
    status = request.args.get("status") or None
    kind = request.args.get("kind") or None
    before = request.args.get("before", type=int)
    query = services.outbox_query(status, kind)
    if before:
        query = query.where(OutboxMessage.id < before)
    rows = db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(PAGE + 1)).all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return render_template(
        "notifications/outbox.html",
        rows=rows,
        labels=STATUS_LABELS,
        status=status,
        kind=kind,
        statuses=OUTBOX_STATUSES,
        catalogue=CATALOGUE,
        next_before=rows[-1].id if more and rows else None,
        mail_server=current_app.config.get("MAIL_SERVER"),
        failed=services.failed_count(),
    )


@bp.route("/demo/mails/<int:message_id>")
@roles_required(*services.MANAGERS)
def show(message_id):
    row = services.get_message(message_id)
    return render_template(
        "notifications/message.html",
        row=row,
        labels=STATUS_LABELS,
        spec=CATALOGUE[row.kind],
        mail=services.preview(row),
        visible=services.bodies_visible(row),
    )


@bp.route("/demo/mails/<int:message_id>/resend", methods=["POST"])
@roles_required(*services.MANAGERS)
def resend(message_id):
    services.resend(message_id, current_user)
    db.session.commit()
    flash(_("De mail staat opnieuw in de wachtrij."), "success")
    return redirect(url_for("notifications.show", message_id=message_id))


@bp.route("/manage/mail-templates")
@roles_required(*services.MANAGERS)
def templates():
    return render_template("notifications/templates.html", rows=services.template_rows(), locales=LOCALES)


@bp.route("/manage/mail-templates/<kind>/<locale>", methods=["GET", "POST"])
@roles_required(*services.MANAGERS)
def edit_template(kind, locale):
    current = services.get_template(kind, locale)
    form = MailTemplateForm(data={"subject": current["subject"], "body": current["body"]})
    if form.validate_on_submit():
        with attempt() as outcome:
            services.save_template(kind, locale, form.subject.data, form.body.data, current_user)
        if outcome.failed:
            for field, msgs in outcome.error.details.items():
                if field in form:
                    form[field].errors = list(form[field].errors) + list(msgs)
        else:
            flash(_("Het sjabloon is bewaard."), "success")
            return redirect(url_for("notifications.edit_template", kind=kind, locale=locale))
    status = 422 if form.errors else 200
    return (
        render_template(
            "notifications/template_edit.html",
            form=form,
            current=current,
            spec=CATALOGUE[kind],
            sample=services.sample_preview(kind, locale),
        ),
        status,
    )


@bp.route("/manage/mail-templates/<kind>/<locale>/reset", methods=["POST"])
@roles_required(*services.MANAGERS)
def reset_template(kind, locale):
    services.reset_template(kind, locale, current_user)
    db.session.commit()
    flash(_("Het standaardsjabloon geldt weer."), "success")
    return redirect(url_for("notifications.edit_template", kind=kind, locale=locale))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the authority; RFC 8058 one-click POSTs carry no CSRF token
def unsubscribe(token):
    email, scope = services.unsubscribe_target(token)
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        everything = not one_click and request.form.get("scope") == "all"
        done = services.unsubscribe(token, everything=everything)
        db.session.commit()
        if one_click:
            return "", 204
        return render_template("notifications/unsubscribed.html", email=email, scope=done)
    if scope not in ("all",) and not scope.startswith("campaign:"):
        abort(404)
    return render_template("notifications/unsubscribe.html", email=email, scope=scope, token=token)
