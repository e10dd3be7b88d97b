"""/api/v1/bank-statements and /api/v1/bank-lines: statement import and the reconciliation
queue (fund managers; auditors read)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from app.api.auth import commit, current_api_user, require_user
from app.api.pagination import page
from app.banking import schemas
from app.banking import services as banking
from app.banking.models import BankLine

blp = Blueprint("api_banking", __name__, url_prefix="/api/v1", description="Bank statements")
READERS = ("fund_manager", "admin", "auditor")
WRITERS = ("fund_manager", "admin")


def _import_out(result: banking.ImportResult) -> dict:
    first, last = result.statements[0], result.statements[-1]
    return {
        "id": first.id,
        "format": result.format,
        "account_iban": first.account_iban,
        "statement_number": first.statement_number
        if first is last
        else f"{first.statement_number}-{last.statement_number}",
        "statement_date": last.statement_date,
        "opening_balance_cents": first.opening_balance_cents,
        "closing_balance_cents": last.closing_balance_cents,
        "lines": result.lines,
        "matched": result.matched,
        "unmatched": result.unmatched,
        "duplicates": result.duplicates,
        "statements": result.statements,
    }


@blp.route("/bank-statements", methods=["POST"])
@require_user(*WRITERS)
@blp.arguments(schemas.StatementUploadSchema, location="files")
@blp.response(201, schemas.StatementImportSchema)
@blp.alt_response(200, schema=schemas.StatementImportSchema, description="Every line was imported before")
def import_statement(files):
    """Import a CODA or CAMT.053 file (multipart `file`, detected by content). 201 when
    anything was new, 200 when every line was known (counted in `duplicates`); 422 and
    nothing stored for a file that is neither, whose balances do not add up, or that is
    not of the fund's account."""
    result = banking.import_file(files["file"].read(), current_api_user().id)
    commit()
    return _import_out(result), 201 if result.created else 200


@blp.route("/bank-lines")
class BankLines(MethodView):
    @require_user(*READERS)
    @blp.arguments(schemas.BankLineArgs, location="query")
    @blp.response(200, schemas.BankLineListSchema)
    def get(self, args):
        """Statement lines; `?status=unmatched` is the reconciliation queue (each with `reason`)."""
        query = select(BankLine)
        if args.get("status"):
            query = query.where(BankLine.status == args["status"])
        return page(query, BankLine.id, args)


@blp.route("/bank-lines/<int:line_id>/assign", methods=["POST"])
@require_user(*WRITERS)
@blp.arguments(schemas.AssignSchema)
@blp.response(200, schemas.BankLineSchema)
def assign(data, line_id):
    """Decide an unmatched line: one of `pledge_id`, `commitment_id`, `campaign_id` (an
    offline gift) or `other` (a note). 409 for a line not in the queue, 422 for a choice
    that does not fit (nothing changes)."""
    line = banking.assign(line_id, data, current_api_user().id)
    commit()
    return line


@blp.route("/bank-lines/<int:line_id>/undo", methods=["POST"])
@require_user(*WRITERS)
@blp.arguments(schemas.UndoSchema)
@blp.response(200, schemas.BankLineSchema)
def undo(data, line_id):
    """Reverse the decision on a line (a reversal, never a delete); it waits in the queue again."""
    line = banking.undo(line_id, current_api_user().id, data.get("note"))
    commit()
    return line
