"""The payouts domain's services: the only module other domains import.

The project's account (`figures`), invoices and requests with four eyes (`requests`),
SEPA batches and the ledger (`batches`), the final report and its reminders
(`final_reports`), what the public pages show (`public`), who may see a project's payouts
(`access.campaign_for`), and the `flask ledger verify` check of paid projects (`checks`).
"""

from app.payouts.access import campaign_for
from app.payouts.batches import (
    create_batch,
    get_batch,
    list_batches,
    mark_failed,
    mark_paid,
    request_for_end_to_end_id,
)
from app.payouts.figures import (
    figures,
    final_report_share,
    is_settled,
    paid_out_account,
    set_final_report_share,
)
from app.payouts.final_reports import decide_report, report_of, send_reminders, set_project_end, submit_report
from app.payouts.public import call_payouts, campaign_public
from app.payouts.requests import (
    add_invoice,
    approve_request,
    clean_iban,
    create_request,
    get_invoice,
    get_request,
    invoices_of,
    reject_request,
    request_changes,
    requests_of,
    submit_request,
    update_request,
    withdraw_request,
)

__all__ = [
    "add_invoice",
    "approve_request",
    "call_payouts",
    "campaign_for",
    "campaign_public",
    "clean_iban",
    "create_batch",
    "create_request",
    "decide_report",
    "figures",
    "final_report_share",
    "get_batch",
    "get_invoice",
    "get_request",
    "invoices_of",
    "is_settled",
    "list_batches",
    "mark_failed",
    "mark_paid",
    "paid_out_account",
    "reject_request",
    "report_of",
    "request_changes",
    "request_for_end_to_end_id",
    "requests_of",
    "send_reminders",
    "set_final_report_share",
    "set_project_end",
    "submit_report",
    "submit_request",
    "update_request",
    "withdraw_request",
]
