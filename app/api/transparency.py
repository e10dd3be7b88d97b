"""/api/v1 transparency: report jobs and versions, the public ledger (a contract, issue 7)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.api.auth import commit, current_api_user, require_user
from app.calls import services as calls
from app.core.errors import ValidationFailed
from app.extensions import db
from app.funds.schemas import Schema
from app.transparency import services
from app.transparency.models import Report

blp = Blueprint("api_transparency", __name__, url_prefix="/api/v1", description="Transparency")


class JobSchema(Schema):
    job_id = fields.Integer(attribute="id")
    status = fields.String()
    progress = fields.Integer()
    report_id = fields.Integer(allow_none=True)
    scope = fields.String()
    call_id = fields.Integer(allow_none=True)
    year = fields.Integer(allow_none=True)


class JobCreatedSchema(Schema):
    job_id = fields.Integer(attribute="id")


class FundReportArgs(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))


class ReportVersionSchema(Schema):
    id = fields.Integer()
    scope = fields.String()
    scope_key = fields.String()
    call_id = fields.Integer(allow_none=True)
    year = fields.Integer(allow_none=True)
    version = fields.Integer()
    title = fields.String()
    created_at = fields.AwareDateTime()
    sha256 = fields.String()


class ReportListSchema(Schema):
    items = fields.List(fields.Nested(ReportVersionSchema))
    next = fields.String(allow_none=True)


class ReportListArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    after = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))
    scope_key = fields.String(load_default=None, validate=validate.Length(max=40))


class LedgerArgs(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class EntrySchema(Schema):
    account = fields.String()
    amount_cents = fields.Integer()


class LedgerRecordSchema(Schema):
    v = fields.Integer()  # absent on records sealed before issue 12 (version 1)
    seq = fields.Integer()
    transaction_id = fields.Integer()
    created_at = fields.String()
    kind = fields.String()
    entries = fields.List(fields.Nested(EntrySchema))
    reverses = fields.Integer(allow_none=True)
    backer = fields.Dict(allow_none=True)
    # Beside the hash (version 2): the name a backer chose to be shown by, unless erased.
    backer_name = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


class LedgerPageSchema(Schema):
    items = fields.List(fields.Nested(LedgerRecordSchema))
    next = fields.String(allow_none=True)


class LedgerHeadSchema(Schema):
    seq = fields.Integer()
    hash = fields.String()
    count = fields.Integer()
    fund = fields.String(metadata={"description": "whose chain (each fund has its own; ?fund=SLUG)"})


@blp.route("/calls/<int:call_id>/reports", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(202, JobCreatedSchema)
def request_call_report(call_id):
    """Queue a new version of the call's report → 202 {job_id}."""
    user = current_api_user()
    job = services.request_call_report(calls.get_call(call_id, user), user.id)
    commit()
    return job


@blp.route("/transparency/fund-reports", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(FundReportArgs)
@blp.response(202, JobCreatedSchema)
def request_fund_report(data):
    """Queue a new version of the fund's report of one calendar year → 202 {job_id}."""
    job = services.request_fund_report(data["year"], current_api_user().id)
    commit()
    return job


@blp.route("/jobs/<int:job_id>")
@require_user("fund_manager", "admin", "auditor")
@blp.response(200, JobSchema)
def job(job_id):
    """{status: queued | running | done | failed, progress: 0..100, report_id}."""
    return services.get_job(job_id)


@blp.route("/transparency/reports")
@blp.arguments(ReportListArgs, location="query")
@blp.response(200, ReportListSchema)
def reports(args):
    """Every published version, by id, paged with ?after=&limit=."""
    query = services.list_reports(args.get("scope_key"))
    if args.get("after"):
        query = query.where(Report.id > args["after"])
    rows = db.session.scalars(query.order_by(Report.id).limit(args["limit"] + 1)).all()
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {"items": rows, "next": str(rows[-1].id) if more and rows else None}


@blp.route("/transparency/reports/<int:report_id>")
@blp.doc(responses={200: {"description": "The report's JSON document, byte for byte (its sha256)"}})
def report(report_id):
    """The report's JSON document: the exact bytes whose SHA-256 the list shows."""
    return Response(services.get_report(report_id).body, mimetype="application/json")


@blp.route("/transparency/reports/<int:report_id>.pdf")
def report_pdf(report_id):
    """The report as PDF (the same figures)."""
    doc = services.report_document(services.get_report(report_id))
    return Response(services.to_pdf(doc), mimetype="application/pdf")


@blp.route("/transparency/reports/<int:report_id>.csv")
def report_csv(report_id):
    """The report's campaigns as CSV (?table=selection|municipalities|sponsors|applications)."""
    from flask import request

    table = request.args.get("table", "campaigns")
    if table not in services.CSV_TABLES:
        msg = _("Kies een tabel: %(t)s.", t=", ".join(services.CSV_TABLES))
        raise ValidationFailed(msg, details={"table": [msg]})
    doc = services.report_document(services.get_report(report_id))
    return Response(services.to_csv(doc, table), mimetype="text/csv")


@blp.route("/transparency/ledger")
class Ledger(MethodView):
    @blp.arguments(LedgerArgs, location="query")
    @blp.response(200, LedgerPageSchema)
    def get(self, args):
        """A fund's sealed public ledger (`?fund=SLUG`; else the default fund's) from seq
        `after` + 1, at most `limit` records."""
        return services.ledger_page(args["after"], args["limit"])


@blp.route("/transparency/ledger/head")
@blp.response(200, LedgerHeadSchema)
def ledger_head():
    """{seq, hash, count} of the sealed ledger (seals first, so it is current)."""
    services.seal_ledger()
    commit()
    return services.ledger_head()
