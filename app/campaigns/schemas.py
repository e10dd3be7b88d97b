"""API shapes of campaigns and pledges (marshmallow; flask-smorest documents them)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.campaigns.models import OFFLINE_METHODS
from app.funds.schemas import Schema


class CampaignSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    call_id = fields.Integer()
    title = fields.String()
    municipality = fields.String()
    theme = fields.String()
    goal_cents = fields.Integer()
    raised_cents = fields.Integer()
    matched_cents = fields.Integer()
    backers_count = fields.Integer()
    status = fields.String()
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)


class CampaignStaffSchema(CampaignSchema):
    """A campaign with its patron, as the fund manager sets it (the e-mail is not public)."""

    patron_name = fields.String(allow_none=True)
    patron_email = fields.String(allow_none=True)
    patron_role = fields.String(allow_none=True)


class PatronInSchema(Schema):
    """PATCH a campaign: only the fields given change; null or "" clears one."""

    patron_name = fields.String(allow_none=True)
    patron_email = fields.String(allow_none=True)
    patron_role = fields.String(allow_none=True)


class CampaignListSchema(Schema):
    items = fields.List(fields.Nested(CampaignSchema))
    next = fields.String(allow_none=True)


class CampaignListArgs(Schema):
    municipality = fields.String(load_default=None)
    theme = fields.String(load_default=None)
    status = fields.String(
        load_default=None, validate=validate.OneOf(["draft", "open", "succeeded", "failed", "cancelled"])
    )
    q = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


class TaxCertificateSchema(Schema):
    national_register_number = fields.String(required=True)
    name = fields.String(required=True)
    street = fields.String(required=True)
    postal_code = fields.String(required=True)
    city = fields.String(required=True)


class HumanCheckSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(max=500))
    answer = fields.String(required=True, validate=validate.Length(max=10))


class PledgeInSchema(Schema):
    # "bank_transfer": pay by transfer with a structured communication (no checkout);
    # anything else (or nothing) goes to the payment gateway's checkout.
    method = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(["checkout", "card", "bancontact", "bank_transfer"]),
    )
    amount_cents = fields.Integer(required=True, strict=True)
    email = fields.String(required=True)
    display_name = fields.String(load_default="")
    anonymous = fields.Boolean(load_default=False)
    message = fields.String(load_default="")
    hide_amount = fields.Boolean(load_default=False)
    notify_opt_in = fields.Boolean(load_default=False)
    tax_certificate = fields.Nested(TaxCertificateSchema, allow_none=True, load_default=None)
    # The language of the backer's mails (default: Accept-Language, else Dutch).
    locale = fields.String(validate=validate.OneOf(["nl", "en", "fr"]))
    # Only when a 428 asked for it (many pledges from one address): the question's token
    # and its answer.
    human_check = fields.Nested(HumanCheckSchema, allow_none=True, load_default=None)


class PledgeCreatedSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    method = fields.String()
    amount_cents = fields.Integer()
    checkout_url = fields.String(allow_none=True)
    receipt_token = fields.String()
    # Only for method "bank_transfer": where and how to transfer.
    iban = fields.String()
    bic = fields.String()
    beneficiary = fields.String()
    structured_reference = fields.String()
    qr_url = fields.String()


class PledgeSchema(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    status = fields.String()
    amount_cents = fields.Integer()
    refunded_cents = fields.Integer()
    method = fields.String()
    created_at = fields.AwareDateTime()
    confirmed_at = fields.AwareDateTime(allow_none=True)


class PledgeStaffSchema(PledgeSchema):
    email = fields.String(allow_none=True)
    display_name = fields.String()
    anonymous = fields.Boolean()
    reference = fields.String(allow_none=True)


class PledgeListSchema(Schema):
    items = fields.List(fields.Nested(PledgeStaffSchema))
    next = fields.String(allow_none=True)


class TokenArgs(Schema):
    token = fields.String(load_default="")


class RefundInSchema(Schema):
    amount_cents = fields.Integer(strict=True, allow_none=True, load_default=None)


class RefundSchema(Schema):
    id = fields.Integer()
    pledge_id = fields.Integer()
    amount_cents = fields.Integer()
    status = fields.String()
    reason = fields.String()


class OfflinePledgeInSchema(Schema):
    amount_cents = fields.Integer(required=True, strict=True)
    method = fields.String(required=True, validate=validate.OneOf(OFFLINE_METHODS))
    reference = fields.String(required=True)
    email = fields.String(allow_none=True, load_default=None)
    display_name = fields.String(load_default="")
    anonymous = fields.Boolean(load_default=False)
