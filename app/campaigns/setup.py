from flask import Flask, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.calls.ports import HomeCampaigns
from app.campaigns import (  # noqa: F401
    confirm_groups,
    confirmation,
    home,
    manage_views,
    municipality_views,
    platform,
    pledge_views,
    services,
    tasks,
    views,
)
from app.campaigns.models import Campaign
from app.core import ports
from app.core.setup import add_nav, add_object_link, add_status_labels
from app.extensions import db
from app.funds import branding
from app.jury.ports import SelectionCampaigns
from app.payments.services import PaymentGroupReceiver, PaymentReceiver


def _owns_a_campaign(user) -> bool:
    """Whether the menu shows "Mijn campagnes": the user owns a campaign (asked once per request)."""
    if "owns_a_campaign" not in g:
        g.owns_a_campaign = (
            db.session.scalar(select(Campaign.id).where(Campaign.owner_id == user.id).limit(1)) is not None
        )
    return g.owns_a_campaign


CAMPAIGN_LABELS = {
    "draft": _l("ontwerp"),
    "open": _l("loopt"),
    "succeeded": _l("doel gehaald"),
    "failed": _l("doel niet gehaald"),
    "cancelled": _l("geannuleerd"),
}
PLEDGE_LABELS = {
    "pending": _l("wacht op betaling"),
    "succeeded": _l("betaald"),
    "failed": _l("mislukt"),
    "expired": _l("verlopen"),
    "refunded": _l("terugbetaald"),
    "partially_refunded": _l("deels terugbetaald"),
    "disputed": _l("betwist"),
    "dispute_lost": _l("betwisting verloren"),
    "cancelled": _l("geannuleerd"),
}
REFUND_LABELS = {
    "requested": _l("aangevraagd"),
    "submitted": _l("doorgegeven"),
    "succeeded": _l("terugbetaald"),
    "failed": _l("mislukt"),
}


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.before_request(platform.platform_home)  # the platform's `/` with several funds
    app.register_blueprint(manage_views.bp)
    app.register_blueprint(municipality_views.bp)
    add_status_labels(app, CAMPAIGN_LABELS, kind="campaign")
    add_status_labels(app, PLEDGE_LABELS, kind="pledge")
    add_status_labels(app, REFUND_LABELS, kind="refund")
    add_nav(app, "campaigns.list_campaigns", _l("Campagnes"))
    add_nav(
        app,
        "campaigns_manage.manage_campaigns",
        _l("Campagnebeheer"),
        ("fund_manager", "admin", "auditor"),
        group="money",
    )
    add_nav(app, "campaigns.my_campaigns", _l("Mijn campagnes"), when=_owns_a_campaign)
    add_object_link(
        app,
        "call",
        "campaigns_manage.call_campaigns",
        _l("Campagnes van deze oproep"),
        ("fund_manager", "admin", "auditor"),
    )
    # The public pages' fund name and absolute links (one helper each: app.funds.branding).
    app.jinja_env.globals["fund_branding"] = branding.fund_branding
    app.jinja_env.globals["public_url"] = branding.public_url
    # Every gateway update reaches the pledge through this one function.
    ports.provide(app, PaymentReceiver, confirmation.apply_payment)
    ports.provide(app, PaymentGroupReceiver, confirm_groups.apply_payments)
    ports.provide(app, SelectionCampaigns, services.create_campaigns)
    ports.provide(app, HomeCampaigns, home.RunningCampaigns())
