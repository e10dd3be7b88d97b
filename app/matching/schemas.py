"""Marshmallow schemas of the matching API."""

from __future__ import annotations

from marshmallow import fields, validate

from app.funds.schemas import Schema
from app.matching.models import SPONSOR_KINDS


class SponsorInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    contact_email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=254))
    kind = fields.String(load_default="company", validate=validate.OneOf(SPONSOR_KINDS))
    public = fields.Boolean(load_default=True)


class SponsorOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    contact_email = fields.String(allow_none=True)
    kind = fields.String()
    public = fields.Boolean()
    created_at = fields.DateTime()


class SponsorListSchema(Schema):
    items = fields.List(fields.Nested(SponsorOutSchema))
    next = fields.String(allow_none=True)


class EarmarkSchema(Schema):
    call_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    theme = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    municipalities = fields.List(fields.String(validate=validate.Length(min=1, max=120)), load_default=list)


class CommitmentInSchema(Schema):
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**11))
    earmark = fields.Nested(EarmarkSchema, load_default=dict)
    received = fields.Boolean(load_default=False)
    received_on = fields.Date(load_default=None, allow_none=True)
    received_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class CommitmentOutSchema(Schema):
    id = fields.Integer()
    sponsor_id = fields.Integer()
    amount_cents = fields.Integer()
    earmark = fields.Dict()
    received = fields.Boolean()
    received_on = fields.Date(allow_none=True)
    received_reference = fields.String(allow_none=True)
    available_cents = fields.Integer()
    reserved_cents = fields.Integer()
    matched_cents = fields.Integer()
    created_at = fields.DateTime()
    # How the sponsor pays it by transfer (null when the fund has no account set).
    structured_reference = fields.String(allow_none=True)
    qr_url = fields.String(allow_none=True)


class AllocationSchema(Schema):
    commitment_id = fields.Integer()
    sponsor_id = fields.Integer()
    sponsor_name = fields.String()
    reserved_cents = fields.Integer()
    matched_cents = fields.Integer()
    released_cents = fields.Integer()


class ExcludedSchema(Schema):
    pledge_id = fields.Integer()
    reason = fields.String()


class AttributionSchema(Schema):
    pledge_id = fields.Integer()
    commitment_id = fields.Integer()
    matched_cents = fields.Integer()


class MatchAuditSchema(Schema):
    policy = fields.Dict()
    raised_cents = fields.Integer()
    eligible_cents = fields.Integer()
    excluded = fields.List(fields.Nested(ExcludedSchema))
    eligible_backers = fields.Integer()
    max_match_cents = fields.Integer()
    matched_cents = fields.Integer()
    state = fields.String()
    conditional = fields.Boolean()
    allocations = fields.List(fields.Nested(AllocationSchema))
    attribution = fields.List(fields.Nested(AttributionSchema))
    explanation = fields.String()


class ProjectLineSchema(Schema):
    application_id = fields.Integer()
    campaign_id = fields.Integer(allow_none=True)
    title = fields.String(allow_none=True)
    state = fields.String()
    reserved_cents = fields.Integer()
    matched_cents = fields.Integer()
    released_cents = fields.Integer()


class TotalsSchema(Schema):
    amount_cents = fields.Integer()
    available_cents = fields.Integer()
    reserved_cents = fields.Integer()
    matched_cents = fields.Integer()


class SponsorReportSchema(Schema):
    sponsor = fields.Dict()
    totals = fields.Nested(TotalsSchema)
    commitments = fields.List(fields.Nested(CommitmentOutSchema))
    projects = fields.List(fields.Nested(ProjectLineSchema))


class VerifyCheckSchema(Schema):
    name = fields.String()
    ok = fields.Boolean()
    violations = fields.Integer()


class VerifySchema(Schema):
    ok = fields.Boolean()
    checks = fields.List(fields.Nested(VerifyCheckSchema))
    violations = fields.List(fields.Dict())
