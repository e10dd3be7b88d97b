"""API shapes of the payouts domain (marshmallow; flask-smorest documents them)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from app.funds.schemas import Schema


class ApprovalSchema(Schema):
    user_id = fields.Integer()
    at = fields.AwareDateTime()


class PayoutRequestSchema(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    status = fields.String()
    amount_cents = fields.Integer()
    iban = fields.String()
    account_holder = fields.String()
    description = fields.String()
    invoice_ids = fields.List(fields.Integer())
    approvals = fields.List(fields.Nested(ApprovalSchema))
    round = fields.Integer()
    reason = fields.String(allow_none=True)
    batch_id = fields.Integer(allow_none=True)
    end_to_end_id = fields.String(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    approved_at = fields.AwareDateTime(allow_none=True)
    paid_at = fields.AwareDateTime(allow_none=True)


class PayoutsSchema(Schema):
    payable_cents = fields.Integer()
    paid_out_cents = fields.Integer()
    requested_cents = fields.Integer()
    held_back_cents = fields.Integer()
    requestable_cents = fields.Integer()
    raised_cents = fields.Integer()
    matched_cents = fields.Integer()
    overpaid_cents = fields.Integer()
    final_report_share = fields.Float()
    settled = fields.Boolean()
    final_report_status = fields.String()
    items = fields.List(fields.Nested(PayoutRequestSchema))


class PayoutRequestInSchema(Schema):
    amount_cents = fields.Integer(required=True, strict=True)
    iban = fields.String(required=True)
    account_holder = fields.String(required=True)
    description = fields.String(required=True)
    invoice_ids = fields.List(fields.Integer(strict=True), required=True)


class PayoutRequestPatchSchema(Schema):
    amount_cents = fields.Integer(strict=True)
    iban = fields.String()
    account_holder = fields.String()
    description = fields.String()
    invoice_ids = fields.List(fields.Integer(strict=True))


class ReasonSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class InvoiceUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "PDF, JPEG or PNG, at most 10 MB"})


class InvoiceFormSchema(Schema):
    supplier = fields.String(required=True)
    invoice_date = fields.Date(required=True)
    amount_cents = fields.Integer(required=True, strict=False)
    description = fields.String(load_default="")


class InvoiceSchema(Schema):
    id = fields.Integer()
    campaign_id = fields.Integer()
    supplier = fields.String()
    invoice_date = fields.Date()
    amount_cents = fields.Integer()
    description = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class BatchInSchema(Schema):
    request_ids = fields.List(fields.Integer(strict=True), load_default=None)


class BatchSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    pain_version = fields.String()
    message_id = fields.String()
    total_cents = fields.Integer()
    count = fields.Integer()
    request_ids = fields.List(fields.Integer())
    created_at = fields.AwareDateTime()
    paid_at = fields.AwareDateTime(allow_none=True)


class SpendingLineSchema(Schema):
    description = fields.String(required=True)
    amount_cents = fields.Integer(required=True, strict=True)
    invoice_id = fields.Integer(load_default=None, allow_none=True, strict=True)


class FinalReportInSchema(Schema):
    summary = fields.String(required=True)
    spending = fields.List(fields.Nested(SpendingLineSchema), required=True)


class ProjectEndSchema(Schema):
    ends_on = fields.Date(required=True)


class FinalReportSchema(Schema):
    campaign_id = fields.Integer()
    status = fields.String()
    project_ends_on = fields.Date(allow_none=True)
    summary = fields.String()
    spending = fields.List(fields.Dict())
    reason = fields.String(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    approved_at = fields.AwareDateTime(allow_none=True)


def dump_request(req) -> dict:
    """The request with its invoices and the approvals of its current round."""
    return {
        **{
            k: getattr(req, k)
            for k in PayoutRequestSchema._declared_fields
            if hasattr(req, k) and k not in ("invoice_ids", "approvals")
        },
        "invoice_ids": [i.id for i in req.invoices],
        "approvals": [{"user_id": a.user_id, "at": a.created_at} for a in req.current_approvals],
    }


def dump_batch(batch) -> dict:
    return {
        **{k: getattr(batch, k) for k in BatchSchema._declared_fields if k != "request_ids"},
        "request_ids": [r.id for r in batch.requests],
    }


class PayoutSettingsSchema(Schema):
    call_id = fields.Integer(dump_only=True)
    final_report_share = fields.Float(required=True)
