"""/api/v1 for the overseer and the fund: the audit trail (searchable, each event with its
chain seal), its integrity check, and the yearly tax-certificate export (the overseer
only). The same services and roles as the pages /audit, /integrity and /tax-certificates."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api.auth import commit, current_api_user, require_user
from app.core import audit
from app.core.audit import AuditEvent
from app.core.errors import Conflict
from app.extensions import db
from app.funds.schemas import Schema
from app.transparency import services as transparency

blp = Blueprint("api_oversight", __name__, url_prefix="/api/v1", description="Audit trail and oversight")
READERS = ("fund_manager", "admin", "auditor")


class AuditArgs(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    actor_id = fields.Integer(load_default=None, allow_none=True)
    since = fields.AwareDateTime(load_default=None, allow_none=True)
    until = fields.AwareDateTime(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.Integer(load_default=None, allow_none=True)


class SealSchema(Schema):
    seq = fields.Integer()
    prev_hash = fields.String()
    hash = fields.String()


class AuditLogEventSchema(Schema):
    id = fields.Integer()
    created_at = fields.AwareDateTime()
    actor_id = fields.Integer(allow_none=True)
    action = fields.String()
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    note = fields.String(allow_none=True)
    seal = fields.Nested(SealSchema, allow_none=True)


class AuditLogSchema(Schema):
    items = fields.List(fields.Nested(AuditLogEventSchema))
    next = fields.String(allow_none=True)


class IntegritySchema(Schema):
    ok = fields.Boolean()
    ledger_failures = fields.List(fields.String())
    audit_failures = fields.List(fields.String())
    ledger_head = fields.Dict()


class TaxArgs(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class TaxRowSchema(Schema):
    national_register_number = fields.String()
    name = fields.String()
    street = fields.String()
    postal_code = fields.String()
    city = fields.String()
    email = fields.String(allow_none=True)
    total_cents = fields.Integer()
    gifts = fields.Integer()


class TaxExportSchema(Schema):
    year = fields.Integer()
    items = fields.List(fields.Nested(TaxRowSchema))
    next = fields.String(allow_none=True)


@blp.route("/audit")
@require_user(*READERS)
@blp.arguments(AuditArgs, location="query")
@blp.response(200, AuditLogSchema)
def audit_trail(args):
    """Who did what, when, before and after, oldest first, with each event's seal (null
    until sealed). `?q=` searches action, object, note and values; `actor_id`, `since`,
    `until` narrow it; `?limit=&after=` pages."""
    query = transparency.audit_events(args["q"], args["actor_id"], args["since"], args["until"])
    query = query.order_by(None).order_by(AuditEvent.id)
    if args["after"] is not None:
        query = query.where(AuditEvent.id > args["after"])
    rows = db.session.execute(query.limit(args["limit"] + 1)).all()
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    items = [{**_event(event), "seal": seal} for event, seal in rows]
    return {"items": items, "next": str(rows[-1][0].id) if more and rows else None}


def _event(event: AuditEvent) -> dict:
    keys = ("id", "created_at", "actor_id", "action", "object_type", "object_id", "before", "after", "note")
    return {k: getattr(event, k) for k in keys}


@blp.route("/audit/integrity")
@require_user(*READERS)
@blp.response(200, IntegritySchema)
def integrity():
    """Seal what is new, then compare every seal with the journal and the audit trail as
    they are in the database now: `ok` and one line per failure."""
    transparency.seal_ledger()
    transparency.seal_audit_trail()
    commit()
    ledger = transparency.check_seals()
    trail = transparency.verify_audit_trail()
    return {
        "ok": not ledger and not trail,
        "ledger_failures": ledger,
        "audit_failures": trail,
        "ledger_head": transparency.ledger_head(),
    }


@blp.route("/tax-certificates")
@require_user("auditor")
@blp.arguments(TaxArgs, location="query")
@blp.response(200, TaxExportSchema)
def tax_certificates(args):
    """The overseer's yearly export: one row per donor who asked for a certificate and gave
    at least € 40 in calendar year `year`. The export is in the audit trail (who took the
    register numbers, when). 409 when the data-encryption key is missing."""
    year = args["year"]
    try:
        rows = transparency.tax_certificate_rows(year)
    except RuntimeError:  # no DATA_ENCRYPTION_KEY: the requests cannot be read
        rows = None
    if rows is None:
        raise Conflict(_("Deze export is nog niet beschikbaar."), code="tax_certificates_unavailable")
    audit.record(
        db.session,
        current_api_user().id,
        "tax_certificates.export",
        "year",
        year,
        after={"donors": len(rows)},
    )
    commit()
    return {"year": year, "items": rows, "next": None}
