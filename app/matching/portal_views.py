"""The sponsor portal (role `sponsor`): a contact sees only their own sponsors' money. And
the fund manager's part: link, invite and unlink a sponsor's contacts. Thin: the rules are
in app.matching.contacts, which the API uses too."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.auth import roles_required
from app.core.transaction import attempt
from app.matching import contacts, forms
from app.matching import services as matching

bp = Blueprint("sponsor_portal", __name__, template_folder="templates")
WRITERS = ("fund_manager", "admin")


@bp.route("/sponsor")
@roles_required("sponsor")
def portal():
    reports = [matching.sponsor_report(s) for s in contacts.sponsors_of(current_user)]
    return render_template("matching/portal.html", reports=reports)


@bp.route("/sponsor/invitations/<token>", methods=["GET", "POST"])
@login_required
def accept(token):
    if request.method == "POST":
        with attempt() as outcome:
            sponsor = contacts.accept_invitation(token, current_user)
        if outcome.failed:
            raise outcome.error  # an unknown or spent link: the error page, as before
        flash(_("Je bent nu contactpersoon van %(name)s.", name=sponsor.name), "success")
        return redirect(url_for("sponsor_portal.portal"), 303)
    return render_template("matching/portal_accept.html", token=token)


@bp.route("/manage/sponsors/<int:sponsor_id>/contacts", methods=["POST"])
@roles_required(*WRITERS)
def add_contact(sponsor_id):
    sponsor = matching.get_sponsor(sponsor_id)
    with attempt() as outcome:
        entry = contacts.add_contact(sponsor, request.form.get("email", ""), current_user)
    if outcome.failed:
        flash(outcome.error.message, "error")
    else:
        linked = entry["status"] == "linked"
        flash(_("Contactpersoon gekoppeld.") if linked else _("Uitnodiging verstuurd."), "success")
    return redirect(url_for("matching.sponsor", sponsor_id=sponsor.id), 303)


@bp.route("/manage/sponsors/<int:sponsor_id>/contacts/<int:user_id>/remove", methods=["POST"])
@roles_required(*WRITERS)
def remove_contact(sponsor_id, user_id):
    sponsor = matching.get_sponsor(sponsor_id)
    with attempt() as outcome:
        contacts.remove_contact(sponsor, user_id, current_user)
    if outcome.failed:
        raise outcome.error  # not linked: 404
    flash(_("Contactpersoon ontkoppeld."), "success")
    return redirect(url_for("matching.sponsor", sponsor_id=sponsor.id), 303)


@bp.route("/manage/sponsors/<int:sponsor_id>/edit", methods=["POST"])
@roles_required(*WRITERS)
def edit_sponsor(sponsor_id):
    """Name, contact, kind and visibility (the same service as PATCH /api/v1/sponsors/{id})."""
    sponsor = matching.get_sponsor(sponsor_id)
    form = forms.SponsorForm(prefix="edit")
    here = url_for("matching.sponsor", sponsor_id=sponsor.id)
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(here, 303)
    values = {
        "name": form.name.data,
        "contact_email": form.contact_email.data or None,
        "kind": form.kind.data,
        "public": bool(form.public.data),
    }
    with attempt() as outcome:
        matching.update_sponsor(sponsor, values, current_user.id)
    if outcome.failed:
        flash(outcome.error.message, "error")
        return redirect(here, 303)
    flash(_("De sponsor is bewaard."), "success")
    return redirect(here, 303)
