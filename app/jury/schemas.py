"""API shapes of the jury (marshmallow; flask-smorest documents them)."""

from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate, validates_schema

from app.funds.schemas import Schema


class JurorInSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))


class JurorSchema(Schema):
    user_id = fields.Integer(allow_none=True)
    email = fields.String()
    display_name = fields.String()
    status = fields.String(metadata={"description": "active, unconfirmed or invited"})


class JurorListSchema(Schema):
    items = fields.List(fields.Nested(JurorSchema))


class AssignmentInSchema(Schema):
    per_application = fields.Integer(strict=True, validate=validate.Range(min=1, max=50))
    juror_email = fields.String(validate=validate.Length(min=3, max=254))
    application_id = fields.Integer(strict=True)

    @validates_schema
    def one_way(self, data, **kwargs):
        auto = "per_application" in data
        manual = "juror_email" in data
        if auto == manual:
            raise ValidationError(_("Geef per_application, of juror_email (met application_id)."))
        if auto and "application_id" in data:
            raise ValidationError(_("application_id hoort bij juror_email."), "application_id")


class AssignmentSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    user_id = fields.Integer()
    juror_email = fields.Function(lambda a: a.user.email)
    declaration = fields.String()
    submitted = fields.Function(lambda a: a.submitted_at is not None)
    assigned_at = fields.AwareDateTime()


class AssignmentListSchema(Schema):
    items = fields.List(fields.Nested(AssignmentSchema))


class AssignmentResultSchema(Schema):
    created = fields.List(fields.Nested(AssignmentSchema))
    short = fields.List(fields.Dict())


class WindowSchema(Schema):
    call_id = fields.Integer()
    state = fields.String()
    opened_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    reveal_scores = fields.Boolean()
    lottery_seed = fields.String(allow_none=True)


class RevealSchema(Schema):
    reveal = fields.Boolean(required=True)


class ConflictInSchema(Schema):
    conflict = fields.Boolean(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class ScoreInSchema(Schema):
    scores = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=5000))
    submit = fields.Boolean(load_default=False)


class OtherScoreSchema(Schema):
    juror = fields.String()
    scores = fields.Dict()
    comment = fields.String()
    total = fields.Float(allow_none=True)


class ScoreSchema(Schema):
    application_id = fields.Integer()
    declaration = fields.String()
    scores = fields.Dict()
    comment = fields.String()
    total = fields.Float(allow_none=True)
    saved_at = fields.AwareDateTime(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    application = fields.Dict()
    others = fields.List(fields.Nested(OtherScoreSchema), allow_none=True)


class RankingRowSchema(Schema):
    application_id = fields.Integer()
    rank = fields.Integer()
    raw_score = fields.Float(allow_none=True)
    calibrated_score = fields.Float(allow_none=True)
    totals_count = fields.Integer()
    disagreement = fields.Float(allow_none=True)
    disputed = fields.Boolean()


class RankingSchema(Schema):
    items = fields.List(fields.Nested(RankingRowSchema))
    lottery_seed = fields.String(allow_none=True)
    calibration = fields.Boolean()
    disagreement_threshold = fields.Float()


class SkippedSchema(Schema):
    application_id = fields.Integer()
    reason = fields.String()


class ProposalSchema(Schema):
    proposed = fields.List(fields.Integer())
    skipped = fields.List(fields.Nested(SkippedSchema))
    match_cents = fields.Dict(keys=fields.String(), values=fields.Integer())


class ConfirmInSchema(Schema):
    application_ids = fields.List(fields.Integer(strict=True), required=True)
    reasons = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)


class SelectionSchema(Schema):
    call_id = fields.Integer()
    confirmed_at = fields.AwareDateTime()
    proposed_ids = fields.List(fields.Integer())
    selected_ids = fields.List(fields.Integer())
    reasons = fields.Dict()


class AuditEventSchema(Schema):
    id = fields.Integer()
    created_at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    note = fields.String(allow_none=True)


class AuditTrailSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema))
