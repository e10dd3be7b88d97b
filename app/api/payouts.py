"""/api/v1 payouts: the project's account, invoices, payout requests with four eyes, SEPA
batches and the final report."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import commit, current_api_user, require_user
from app.calls import services as calls
from app.payouts import schemas
from app.payouts import services as payouts

blp = Blueprint("api_payouts", __name__, url_prefix="/api/v1", description="Payouts")


@blp.route("/campaigns/<int:campaign_id>/payouts")
@require_user()
@blp.response(200, schemas.PayoutsSchema)
def campaign_payouts(campaign_id):
    """The project's account (owner, fund manager, auditor): payable = raised + matched −
    paid out − requested and not yet paid; held back until the final report; its requests."""
    campaign = payouts.campaign_for(campaign_id, current_api_user())
    report = payouts.report_of(campaign)
    return {
        **payouts.figures(campaign).as_dict(),
        "final_report_status": report.status if report else "due",
        "items": [schemas.dump_request(r) for r in payouts.requests_of(campaign)],
    }


@blp.route("/calls/<int:call_id>/payout-settings")
class PayoutSettings(MethodView):
    @require_user("fund_manager", "admin", "auditor")
    @blp.response(200, schemas.PayoutSettingsSchema)
    def get(self, call_id):
        """The call's payout rules: `final_report_share` held back until the final report."""
        calls.get_call(call_id, current_api_user())  # 404 for a call this person may not see
        return {"call_id": call_id, "final_report_share": payouts.final_report_share(call_id)}

    @require_user("fund_manager", "admin")
    @blp.arguments(schemas.PayoutSettingsSchema)
    @blp.response(200, schemas.PayoutSettingsSchema)
    def put(self, data, call_id):
        """Set `final_report_share` (0 to 1; default 0.2)."""
        calls.get_call(call_id, current_api_user())
        row = payouts.set_final_report_share(call_id, data["final_report_share"])
        commit()
        return {"call_id": call_id, "final_report_share": row.final_report_share}


@blp.route("/campaigns/<int:campaign_id>/invoices")
class Invoices(MethodView):
    @require_user()
    @blp.arguments(schemas.InvoiceFormSchema, location="form")
    @blp.arguments(schemas.InvoiceUploadSchema, location="files")
    @blp.response(201, schemas.InvoiceSchema)
    def post(self, form, files, campaign_id):
        """Upload an invoice or receipt (multipart: file, supplier, invoice_date,
        amount_cents, description). The file is judged by its content (PDF, JPEG, PNG)."""
        user = current_api_user()
        campaign = payouts.campaign_for(campaign_id, user, owner=True)
        upload = files["file"]
        invoice = payouts.add_invoice(
            campaign, form, upload.filename or "", upload.read(), user, current_app.config["MAX_UPLOAD_BYTES"]
        )
        commit()
        return invoice

    @require_user()
    @blp.response(200, schemas.InvoiceSchema(many=True))
    def get(self, campaign_id):
        """The project's invoices (owner, fund manager, auditor)."""
        return payouts.invoices_of(payouts.campaign_for(campaign_id, current_api_user()))


@blp.route("/campaigns/<int:campaign_id>/invoices/<int:invoice_id>")
@require_user()
@blp.response(200, description="The file itself")
def download_invoice(campaign_id, invoice_id):
    """The invoice's file, as a download."""
    inv = payouts.get_invoice(payouts.campaign_for(campaign_id, current_api_user()), invoice_id)
    return Response(
        inv.content,
        mimetype=inv.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{inv.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@blp.route("/campaigns/<int:campaign_id>/payout-requests", methods=["POST"])
@require_user()
@blp.arguments(schemas.PayoutRequestInSchema)
@blp.response(201, schemas.PayoutRequestSchema)
def create_request(data, campaign_id):
    """Ask for a payout. 422: bad IBAN, amount ≤ 0, invoices not the project's; 409:
    above what is payable (`above_payable`) or the campaign not settled."""
    req = payouts.create_request(campaign_id, data, current_api_user())
    commit()
    return schemas.dump_request(req)


@blp.route("/payout-requests/<int:request_id>")
class PayoutRequestItem(MethodView):
    @require_user()
    @blp.response(200, schemas.PayoutRequestSchema)
    def get(self, request_id):
        """One request (owner, fund manager, auditor)."""
        req, _campaign = payouts.get_request(request_id, current_api_user())
        return schemas.dump_request(req)

    @require_user()
    @blp.arguments(schemas.PayoutRequestPatchSchema)
    @blp.response(200, schemas.PayoutRequestSchema)
    def patch(self, data, request_id):
        """The owner changes a request in `changes_requested` (or the account of a failed one)."""
        req = payouts.update_request(request_id, data, current_api_user())
        commit()
        return schemas.dump_request(req)


def _action(fn, request_id, *args):
    req = fn(request_id, current_api_user(), *args)
    commit()
    return schemas.dump_request(req)


@blp.route("/payout-requests/<int:request_id>/approve", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(200, schemas.PayoutRequestSchema)
def approve(request_id):
    """One approval; the second by another fund manager approves. The same person twice:
    409 `already_approved`; the project's owner: 403."""
    return _action(payouts.approve_request, request_id)


@blp.route("/payout-requests/<int:request_id>/reject", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.PayoutRequestSchema)
def reject(data, request_id):
    """Refuse the request for good, with the reason."""
    return _action(payouts.reject_request, request_id, data["reason"])


@blp.route("/payout-requests/<int:request_id>/request-changes", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.PayoutRequestSchema)
def request_changes(data, request_id):
    """Send the request back to the owner with the reason."""
    return _action(payouts.request_changes, request_id, data["reason"])


@blp.route("/payout-requests/<int:request_id>/submit", methods=["POST"])
@require_user()
@blp.response(200, schemas.PayoutRequestSchema)
def submit(request_id):
    """The owner submits a changed request again (two new approvals are needed)."""
    return _action(payouts.submit_request, request_id)


@blp.route("/payout-requests/<int:request_id>/withdraw", methods=["POST"])
@require_user()
@blp.response(200, schemas.PayoutRequestSchema)
def withdraw(request_id):
    """The owner withdraws a request before it is approved."""
    return _action(payouts.withdraw_request, request_id)


@blp.route("/payout-requests/<int:request_id>/failed", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.PayoutRequestSchema)
def failed(data, request_id):
    """The bank returned the transfer: a paid request's ledger posting is reversed."""
    return _action(payouts.mark_failed, request_id, data["reason"])


@blp.route("/payout-batches", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.BatchInSchema)
@blp.response(201, schemas.BatchSchema)
def create_batch(data):
    """Gather the approved requests (or `request_ids`) into a SEPA pain.001 file."""
    batch = payouts.create_batch(current_api_user(), data.get("request_ids"))
    commit()
    return schemas.dump_batch(batch)


@blp.route("/payout-batches/<int:batch_id>")
@require_user("fund_manager", "admin", "auditor")
@blp.response(200, schemas.BatchSchema)
def get_batch(batch_id):
    return schemas.dump_batch(payouts.get_batch(batch_id, current_api_user()))


@blp.route("/payout-batches/<int:batch_id>/sepa.xml")
@require_user("fund_manager", "admin", "auditor")
@blp.response(200, description="The pain.001 file")
def sepa_xml(batch_id):
    """The SEPA credit-transfer file as exported."""
    batch = payouts.get_batch(batch_id, current_api_user())
    return Response(
        batch.xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="streekfonds-batch-{batch.id}.xml"'},
    )


@blp.route("/payout-batches/<int:batch_id>/paid", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(200, schemas.BatchSchema)
def batch_paid(batch_id):
    """Mark the batch paid (by hand): one ledger posting per request."""
    batch = payouts.mark_paid(batch_id, current_api_user())
    commit()
    return schemas.dump_batch(batch)


def _dump_report(report) -> dict:
    return {k: getattr(report, k) for k in schemas.FinalReportSchema._declared_fields}


@blp.route("/campaigns/<int:campaign_id>/final-report")
class FinalReport(MethodView):
    @require_user()
    @blp.arguments(schemas.FinalReportInSchema)
    @blp.response(201, schemas.FinalReportSchema)
    def post(self, data, campaign_id):
        """The owner submits the final report: summary and spending."""
        report = payouts.submit_report(campaign_id, data, current_api_user())
        commit()
        return _dump_report(report)

    @require_user()
    @blp.response(200, schemas.FinalReportSchema)
    def get(self, campaign_id):
        campaign = payouts.campaign_for(campaign_id, current_api_user())
        report = payouts.report_of(campaign)
        return (
            _dump_report(report) if report else {"campaign_id": campaign.id, "status": "due", "spending": []}
        )


@blp.route("/campaigns/<int:campaign_id>/project-end", methods=["PUT"])
@require_user()
@blp.arguments(schemas.ProjectEndSchema)
@blp.response(200, schemas.FinalReportSchema)
def project_end(data, campaign_id):
    """The owner sets the project's end date (reminders a week before and after)."""
    report = payouts.set_project_end(campaign_id, data["ends_on"], current_api_user())
    commit()
    return _dump_report(report)


@blp.route("/campaigns/<int:campaign_id>/final-report/approve", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.response(200, schemas.FinalReportSchema)
def approve_report(campaign_id):
    """Approve the final report: what was held back becomes payable."""
    report = payouts.decide_report(campaign_id, current_api_user(), True)
    commit()
    return _dump_report(report)


@blp.route("/campaigns/<int:campaign_id>/final-report/request-changes", methods=["POST"])
@require_user("fund_manager", "admin")
@blp.arguments(schemas.ReasonSchema)
@blp.response(200, schemas.FinalReportSchema)
def report_changes(data, campaign_id):
    """Send the final report back with the reason."""
    report = payouts.decide_report(campaign_id, current_api_user(), False, data["reason"])
    commit()
    return _dump_report(report)
