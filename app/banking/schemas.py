"""API shapes of bank statements and lines (marshmallow; flask-smorest documents them)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from app.banking.models import LINE_STATES
from app.funds.schemas import Schema


class StatementUploadSchema(Schema):
    file = Upload(required=True)


class StatementSummarySchema(Schema):
    id = fields.Integer()
    statement_number = fields.String()
    statement_date = fields.Date()
    opening_balance_cents = fields.Integer()
    closing_balance_cents = fields.Integer()


class StatementImportSchema(Schema):
    """One imported file. With several statements in it, ``id`` and ``statement_number``
    are the first's, ``opening_balance_cents`` the first's and ``closing_balance_cents``
    and ``statement_date`` the last's; ``statements`` lists each."""

    id = fields.Integer()
    format = fields.String()
    account_iban = fields.String()
    statement_number = fields.String()
    statement_date = fields.Date()
    opening_balance_cents = fields.Integer()
    closing_balance_cents = fields.Integer()
    lines = fields.Integer()
    matched = fields.Integer()
    unmatched = fields.Integer()
    duplicates = fields.Integer()
    statements = fields.List(fields.Nested(StatementSummarySchema))


class BankLineSchema(Schema):
    id = fields.Integer()
    statement_id = fields.Integer()
    account_iban = fields.String()
    amount_cents = fields.Integer()
    booking_date = fields.Date()
    value_date = fields.Date(allow_none=True)
    counterparty_name = fields.String()
    counterparty_account = fields.String()
    structured_reference = fields.String(allow_none=True)
    free_text = fields.String()
    end_to_end_id = fields.String(allow_none=True)
    status = fields.String()
    reason = fields.String(allow_none=True)
    pledge_id = fields.Integer(allow_none=True)
    commitment_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)


class BankLineListSchema(Schema):
    items = fields.List(fields.Nested(BankLineSchema))
    next = fields.String(allow_none=True)


class BankLineArgs(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(LINE_STATES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.String(load_default=None, allow_none=True)


class AssignSchema(Schema):
    """Exactly one of these (422 otherwise)."""

    pledge_id = fields.Integer(strict=True, load_default=None, allow_none=True)
    commitment_id = fields.Integer(strict=True, load_default=None, allow_none=True)
    campaign_id = fields.Integer(strict=True, load_default=None, allow_none=True)
    other = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class UndoSchema(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
