from flask import Flask
from flask_babel import lazy_gettext as _l

from app.banking import checks, cli, models, views  # noqa: F401 - the tables belong to every app
from app.core import structured_reference as ogm
from app.core.setup import add_nav, add_status_labels
from app.matching.services import add_check

STATUS_LABELS = {
    "matched": _l("gekoppeld"),
    "unmatched": _l("in de wachtrij"),
    "assigned": _l("geboekt"),
    "other": _l("buiten het platform"),
}
REASON_LABELS = {
    "missing_reference": _l("geen gestructureerde mededeling"),
    "unknown_reference": _l("onbekende of foute mededeling"),
    "amount_mismatch": _l("ander bedrag dan de bijdrage"),
    "already_paid": _l("bijdrage was al betaald"),
    "not_pending": _l("bijdrage wacht niet meer"),
    "debit": _l("uitgaande beweging"),
}


def suggestion(line) -> tuple[str, int] | None:
    """What a queued line's own communication points at, to pre-fill the decision form."""
    parsed = ogm.parse(line.structured_reference or ogm.find_in_text(line.free_text) or "")
    if parsed is None:
        return None
    return ("pledge_id" if parsed.kind == "pledge" else "commitment_id", parsed.object_id)


def register(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.bank_cli)
    add_nav(app, "banking.bank", _l("Bank"), ("fund_manager", "admin", "auditor"), group="money")
    add_status_labels(app, STATUS_LABELS, kind="bank_line")
    add_check(app, "bank_accounts", checks.check_bank_accounts)
    app.jinja_env.globals["bank_suggestion"] = suggestion
    app.jinja_env.globals["ogm_formatted"] = ogm.formatted
    app.jinja_env.globals["reason_label"] = lambda code: REASON_LABELS.get(code, code or "")
