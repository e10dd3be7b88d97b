"""/api/v1, the fund manager's back office beyond what the first API had: edit a sponsor,
note that a commitment's money arrived, read and edit the mail templates, and read the
payment event log. The same services, roles and errors as the manager's pages; thin."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api.auth import commit, current_api_user, require_user
from app.api.matching import _commitment_out
from app.api.pagination import page
from app.funds.schemas import Schema
from app.matching import schemas as matching_schemas
from app.matching import services as matching
from app.matching.models import SPONSOR_KINDS
from app.notifications import services as notifications
from app.payments import services as payments
from app.payments.models import PaymentEvent

blp = Blueprint("api_fund_admin", __name__, url_prefix="/api/v1", description="Fund back office")
READERS = ("fund_manager", "admin", "auditor")
WRITERS = ("fund_manager", "admin")
OUTCOMES = ("received", "applied", "ignored", "rejected")


class SponsorPatchSchema(Schema):
    """Only the fields given change."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    contact_email = fields.String(allow_none=True, validate=validate.Length(max=254))
    kind = fields.String(validate=validate.OneOf(SPONSOR_KINDS))
    public = fields.Boolean()


class ReceivedInSchema(Schema):
    received_on = fields.Date(required=True)
    received_reference = fields.String(load_default="", allow_none=True, validate=validate.Length(max=120))


class TemplateRowSchema(Schema):
    kind = fields.String()
    label = fields.String()
    transactional = fields.Boolean()
    # per language: whether the fund wrote its own wording
    locales = fields.Dict(keys=fields.String(), values=fields.Boolean())


class TemplateListSchema(Schema):
    items = fields.List(fields.Nested(TemplateRowSchema))
    next = fields.String(allow_none=True)


class TemplateSchema(Schema):
    kind = fields.String()
    locale = fields.String()
    subject = fields.String()
    body = fields.String()
    overridden = fields.Boolean()


class TemplateInSchema(Schema):
    subject = fields.String(required=True)
    body = fields.String(required=True)


class PaymentEventArgs(Schema):
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


class PaymentEventSchema(Schema):
    id = fields.Integer()
    event_id = fields.String()
    gateway = fields.String()
    type = fields.String()
    object_id = fields.String(allow_none=True)
    pledge_id = fields.Integer(allow_none=True)
    outcome = fields.String()
    reason = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()


class PaymentEventListSchema(Schema):
    items = fields.List(fields.Nested(PaymentEventSchema))
    next = fields.String(allow_none=True)


@blp.route("/sponsors/<int:sponsor_id>")
class SponsorOne(MethodView):
    @require_user(*READERS, "sponsor")
    @blp.response(200, matching_schemas.SponsorOutSchema)
    def get(self, sponsor_id):
        """One sponsor: for the fund and the overseer, or its own contacts (404 otherwise)."""
        return matching.sponsor_for_reader(sponsor_id, current_api_user())

    @require_user(*WRITERS)
    @blp.arguments(SponsorPatchSchema)
    @blp.response(200, matching_schemas.SponsorOutSchema)
    def patch(self, data, sponsor_id):
        """Change a sponsor's name, contact e-mail, kind or visibility (422 on bad input);
        audited with before and after."""
        sponsor = matching.update_sponsor(matching.get_sponsor(sponsor_id), data, current_api_user().id)
        commit()
        return sponsor


@blp.route("/commitments/<int:commitment_id>/received", methods=["POST"])
@require_user(*WRITERS)
@blp.arguments(ReceivedInSchema)
@blp.response(200, matching_schemas.CommitmentOutSchema)
def commitment_received(data, commitment_id):
    """Note that the sponsor's money arrived: `{received_on, received_reference}`. Moves no
    money; audited."""
    commitment = matching.mark_received(
        matching.get_commitment(commitment_id),
        data["received_on"],
        data.get("received_reference") or "",
        current_api_user().id,
    )
    commit()
    return _commitment_out(commitment)


@blp.route("/mail-templates")
@require_user(*WRITERS)
@blp.response(200, TemplateListSchema)
def list_templates():
    """Every kind of mail with, per language, whether the fund wrote its own wording."""
    return {"items": notifications.template_rows(), "next": None}


@blp.route("/mail-templates/<kind>/<locale>")
class MailTemplateOne(MethodView):
    @require_user(*WRITERS)
    @blp.response(200, TemplateSchema)
    def get(self, kind, locale):
        """The template in force (the fund's own, or the shipped one); 404 for an unknown
        kind or language."""
        return notifications.get_template(kind, locale)

    @require_user(*WRITERS)
    @blp.arguments(TemplateInSchema)
    @blp.response(200, TemplateSchema)
    def put(self, data, kind, locale):
        """Store the fund's own wording; 422 when it does not render with the kind's
        sample values. Audited."""
        notifications.save_template(kind, locale, data["subject"], data["body"], current_api_user())
        commit()
        return notifications.get_template(kind, locale)

    @require_user(*WRITERS)
    @blp.response(200, TemplateSchema)
    def delete(self, kind, locale):
        """Drop the fund's own wording: the shipped template applies again. Audited."""
        notifications.reset_template(kind, locale, current_api_user())
        commit()
        return notifications.get_template(kind, locale)


@blp.route("/payment-events")
@require_user(*READERS)
@blp.arguments(PaymentEventArgs, location="query")
@blp.response(200, PaymentEventListSchema)
def payment_events(args):
    """The gateway's events as received, oldest first like every list; `?outcome=rejected`
    lists what needs a look (applied, ignored, rejected, received)."""
    query = payments.events_query(args.get("outcome")).order_by(None)
    return page(query, PaymentEvent.id, args, lambda e: e)
