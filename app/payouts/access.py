"""Who may see and do what with a project's payouts. Objects a user may not see are 404."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.campaigns.models import Campaign
from app.core.errors import Conflict, Forbidden, NotFound
from app.extensions import db

STAFF = ("fund_manager", "admin", "auditor")
MANAGERS = ("fund_manager", "admin")


def is_staff(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", True) and user.has_role(*STAFF))


def is_manager(user) -> bool:
    return bool(user is not None and user.has_role(*MANAGERS))


def is_owner(user, campaign: Campaign) -> bool:
    return user is not None and getattr(user, "id", None) == campaign.owner_id


def campaign_for(campaign_id: int, user, *, owner: bool = False, lock: bool = False) -> Campaign:
    """The campaign when `user` may see its payouts (its owner or the fund's staff; 404 for
    anyone else). With `owner`, only the owner may act (403 for staff)."""
    query = select(Campaign).where(Campaign.id == campaign_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    campaign = db.session.scalar(query)
    if campaign is None or not (is_owner(user, campaign) or is_staff(user)):
        raise NotFound(_("Campagne niet gevonden."))
    if owner and not is_owner(user, campaign):
        raise Forbidden(_("Alleen de projecteigenaar kan dit doen."))
    return campaign


def require_manager(user) -> None:
    if not is_manager(user):
        raise Forbidden(_("Alleen een fondsbeheerder kan dit doen."))


def not_own_project(user, campaign: Campaign) -> None:
    """The owner of a project never decides on its money, whatever other role they hold."""
    if is_owner(user, campaign):
        raise Forbidden(
            _("Je kunt niet beslissen over de uitbetalingen van je eigen project."), code="own_project"
        )


def conflict(message: str, code: str, **details) -> Conflict:
    return Conflict(message, code=code, details=details)
