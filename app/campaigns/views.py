"""Backer-facing pages: the campaign list and page, its pictures and preview card, the
embed, the owner's list. The pledge form and what follows it: pledge_views.py (same
blueprint)."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.campaigns import content, services, social_image, transfers
from app.campaigns.models import Campaign
from app.core import http, pagecache, sharedpage
from app.core.errors import DomainError
from app.core.money import format_cents as money_text
from app.extensions import db
from app.funds.branding import fund_branding, public_url

bp = Blueprint("campaigns", __name__, template_folder="templates")


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
    if sharedpage.shareable():
        return _shared_campaign_page(campaign_id)
    # Everything the page shows moves the campaign's figures_version or changed_at. A
    # visitor with a cookie has used the site (the pledge form sets one): the stamp is read
    # now, not up to PUBLIC_PAGE_MAX_AGE ago, so a backer back from paying sees their gift
    # (one statement; the render itself still comes from the cache of that version).
    stamp = _public_stamp(campaign_id, fresh=True)
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


def _shared_campaign_page(campaign_id: int) -> Response:
    """The page for a visitor who sent no cookie: no session, CSRF token or menu (the
    pledge form is its own page; the language switch asks for `?lang=`), so every such
    visitor of this address and language gets the same bytes. app.core.sharedpage answers
    the next ones from memory until the version stamp is due to be read again; a reverse
    proxy may keep it as long (s-maxage)."""
    stamp, until = _public_stamp_until(campaign_id)
    locale = str(get_locale())
    etag = http.validator("campaign-shared", campaign_id, *stamp, locale, personal=False)
    seconds = math.ceil(current_app.config.get("PUBLIC_PAGE_MAX_AGE", 0))
    if request.if_none_match.contains_weak(etag):
        resp = Response(status=304)
    else:
        page, shown = pagecache.anonymous_page_shown(
            ("campaign-shared", campaign_id, *stamp),
            lambda: _campaign_page(services.get_campaign(campaign_id, current_user), shared=True),
            stale_of=("campaign-shared", campaign_id),
        )
        if shown[2:] != stamp:  # the version before, while this process renders the new one
            etag = http.validator("campaign-shared", campaign_id, *shown[2:], locale, personal=False)
            until = None  # not kept: the next request may find the new one rendered
        resp = make_response(page)
    if until is not None:
        sharedpage.share_until(until)
    return http.finish_moment(resp, etag, seconds)


def _public_stamp(campaign_id: int, fresh: bool = False) -> tuple:
    """(changed_at, figures_version, status, days left) of a campaign the visitor may see;
    for an anonymous visitor as read at most PUBLIC_PAGE_MAX_AGE seconds ago (`fresh`: now)."""
    return _public_stamp_until(campaign_id, fresh)[0]


def _public_stamp_until(campaign_id: int, fresh: bool = False) -> tuple[tuple, float]:
    """(`_public_stamp`, the `pagecache.now()` at which it is read again)."""

    def read() -> tuple:
        c = services.get_campaign(campaign_id, current_user)
        return (c.changed_at, c.figures_version, c.status, c.ends_at)

    if pagecache.cacheable() and not fresh:
        max_age = current_app.config.get("PUBLIC_PAGE_MAX_AGE", 0)
        (changed_at, version, status, ends_at), until = pagecache.recent_until(
            ("campaign", campaign_id), max_age, read
        )
    else:
        (changed_at, version, status, ends_at), until = read(), pagecache.now()
    return (changed_at, version, status, services.days_left_until(status, ends_at)), until


def _campaign_page(campaign: Campaign, shared: bool = False) -> str:
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
        shared_page=shared,  # base.html: no session-bound form
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
    rows = db.session.scalars(
        select(Campaign).where(Campaign.owner_id == current_user.id).order_by(Campaign.id)
    ).all()
    if not rows:
        flash(_("Je hebt nog geen campagne."), "info")
    return render_template("campaigns/mine.html", campaigns=rows)
