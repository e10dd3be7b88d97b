"""API shapes of the outbox (marshmallow; flask-smorest documents them)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.funds.schemas import Schema
from app.notifications.catalogue import CATALOGUE
from app.notifications.models import OUTBOX_STATUSES


class OutboxListArgs(Schema):
    status = fields.String(validate=validate.OneOf(OUTBOX_STATUSES))
    kind = fields.String(validate=validate.OneOf(sorted(CATALOGUE)))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


class OutboxMessageSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    recipient = fields.String()
    locale = fields.String()
    transactional = fields.Boolean()
    status = fields.String()
    attempts = fields.Integer()
    subject = fields.String(allow_none=True)
    message_id = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    next_attempt_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)


class OutboxListSchema(Schema):
    items = fields.List(fields.Nested(OutboxMessageSchema))
    next = fields.String(allow_none=True)
