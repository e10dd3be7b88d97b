"""/api/v1/me and /api/v1/privacy: a person's own data, its erasure, and requests by e-mail.
Thin: the rules live in app.privacy."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.accounts import services as accounts
from app.api.auth import commit, current_api_user, require_user
from app.core import ratelimit
from app.core.errors import Forbidden, ValidationFailed
from app.funds.schemas import Schema
from app.privacy import services as privacy
from app.privacy.models import KINDS

blp = Blueprint("api_privacy", __name__, url_prefix="/api/v1", description="Your data (GDPR)")


class EraseSchema(Schema):
    password = fields.String(required=True, validate=validate.Length(max=500))


class PrivacyRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


@blp.route("/me/data")
@require_user()
@blp.response(200)
def my_data():
    """Everything the platform holds about you: account, applications, scores you gave,
    pledges, mails sent to you, audit entries you made."""
    return privacy.data_of(current_api_user())


@blp.route("/me/erase", methods=["POST"])
@require_user()
@blp.arguments(EraseSchema)
@blp.response(200)
def erase_me(data):
    """Erase your account and personal data (the books keep amounts and dates; see the
    privacy page). Needs your password; every token, this one too, stops working."""
    user = current_api_user()
    if accounts.authenticate(user.email, data["password"]) is None:
        raise Forbidden(_("Je wachtwoord klopt niet."), code="wrong_password")
    result = privacy.erase_user(user, user.id)
    commit()
    return {"erased": True, **result}


@blp.route("/privacy/requests", methods=["POST"])
@blp.arguments(PrivacyRequestSchema)
@blp.response(202)
def privacy_request(data):
    """Ask for your data, or its erasure, by e-mail (no account needed). Always 202 with the
    same answer: a known address gets a mail with a link that carries the request out."""
    ratelimit.hit("RATELIMIT_PRIVACY", ratelimit.client_address())
    try:
        privacy.request_by_email(data["email"], data["kind"])
    except ValidationFailed:
        pass  # an address that is no address answers like an unknown one
    commit()
    return {"status": "accepted", "message": _("Als we gegevens over dit adres bewaren, kreeg het een mail.")}
