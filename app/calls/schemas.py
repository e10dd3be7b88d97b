"""API shapes of calls and applications (marshmallow; flask-smorest documents them)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.calls.models import APPLICANT_TYPES
from app.funds.schemas import Schema


class CriterionSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    weight = fields.Float(required=True)
    max_score = fields.Integer(required=True, strict=True)


class MatchPolicySchema(Schema):
    ratio = fields.Float()
    cap_per_project_cents = fields.Integer(strict=True, allow_none=True)
    cap_share_of_budget = fields.Float(allow_none=True)
    cap_per_backer_cents = fields.Integer(strict=True, allow_none=True)
    min_backers = fields.Integer(strict=True, allow_none=True)
    condition = fields.String(validate=validate.OneOf(["target_reached", "none"]))
    mode = fields.String(validate=validate.OneOf(["at_close", "live"]))
    exclude_owner = fields.Boolean()
    offline_eligible = fields.Boolean()


class CallSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String()
    theme = fields.String(validate=validate.Length(max=80))
    municipalities = fields.List(fields.String())
    applicant_types = fields.List(fields.String(validate=validate.OneOf(APPLICANT_TYPES)))
    opens_at = fields.AwareDateTime(allow_none=True)
    closes_at = fields.AwareDateTime(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionSchema))
    match_policy = fields.Nested(MatchPolicySchema)
    campaign_days = fields.Integer(strict=True)
    status = fields.String(dump_only=True)
    calibration = fields.Boolean()
    matching_budget_cents = fields.Integer(strict=True, allow_none=True)
    max_selected_per_municipality = fields.Integer(strict=True, allow_none=True)
    disagreement_threshold = fields.Float()
    tie_lottery = fields.Boolean()
    lottery_seed = fields.String(dump_only=True, allow_none=True)
    min_pledge_cents = fields.Integer(strict=True)
    max_pledge_cents = fields.Integer(strict=True)
    all_or_nothing = fields.Boolean()
    published_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class CallOutSchema(CallSchema):
    match_policy = fields.Function(lambda call: call.policy)


class CallListSchema(Schema):
    items = fields.List(fields.Nested(CallOutSchema))
    next = fields.String(allow_none=True)


class CallListArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)
    status = fields.String(load_default=None, validate=validate.OneOf(["draft", "published", "closed"]))


_text = {"allow_none": True}


class ApplicationSchema(Schema):
    id = fields.Integer(dump_only=True)
    call_id = fields.Integer(dump_only=True)
    status = fields.String(dump_only=True)
    title = fields.String(**_text)
    summary = fields.String(**_text)
    description = fields.String(**_text)
    municipality = fields.String(**_text)
    applicant_type = fields.String(**_text)
    organisation = fields.String(**_text)
    enterprise_number = fields.String(**_text)
    budget_cents = fields.Integer(strict=True, allow_none=True)
    target_cents = fields.Integer(strict=True, allow_none=True)
    screening_reason = fields.String(dump_only=True, allow_none=True)
    submitted_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    attachments = fields.Function(
        lambda a: [
            {
                "id": x.id,
                "filename": x.filename,
                "content_type": x.content_type,
                "size": x.size,
                "sha256": x.sha256,
            }
            for x in a.attachments
        ],
        dump_only=True,
    )


class ApplicationListSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSchema))
    next = fields.String(allow_none=True)


class ScreeningSchema(Schema):
    eligible = fields.Boolean(required=True)
    reason = fields.String(load_default="")
