"""Public transparency pages and downloads; the report requests of fund managers; the audit
trail and the tax certificate export of the overseer."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts import services as accounts
from app.calls import services as calls
from app.core import audit, audit_words, clock
from app.core.audit import AuditEvent
from app.core.auth import roles_required
from app.extensions import db
from app.transparency import charts, forms, render, services
from app.transparency import platform as platform_figures
from app.transparency.models import Report, ReportJob

bp = Blueprint("transparency", __name__, url_prefix="/transparency", template_folder="templates")
MANAGERS = ("fund_manager", "admin")
READERS = ("fund_manager", "admin", "auditor")


def download(data: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/funds")
def platform():
    """Every fund's published figures together, each linked to its own ledger."""
    items, total = platform_figures.overview()
    return render_template("transparency/platform.html", items=items, total=total)


@bp.route("")
def index():
    """Every published report (newest version first) and the ledger head."""
    reports = db.session.scalars(
        services.list_reports().order_by(Report.created_at.desc(), Report.id.desc())
    ).all()
    latest: dict[str, Report] = {}
    for r in reports:
        latest.setdefault(r.scope_key, r)
    return render_template(
        "transparency/index.html",
        latest=list(latest.values()),
        reports=reports,
        head=services.ledger_head(),
        fund_form=forms.FundReportForm(year=clock.local(clock.now()).year),
    )


def _chart_rows(doc: dict) -> dict:
    projects = [{"label": c["title"], **c} for c in doc.get("campaigns", [])]
    munis = [{"label": m["municipality"], **m} for m in doc.get("by_municipality", [])]
    labels = (_("opgehaald"), _("verdubbeld"))
    return {
        "projects": charts.bars(projects, _("Opgehaald en verdubbeld per project"), labels)
        if projects
        else None,
        "municipalities": charts.bars(munis, _("Opgehaald en verdubbeld per gemeente"), labels)
        if munis
        else None,
        "progress": charts.progress(projects, _("Voortgang van de campagnes tegenover hun doel"))
        if projects
        else None,
    }


@bp.route("/reports/<int:report_id>")
def report(report_id):
    rep = services.get_report(report_id)
    doc = services.report_document(rep)
    versions = db.session.scalars(services.list_reports(rep.scope_key).order_by(Report.version.desc())).all()
    return render_template(
        "transparency/report.html", report=rep, doc=doc, versions=versions, charts=_chart_rows(doc)
    )


@bp.route("/reports/<int:report_id>.json")
def report_json(report_id):
    rep = services.get_report(report_id)
    return download(rep.body, "application/json", f"rapport-{rep.id}-v{rep.version}.json")


@bp.route("/reports/<int:report_id>.pdf")
def report_pdf(report_id):
    rep = services.get_report(report_id)
    return download(
        render.to_pdf(services.report_document(rep)),
        "application/pdf",
        f"rapport-{rep.id}-v{rep.version}.pdf",
    )


@bp.route("/reports/<int:report_id>.csv")
def report_csv(report_id):
    rep = services.get_report(report_id)
    table = request.args.get("table", "campaigns")
    if table not in render.CSV_TABLES:
        abort(404)
    body = render.to_csv(services.report_document(rep), table)
    return download(body, "text/csv; charset=utf-8", f"rapport-{rep.id}-v{rep.version}-{table}.csv")


@bp.route("/ledger.jsonl")
def ledger_jsonl():
    """The site's fund's whole public ledger (each fund has its own chain); sealed first, so
    it holds everything committed until now."""
    services.seal_ledger()
    db.session.commit()
    chain = services.chain_of()
    head = services.ledger_head(chain)
    lines = stream_with_context(services.iter_jsonl(head["seq"], chain))
    return Response(
        lines,
        mimetype="application/jsonl",
        headers={"Content-Disposition": f'attachment; filename="{head["fund"]}-ledger.jsonl"'},
    )


# --- fund managers: generating reports ------------------------------------------------------


@bp.route("/calls/<int:call_id>/reports", methods=["GET", "POST"])
@roles_required(*READERS)
def call_reports(call_id):
    call = calls.get_call(call_id, current_user)
    form = forms.GenerateReportForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        job = services.request_call_report(call, current_user.id)
        db.session.commit()
        flash(_("Het rapport wordt gemaakt."), "info")
        return redirect(url_for("transparency.job", job_id=job.id))
    versions = db.session.scalars(
        services.list_reports(f"call:{call.id}").order_by(Report.version.desc())
    ).all()
    jobs = db.session.scalars(
        select(ReportJob).where(ReportJob.call_id == call.id).order_by(ReportJob.id.desc()).limit(10)
    ).all()
    return render_template(
        "transparency/call_reports.html", call=call, versions=versions, jobs=jobs, form=form
    )


@bp.route("/years/reports", methods=["POST"])
@roles_required(*MANAGERS)
def fund_report():
    form = forms.FundReportForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.year.errors) or _("Kies een jaar."), "error")
        return redirect(url_for("transparency.index"))
    job = services.request_fund_report(form.year.data, current_user.id)
    db.session.commit()
    return redirect(url_for("transparency.job", job_id=job.id))


@bp.route("/jobs/<int:job_id>")
@roles_required(*READERS)
def job(job_id):
    """The progress of a report job; refreshes itself (no JavaScript) until it is done."""
    the_job = services.get_job(job_id)
    return render_template("transparency/job.html", job=the_job)


# --- the overseer ----------------------------------------------------------------------------

AUDIT_PAGE = 50


def _date_arg(name: str) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return clock.from_local(datetime.strptime(value, "%Y-%m-%d"))
    except ValueError:
        abort(400)


@bp.route("/audit")
@roles_required(*READERS)
def audit_trail():
    """Who did what, when, before and after; searchable; each event with its chain seal."""
    q = request.args.get("q", "")[:200]
    actor = request.args.get("actor", "").strip()
    if actor and not actor.isdigit():
        abort(400)
    before = request.args.get("before", "").strip()
    if before and not before.isdigit():
        abort(400)
    since, until = _date_arg("from"), _date_arg("to")
    if until is not None:
        until = clock.add_local_days(until, 1)
    who = request.args.get("who", "")[:200]
    query = services.audit_events(q, int(actor) if actor else None, since, until, who=who)
    if before:
        query = query.where(AuditEvent.id < int(before))
    rows = db.session.execute(query.limit(AUDIT_PAGE + 1)).all()
    more = len(rows) > AUDIT_PAGE
    rows = rows[:AUDIT_PAGE]
    actors = {}
    for event, _seal in rows:
        if event.actor_id is not None and event.actor_id not in actors:
            user = accounts.get_user(event.actor_id)
            actors[event.actor_id] = f"{user.display_name} <{user.email}>" if user else f"#{event.actor_id}"
    return render_template(
        "transparency/audit.html",
        rows=rows,
        actors=actors,
        describe=audit_words.describe,
        next_before=rows[-1][0].id if more and rows else None,
        args=request.args,
    )


@bp.route("/integrity")
@roles_required(*READERS)
def integrity():
    """Compare the seals with the journal and the audit trail in the database, now."""
    services.seal_ledger()
    services.seal_audit_trail()
    db.session.commit()
    return render_template(
        "transparency/integrity.html",
        ledger=services.check_seals(),
        audit=services.verify_audit_trail(),
        head=services.ledger_head(),
    )


@bp.route("/tax-certificates")
@roles_required("auditor", write_roles=())
def tax_certificates():
    """The yearly tax certificate export: a form, and the CSV for one calendar year."""
    year_arg = request.args.get("year", "").strip()
    if not year_arg:
        return render_template(
            "transparency/tax.html", year=clock.local(clock.now()).year - 1, available=True
        )
    if not year_arg.isdigit() or not 2000 <= int(year_arg) <= 2100:
        abort(400)
    rows = services.tax_certificate_rows(int(year_arg))
    if rows is not None:
        # Register numbers left the platform: the trail says who took them, and when.
        audit.record(
            db.session,
            current_user.id,
            "tax_certificates.export",
            "year",
            int(year_arg),
            after={"donors": len(rows)},
        )
        db.session.commit()
    if rows is None:
        return render_template("transparency/tax.html", year=int(year_arg), available=False), 503
    return download(
        render_tax_csv(rows, int(year_arg)), "text/csv; charset=utf-8", f"fiscale-attesten-{year_arg}.csv"
    )


def render_tax_csv(rows: list[dict], year: int) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(services.TAX_COLUMNS)
    for row in rows:
        writer.writerow([_tax_cell(row, column, year) for column in services.TAX_COLUMNS])
    # A BOM, so that Excel (what the foundation loads it into) reads UTF-8.
    return "\ufeff" + out.getvalue()


def _tax_cell(row: dict, column: str, year: int) -> str:
    if column == "year":
        return str(year)
    if column == "total_cents":
        return str(int(row.get("total_cents", 0)))
    value = row.get(column)
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
