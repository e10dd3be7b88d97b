"""A campaign's patron (peter/meter, often a mayor): name, e-mail and an optional role such
as "burgemeester van Eeklo". The fund manager sets it; the "campaign opened" mail reaches the
patron when the campaign opens, or at once when a patron is set on a campaign already open."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.accounts import services as accounts
from app.campaigns import events
from app.campaigns.models import Campaign
from app.core import audit
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db

FIELDS = ("patron_name", "patron_email", "patron_role")
MAX_LENGTH = {"patron_name": 200, "patron_role": 200}
SETTABLE = ("draft", "open")


def patron_of(campaign: Campaign) -> dict[str, str | None]:
    return {k: getattr(campaign, k) for k in FIELDS}


def set_patron(campaign: Campaign, values: dict[str, Any], actor_id: int | None) -> Campaign:
    """Change the fields of `values` that are given (an empty string or None clears one).

    A patron with an e-mail or a role needs a name (422). Refuses a closed campaign (409
    campaign_closed): its page is history. Audited; a new patron e-mail on an open campaign
    gets the "campaign opened" mail now (signal patron_set).
    """
    if campaign.status not in SETTABLE:
        raise Conflict(_("Een afgesloten campagne kan niet meer wijzigen."), code="campaign_closed")
    before = patron_of(campaign)
    after = dict(before)
    errors: dict[str, list[str]] = {}
    for key in FIELDS:
        if key not in values:
            continue
        value = (values.get(key) or "").strip() or None
        if key == "patron_email" and value:
            try:
                value = accounts.normalise_email(value)
            except ValidationFailed as exc:
                errors[key] = exc.details.get("email") or [exc.message]
        elif value and len(value) > MAX_LENGTH[key]:
            errors[key] = [_("Hoogstens %(n)d tekens.", n=MAX_LENGTH[key])]
        after[key] = value
    if not errors and not after["patron_name"] and (after["patron_email"] or after["patron_role"]):
        errors["patron_name"] = [_("Geef de naam van de peter of meter.")]
    if errors:
        raise ValidationFailed(_("Sommige velden kloppen niet."), details=errors)
    if after == before:
        return campaign
    for key, value in after.items():
        setattr(campaign, key, value)
    db.session.flush()
    audit.record(db.session, actor_id, "campaign.patron_set", "campaign", campaign.id, before, after)
    if after["patron_email"] and after["patron_email"] != before["patron_email"]:
        events.patron_set.send(campaign)
    return campaign
