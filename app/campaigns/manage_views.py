"""Pages of the project owner (story, pictures, updates, embed) and of the fund manager
(campaigns, every pledge, refunds, offline gifts, cancellations, open and close)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.calls import services as calls
from app.campaigns import content, forms, services
from app.campaigns.models import Campaign, Pledge, Refund
from app.campaigns.views import place_errors
from app.core.auth import roles_required
from app.core.confirm import confirm_page
from app.core.errors import DomainError, NotFound
from app.core.setup import money as money_filter
from app.core.setup import status_label
from app.core.transaction import attempt
from app.extensions import db
from app.funds import services as funds

bp = Blueprint("campaigns_manage", __name__, template_folder="templates")
MANAGERS = ("fund_manager", "admin")
READERS = ("fund_manager", "admin", "auditor")


def _done(message: str, target: str):
    db.session.commit()
    flash(message, "success")
    return redirect(target, 303)


def _shown(message: str, target: str):
    """After `attempt()` committed: say so and go back."""
    flash(message, "success")
    return redirect(target, 303)


def _failed(exc: DomainError, target: str):
    """After `attempt()` rolled back: show why and go back."""
    flash(exc.message, "error")
    return redirect(target, 303)


# --- project owner ------------------------------------------------------------------------


@bp.route("/my/campaigns/<int:campaign_id>", methods=["GET", "POST"])
@login_required
def edit(campaign_id):
    campaign = content.owned_campaign(campaign_id, current_user)
    story = forms.StoryForm(prefix="story")
    picture = forms.PictureForm(prefix="picture")
    update = forms.UpdateForm(prefix="update")
    profile = forms.ProfileForm(prefix="profile")
    if request.method == "GET":
        story.summary.data, story.story.data = campaign.summary, campaign.story_markdown
        profile.profile.data, profile.contact_email.data = campaign.owner_profile, campaign.contact_email
    here = url_for("campaigns_manage.edit", campaign_id=campaign.id)
    if current_user.is_auditor_only and request.method == "POST":
        raise NotFound(_("Campagne niet gevonden."))
    status = 200
    try:
        if request.form.get("action") == "story" and story.validate_on_submit():
            content.edit_story(campaign, story.summary.data, story.story.data, current_user.id)
            return _done(_("Het verhaal is bewaard."), here)
        if request.form.get("action") == "profile" and profile.validate_on_submit():
            content.edit_profile(campaign, profile.profile.data, profile.contact_email.data, current_user.id)
            return _done(_("Wie erachter zit is bewaard."), here)
        if request.form.get("action") == "picture" and picture.validate_on_submit():
            upload = picture.picture.data
            content.add_picture(
                campaign,
                upload.filename,
                upload.read(),
                picture.alt_text.data,
                current_app.config["MAX_UPLOAD_BYTES"],
            )
            return _done(_("De foto is toegevoegd."), here)
        if request.form.get("action") == "update" and update.validate_on_submit():
            content.post_update(campaign, update.title.data, update.body.data, current_user.id)
            return _done(_("Het nieuws is verstuurd naar je steuners."), here)
        if request.form.get("action", "").startswith("remove-picture-"):
            content.remove_picture(campaign, int(request.form["action"].rsplit("-", 1)[1]))
            return _done(_("De foto is verwijderd."), here)
    except (DomainError, ValueError) as exc:
        db.session.rollback()
        if isinstance(exc, DomainError):
            target = {"story": story, "picture": picture, "update": update, "profile": profile}.get(
                request.form.get("action"), story
            )
            place_errors(target, exc, {"file": "picture", "story": "story"})
        status = 422
    if request.method == "POST" and status == 200:
        status = 422
    embed_url = url_for("campaigns.embed", campaign_id=campaign.id, _external=False)
    return render_template(
        "campaigns/edit.html",
        campaign=campaign,
        story=story,
        picture=picture,
        update=update,
        profile=profile,
        pictures=content.pictures_of(campaign),
        embed_src=funds.base_url(campaign.fund_id) + embed_url.removeprefix(request.script_root),
    ), status


@bp.route("/my/campaigns/<int:campaign_id>/pictures/<int:picture_id>/remove")
@login_required
def confirm_remove_picture(campaign_id, picture_id):
    campaign = content.owned_campaign(campaign_id, current_user)
    here = url_for("campaigns_manage.edit", campaign_id=campaign.id)
    return confirm_page(
        title=_("Foto verwijderen"),
        question=_("Wil je deze foto van je campagnepagina verwijderen?"),
        button=_("Ja, foto verwijderen"),
        back=here,
        action=here,
        hidden={"action": f"remove-picture-{picture_id}"},
    )


# --- fund manager -------------------------------------------------------------------------


@bp.route("/manage/campaigns")
@roles_required(*READERS)
def manage_campaigns():
    rows = db.session.scalars(services.campaigns_query(user=current_user).order_by(Campaign.id.desc())).all()
    return render_template(
        "campaigns/manage_list.html", campaigns=rows, figures={c.id: services.summary(c) for c in rows}
    )


@bp.route("/manage/calls/<int:call_id>/campaigns")
@roles_required(*READERS)
def call_campaigns(call_id):
    calls.get_call(call_id, current_user)  # 404 for a call of another fund
    rows = db.session.scalars(
        services.campaigns_query(user=current_user).where(Campaign.call_id == call_id).order_by(Campaign.id)
    ).all()
    return render_template(
        "campaigns/manage_list.html", campaigns=rows, figures={c.id: services.summary(c) for c in rows}
    )


@bp.route("/manage/campaigns/<int:campaign_id>")
@roles_required(*READERS)
def manage_campaign(campaign_id, patron_form=None, status=200, offline_form=None):
    campaign = services.get_campaign(campaign_id, current_user)
    pledges = services.pledges_of(campaign)
    refunds = db.session.scalars(
        select(Refund).join(Pledge).where(Pledge.campaign_id == campaign.id).order_by(Refund.id.desc())
    ).all()
    return render_template(
        "campaigns/manage.html",
        campaign=campaign,
        figures=services.summary(campaign),
        pledges=pledges,
        refunds=refunds,
        refundable={p.id: services.refundable_cents(p) for p in pledges},
        pending=services.pending_count(campaign),
        offline=offline_form or forms.OfflineGiftForm(prefix="gift"),
        confirm=forms.ConfirmForm(),
        patron_form=patron_form or forms.PatronForm(prefix="patron", data=services.patron_of(campaign)),
    ), status


@bp.route("/manage/campaigns/<int:campaign_id>/patron", methods=["POST"])
@roles_required(*MANAGERS)
def set_patron(campaign_id):
    """The patron's name, e-mail and role (the same service as PATCH /api/v1/campaigns/{id})."""
    campaign = services.get_campaign(campaign_id, current_user)
    form = forms.PatronForm(prefix="patron")
    if form.validate_on_submit():
        with attempt() as outcome:
            services.set_patron(campaign, {k: form[k].data for k in services.PATRON_FIELDS}, current_user.id)
        if outcome.failed:
            place_errors(form, outcome.error)
        else:
            here = url_for("campaigns_manage.manage_campaign", campaign_id=campaign.id)
            return _shown(_("De peter of meter is bewaard."), here)
    return manage_campaign(campaign_id, patron_form=form, status=422)


@bp.route("/manage/campaigns/<int:campaign_id>/cancel", methods=["GET"])
@roles_required(*MANAGERS)
def confirm_cancel(campaign_id):
    campaign = services.get_campaign(campaign_id, current_user)
    here = url_for("campaigns_manage.manage_campaign", campaign_id=campaign.id)
    return confirm_page(
        title=_("Campagne annuleren"),
        question=_("Wil je de campagne ‘%(t)s’ annuleren?", t=campaign.title),
        consequence=_("Alle steuners krijgen hun geld terug en de campagne kan niet meer open."),
        button=_("Ja, campagne annuleren en alles terugbetalen"),
        back=here,
    )


@bp.route("/manage/campaigns/<int:campaign_id>/<any(open, close, cancel):action>", methods=["POST"])
@roles_required(*MANAGERS)
def lifecycle(campaign_id, action):
    campaign = services.get_campaign(campaign_id, current_user)
    here = url_for("campaigns_manage.manage_campaign", campaign_id=campaign.id)
    if not forms.ConfirmForm().validate_on_submit():
        return redirect(here, 303)
    with attempt() as outcome:
        if action == "open":
            services.open_campaign(campaign, current_user.id)
        else:
            services.close_campaign(campaign, current_user.id, cancel=action == "cancel")
    if outcome.failed:
        return _failed(outcome.error, here)
    return _shown(_("De campagne is nu: %(s)s.", s=_status(campaign.status)), here)


def _status(code: str) -> str:
    return status_label(code, "campaign")


@bp.route("/manage/campaigns/<int:campaign_id>/offline", methods=["POST"])
@roles_required(*MANAGERS)
def offline_gift(campaign_id):
    campaign = services.get_campaign(campaign_id, current_user)
    form = forms.OfflineGiftForm(prefix="gift")
    here = url_for("campaigns_manage.manage_campaign", campaign_id=campaign.id)
    if form.validate_on_submit():
        values = {
            "amount_cents": form.amount.cents,
            "method": form.method.data,
            "reference": form.reference.data,
            "email": form.email.data or None,
            "display_name": form.display_name.data,
            "anonymous": form.anonymous.data,
        }
        with attempt() as outcome:
            services.record_offline_gift(campaign, values, current_user.id)
        if outcome.failed:
            return _failed(outcome.error, here)
        return _shown(_("De gift is geboekt."), here)
    # The form again, with the summary at the top and each message at its field.
    return manage_campaign(campaign.id, status=422, offline_form=form)


def _pledge(pledge_id: int) -> Pledge:
    pledge = db.session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound(_("Bijdrage niet gevonden."))
    return pledge


@bp.route("/manage/pledges/<int:pledge_id>/refund", methods=["GET", "POST"])
@roles_required(*READERS)
def refund(pledge_id):
    pledge = _pledge(pledge_id)
    form = forms.RefundForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            services.request_refund(pledge, form.amount.cents, current_user.id)
        if outcome.failed:
            place_errors(form, outcome.error, {"amount_cents": "amount"})
        else:
            return _shown(
                _("De terugbetaling is aangevraagd."),
                url_for("campaigns_manage.manage_campaign", campaign_id=pledge.campaign_id),
            )
    return render_template(
        "campaigns/refund.html", pledge=pledge, form=form, left=services.refundable_cents(pledge)
    ), 422 if request.method == "POST" else 200


@bp.route("/manage/pledges/<int:pledge_id>/cancel", methods=["GET"])
@roles_required(*MANAGERS)
def confirm_cancel_pledge(pledge_id):
    pledge = _pledge(pledge_id)
    return confirm_page(
        title=_("Offline gift annuleren"),
        question=_("Wil je deze offline gift annuleren?"),
        consequence=_("De gift wordt tegengeboekt: ze telt niet meer mee voor de campagne."),
        details=[(_("Bijdrage"), f"#{pledge.id}"), (_("Bedrag"), money_filter(pledge.amount_cents))],
        button=_("Ja, gift annuleren"),
        back=url_for("campaigns_manage.manage_campaign", campaign_id=pledge.campaign_id),
        note_label=_("Opmerking (optioneel)"),
    )


@bp.route("/manage/pledges/<int:pledge_id>/cancel", methods=["POST"])
@roles_required(*MANAGERS)
def cancel_pledge(pledge_id):
    pledge = _pledge(pledge_id)
    form = forms.ConfirmForm()
    here = url_for("campaigns_manage.manage_campaign", campaign_id=pledge.campaign_id)
    if not form.validate_on_submit():
        return redirect(here, 303)
    with attempt() as outcome:
        services.cancel_offline_gift(pledge, current_user.id, form.note.data or None)
    if outcome.failed:
        return _failed(outcome.error, here)
    return _shown(_("De gift is geannuleerd (tegengeboekt)."), here)
