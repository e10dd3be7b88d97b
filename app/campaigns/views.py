"""Backer-facing pages: campaigns, the pledge form, thanks, the pledge status, the embed."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.campaigns import content, forms, pledge_guard, services, social_image, transfers
from app.campaigns.models import Campaign
from app.core import epc_qr, http, pagecache
from app.core.errors import DomainError
from app.core.humancheck import HumanCheckRequired
from app.core.money import format_cents as money_text
from app.core.transaction import attempt
from app.extensions import db
from app.funds import services as funds
from app.funds.branding import fund_branding, public_url

bp = Blueprint("campaigns", __name__, template_folder="templates")
_TOKENS = "pledge_tokens"


def place_errors(form, exc: DomainError, mapping: dict | None = None) -> None:
    """Put a service's field errors next to the form's fields; flash the rest."""
    mapping = mapping or {}
    placed = False
    for key, msgs in (exc.details or {}).items():
        name = mapping.get(key, key)
        if name in form and isinstance(msgs, list):
            form[name].errors = list(form[name].errors or []) + [str(m) for m in msgs]
            placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/campaigns")
def list_campaigns():
    args = request.args
    status = args.get("status") if args.get("status") in services.PUBLIC_STATUSES else None
    query = services.campaigns_query(
        municipality=args.get("municipality") or None,
        theme=args.get("theme") or None,
        status=status,
        search=args.get("q") or None,
    )
    campaigns, after = services.list_page(query, args.get("after"))
    figures = services.public_figures(campaigns)
    if services.figures_written():
        db.session.commit()  # a read-only request: only the figures cache was written
    more = {k: v for k, v in args.items() if k != "after"} | {"after": after} if after else None
    page = render_template(
        "campaigns/list.html",
        campaigns=campaigns,
        figures=figures,
        facets=services.facets(),
        args=args,
        more=more,
    )
    return http.finish_by_content(make_response(page))


@bp.route("/campaigns/<int:campaign_id>")
def show_campaign(campaign_id):
    # Everything the page shows moves the campaign's figures_version or changed_at.
    stamp = _public_stamp(campaign_id)
    etag = http.validator("campaign", campaign_id, *stamp)
    cached = http.not_modified(etag, stamp[0])
    if cached is not None:
        return cached
    page, shown = pagecache.anonymous_page_shown(
        ("campaign", campaign_id, *stamp),
        lambda: _campaign_page(services.get_campaign(campaign_id, current_user)),
        stale_of=("campaign", campaign_id),
    )
    if shown[2:] != stamp:  # the version before, while this process renders the new one
        stamp = shown[2:]
        etag = http.validator("campaign", campaign_id, *stamp)
    return http.finish(make_response(page), etag, stamp[0])


def _public_stamp(campaign_id: int) -> tuple:
    """(changed_at, figures_version, status, days left) of a campaign the visitor may see;
    for an anonymous visitor as read at most PUBLIC_PAGE_MAX_AGE seconds ago."""

    def read() -> tuple:
        c = services.get_campaign(campaign_id, current_user)
        return (c.changed_at, c.figures_version, c.status, c.ends_at)

    if pagecache.cacheable():
        max_age = current_app.config.get("PUBLIC_PAGE_MAX_AGE", 0)
        changed_at, version, status, ends_at = pagecache.recent(("campaign", campaign_id), max_age, read)
    else:
        changed_at, version, status, ends_at = read()
    return (changed_at, version, status, services.days_left_until(status, ends_at))


def _campaign_page(campaign: Campaign) -> str:
    figures = services.public_figures([campaign])[campaign.id]
    if services.figures_written():
        db.session.commit()  # a read-only request: only the figures cache was written
    return render_template(
        "campaigns/show.html",
        campaign=campaign,
        figures=figures,
        behind=services.behind(campaign),
        match=services.public_match(campaign),
        share_url=public_url("campaigns.show_campaign", campaign_id=campaign.id),
        social_image_url=public_url(
            "campaigns.social_card", campaign_id=campaign.id, v=f"{campaign.figures_version}"
        ),
        announced_cents=transfers.announced_cents(campaign.id),
        story_html=content.render_markdown(campaign.story_markdown),
        pictures=content.pictures_of(campaign),
        updates=[(u, content.render_markdown(u.body_markdown)) for u in content.updates_of(campaign)],
        pledges=services.public_pledges(campaign),
        effects=figures["effects"],
        is_owner=current_user.is_authenticated and current_user.id == campaign.owner_id,
    )


@bp.route("/campaigns/<int:campaign_id>/social.png")
def social_card(campaign_id):
    """The preview card of a shared link (PNG, 1200 × 630), drawn once per change."""
    stamp = _public_stamp(campaign_id)
    locale = str(get_locale())
    etag = http.validator("social", campaign_id, *stamp, locale, personal=False)
    resp = http.not_modified(etag, stamp[0], personal=False)
    if resp is None:
        body = social_image.cached(
            ("social", campaign_id, *stamp, locale),
            lambda: _draw_card(services.get_campaign(campaign_id, current_user)),
        )
        resp = http.finish(Response(body, mimetype="image/png"), etag, stamp[0], personal=False)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _draw_card(campaign: Campaign) -> bytes:
    figures = services.public_figures([campaign])[campaign.id]
    if services.figures_written():
        db.session.commit()  # a read-only request: only the figures cache was written
    raised, goal = figures["raised_cents"], campaign.goal_cents
    percent = int(100 * raised // goal) if goal else 0
    locale = str(get_locale() or "nl")
    line = _("%(r)s van %(g)s (%(p)d%%)", r=money_text(raised, locale), g=money_text(goal, locale), p=percent)
    days = figures["days_left"]
    days_line = ngettext("nog %(num)d dag", "nog %(num)d dagen", days) if days is not None else ""
    brand = fund_branding()
    return social_image.draw(campaign.title, percent, line, days_line, brand["name"], brand["colour"])


@bp.route("/campaigns/<int:campaign_id>/pictures/<int:picture_id>")
def picture(campaign_id, picture_id):
    campaign = services.get_campaign(campaign_id, current_user)
    pic = content.get_picture(campaign, picture_id)
    return Response(
        pic.content,
        mimetype=pic.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"},
    )


def _pledge_values(form: forms.PledgeForm) -> dict:
    values = {
        "method": "bank_transfer" if form.method.data == "bank_transfer" else None,
        "amount_cents": form.chosen_cents(),
        "email": form.email.data,
        "display_name": form.display_name.data,
        "anonymous": form.anonymous.data,
        "hide_amount": form.hide_amount.data,
        "message": form.message.data,
        "notify_opt_in": form.notify_opt_in.data,
    }
    if form.tax_certificate.data:  # the certificate's fields count only when asked for
        values["tax_certificate"] = {
            "name": form.tc_name.data,
            "national_register_number": form.tc_rrn.data,
            "street": form.tc_street.data,
            "postal_code": form.tc_postal_code.data,
            "city": form.tc_city.data,
        }
    return values


def _presets(campaign: Campaign, form: forms.PledgeForm) -> list[tuple[int, int]]:
    """The preset amounts within the call's limits, each with what it becomes with the
    match now; they become the choices of the form's preset field."""
    lo, hi = services.pledge_limits(campaign)
    amounts = [a for a in forms.PRESET_AMOUNTS if lo <= a <= hi]
    presets = services.pledge_effects(campaign, amounts) or [(a, a) for a in amounts]
    form.preset.choices = [(str(a), str(a)) for a in amounts] + [(forms.OTHER, _("Ander bedrag"))]
    return presets


def _check_all(campaign: Campaign, form: forms.PledgeForm) -> None:
    """Every check in one pass: the service's rules too when the form's own failed, each
    message next to its field; an amount that is missing or unreadable gets the real limits."""
    if form.amount.errors or form.chosen_cents() is None:
        form.amount.errors = [services.amount_message(campaign)]
    try:
        services.check_pledge_values(campaign, _pledge_values(form))
    except DomainError as exc:
        for key, msgs in (exc.details or {}).items():
            name = _PLEDGE_FIELDS.get(key, key)
            if name in form and not form[name].errors and isinstance(msgs, list):
                form[name].errors = [str(m) for m in msgs]


_PLEDGE_FIELDS = {
    "amount_cents": "amount",
    "tax_certificate": "tax_certificate",
    "tax_certificate.name": "tc_name",
    "tax_certificate.national_register_number": "tc_rrn",
    "tax_certificate.street": "tc_street",
    "tax_certificate.postal_code": "tc_postal_code",
    "tax_certificate.city": "tc_city",
}


@bp.route("/campaigns/<int:campaign_id>/pledge", methods=["GET", "POST"])
def pledge(campaign_id):
    campaign = services.get_campaign(campaign_id, current_user)
    form = forms.PledgeForm()
    presets = _presets(campaign, form)
    if request.method == "GET":
        _prefill(form, presets)
    question = None
    valid = campaign.status == "open" and form.validate_on_submit()
    if valid and form.chosen_cents() is None:
        valid = False
    if request.method == "POST" and campaign.status == "open" and not valid:
        _check_all(campaign, form)
    if valid:
        try:
            if not current_user.is_authenticated:
                pledge_guard.guard_anonymous_pledge(
                    campaign.id, form.human_token.data, form.human_answer.data
                )
            new, token = services.create_pledge(
                campaign,
                _pledge_values(form),
                user_id=current_user.id if current_user.is_authenticated else None,
            )
        except HumanCheckRequired as exc:
            question, form.human_token.data, form.human_answer.data = exc.question, exc.token, ""
            form.human_answer.errors = [exc.message]
        except DomainError as exc:
            db.session.rollback()
            place_errors(form, exc, _PLEDGE_FIELDS)
        else:
            db.session.commit()
            _remember_token(new.id, token)
            if new.checkout_url is None:  # by transfer: how to pay, with the QR code
                return redirect(url_for("campaigns.pledge_status", pledge_id=new.id, token=token), 303)
            return redirect(new.checkout_url, 303)
    status = 422 if form.errors else (409 if campaign.status != "open" else 200)
    return (
        render_template(
            "campaigns/pledge.html",
            campaign=campaign,
            form=form,
            call=campaign.call,
            presets=presets,
            limits=services.pledge_limits(campaign),
            question=question,
            transfers_offered=funds.account(campaign.fund_id) is not None,
        ),
        status,
    )


def _session_pledge(pledge_id: int):
    """(the pledge, its receipt token) when this browser made it; (None, None) otherwise."""
    token = (session.get(_TOKENS) or {}).get(str(pledge_id))
    if not token:
        return None, None
    try:
        return services.pledge_by_token(pledge_id, token), token
    except DomainError:
        return None, None


def _remember_token(pledge_id: int, token: str) -> None:
    tokens = dict(session.get(_TOKENS) or {})
    tokens[str(pledge_id)] = token
    session[_TOKENS] = dict(list(tokens.items())[-20:])


# What the page after the checkout says, by the pledge's status (never thanks for a
# payment that did not go through).
_OUTCOMES = {
    "succeeded": "paid",
    "partially_refunded": "paid",
    "disputed": "paid",
    "pending": "pending",
    "failed": "failed",
    "expired": "failed",
}


def _outcome(pledge, cancelled: bool) -> str:
    if pledge is None:
        return "unknown"
    if pledge.status == "pending" and cancelled:
        return "cancelled"
    return _OUTCOMES.get(pledge.status, "other")


def _prefill(form: forms.PledgeForm, presets: list[tuple[int, int]]) -> None:
    """A GET: the known person's e-mail and name; an amount asked for in ?amount= (cents,
    as a retry sends it)."""
    if current_user.is_authenticated:
        form.email.data = current_user.email
        form.display_name.data = current_user.display_name
    asked = request.args.get("amount", "")
    if asked.isdigit():
        if int(asked) in {a for a, _b in presets}:
            form.preset.data = asked
        else:
            form.preset.data = forms.OTHER
            form.amount.set_cents(int(asked))


@bp.route("/pledges/<int:pledge_id>/thanks")
def thanks(pledge_id):
    """Where the checkout sends the backer back (paid, or ?cancelled=1): the page follows
    what happened to the payment."""
    found, token = _session_pledge(pledge_id)
    cancelled = request.args.get("cancelled") == "1"
    if found is not None and found.status == "pending" and not cancelled:
        services.returned_from_checkout(found)  # the webhook may not be here yet
        db.session.commit()
    outcome = _outcome(found, cancelled)
    match_cents, conditional = (0, False)
    if outcome == "paid":
        match_cents, conditional = services.match_of_pledge(found)
    resp = make_response(
        render_template(
            "campaigns/thanks.html",
            pledge=found,
            token=token,
            outcome=outcome,
            match_cents=match_cents,
            conditional=conditional,
            retry_form=forms.RetryForm(token=token),
            share_url=public_url("campaigns.show_campaign", campaign_id=found.campaign_id) if found else None,
        )
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/pledges/<int:pledge_id>/retry", methods=["POST"])
def retry(pledge_id):
    """Try again after a failed, expired or abandoned checkout (the receipt token proves
    it is the backer's pledge)."""
    form = forms.RetryForm()
    if not form.validate_on_submit():
        abort(400)
    found = services.pledge_by_token(pledge_id, form.token.data)
    campaign_id = found.campaign_id
    if found.status != "pending" and not current_user.is_authenticated:  # a new checkout: as the form
        try:
            pledge_guard.guard_anonymous_pledge(campaign_id, None, None)
        except HumanCheckRequired:
            flash(_("Beantwoord eerst een korte vraag en probeer dan opnieuw."), "info")
            again = url_for("campaigns.pledge", campaign_id=campaign_id, amount=found.amount_cents)
            return redirect(again, 303)
    with attempt() as outcome:
        new, token = services.retry_pledge(found)
    if outcome.failed:
        flash(outcome.error.message, "error")
        return redirect(url_for("campaigns.pledge_status", pledge_id=pledge_id, token=form.token.data), 303)
    if token is None:  # the checkout is still open
        return redirect(new.checkout_url, 303)
    _remember_token(new.id, token)
    if new.checkout_url is None:
        return redirect(url_for("campaigns.pledge_status", pledge_id=new.id, token=token), 303)
    return redirect(new.checkout_url, 303)


@bp.route("/pledges/<int:pledge_id>")
def pledge_status(pledge_id):
    token = request.args.get("token", "")
    found = services.pledge_by_token(pledge_id, token)
    return render_template(
        "campaigns/pledge_status.html",
        pledge=found,
        campaign=found.campaign,
        token=token,
        transfer=transfers.instructions(found),
        outcome=_outcome(found, False),
        retry_form=forms.RetryForm(token=token),
    )


@bp.route("/pledges/<int:pledge_id>/qr")
def pledge_qr(pledge_id):
    """The EPC QR code of a pledge by transfer (SVG, or PNG with ?format=png); needs the
    receipt token, as the status page does."""
    found = services.pledge_by_token(pledge_id, request.args.get("token", ""))
    transfer = transfers.instructions(found)
    if transfer is None:
        abort(404)
    fmt = "png" if request.args.get("format") == "png" else "svg"
    return Response(
        epc_qr.render(transfer.qr_payload, fmt),
        mimetype="image/png" if fmt == "png" else "image/svg+xml",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@bp.route("/campaigns/<int:campaign_id>/embed")
def embed(campaign_id):
    # The same for every visitor (no menu, no form): shared caches may keep it a minute.
    changed_at, version, _status, _days = _public_stamp(campaign_id)
    etag = http.validator("embed", campaign_id, changed_at, version, str(get_locale()), personal=False)
    resp = http.not_modified(etag, changed_at, personal=False)
    if resp is None:
        page = pagecache.anonymous_page(
            ("embed", campaign_id, changed_at, version),
            lambda: _embed_page(services.get_campaign(campaign_id)),
        )
        resp = http.finish(make_response(page), etag, changed_at, personal=False)
    # Meant to be framed by municipalities' and associations' sites.
    resp.headers["Content-Security-Policy"] = "frame-ancestors *"
    return resp


def _embed_page(campaign: Campaign) -> str:
    figures = services.public_figures([campaign])[campaign.id]
    if services.figures_written():
        db.session.commit()  # a read-only request: only the figures cache was written
    return render_template("campaigns/embed.html", campaign=campaign, figures=figures)


@bp.route("/my/campaigns")
def my_campaigns():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.path))
    from sqlalchemy import select

    rows = db.session.scalars(
        select(Campaign).where(Campaign.owner_id == current_user.id).order_by(Campaign.id)
    ).all()
    if not rows:
        flash(_("Je hebt nog geen campagne."), "info")
    return render_template("campaigns/mine.html", campaigns=rows)
