"""The fund manager's pages: sponsors, their commitments and report, and the match audit
of a campaign, each with a CSV export. Thin: parse, call one service, render."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.calls.models import Call
from app.core import bank_transfer, epc_qr
from app.core import structured_reference as ogm
from app.core.auth import roles_required
from app.core.errors import DomainError
from app.core.transaction import attempt
from app.extensions import db
from app.funds import services as funds
from app.matching import contacts, facts, forms, services
from app.matching.forms import KIND_LABELS

bp = Blueprint("matching", __name__, template_folder="templates")
READERS = ("fund_manager", "admin", "auditor")
WRITERS = ("fund_manager", "admin")


def _place_errors(form, exc: DomainError, mapping: dict | None = None) -> None:
    placed = False
    for name, msgs in (exc.details or {}).items():
        target = (mapping or {}).get(name, name)
        if target in form and isinstance(msgs, list):
            form[target].errors = list(form[target].errors or []) + [str(m) for m in msgs]
            placed = True
    if not placed:
        flash(exc.message, "error")


def _csv(rows: list[dict], columns: list[str], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for col in columns:
            value = row.get(col)
            text = "" if value is None else str(value)
            # A cell a spreadsheet would run as a formula is written as text.
            if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not text.lstrip("-").isdigit():
                text = "'" + text
            cells.append(text)
        writer.writerow(cells)
    return Response(
        out.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/manage/sponsors", methods=["GET", "POST"])
@roles_required(*READERS, write_roles=WRITERS)
def sponsors():
    form = forms.SponsorForm()
    if form.validate_on_submit():
        with attempt() as outcome:
            sponsor = services.create_sponsor(
                {
                    "name": form.name.data,
                    "contact_email": form.contact_email.data or None,
                    "kind": form.kind.data,
                    "public": bool(form.public.data),
                },
                current_user.id,
            )
        if outcome.failed:
            _place_errors(form, outcome.error)
        else:
            flash(_("Sponsor toegevoegd."), "success")
            return redirect(url_for("matching.sponsor", sponsor_id=sponsor.id))
    rows = [(s, services.sponsor_report(s)["totals"]) for s in services.list_sponsors()]
    status = 422 if form.errors else 200
    return render_template("matching/sponsors.html", rows=rows, form=form, kinds=KIND_LABELS), status


def _commitment_form() -> forms.CommitmentForm:
    form = forms.CommitmentForm(prefix="c")
    calls = db.session.scalars(db.select(Call).order_by(Call.id.desc())).all()
    form.call_id.choices = [("", _("Alle oproepen"))] + [(str(c.id), c.title) for c in calls]
    return form


@bp.route("/manage/sponsors/<int:sponsor_id>", methods=["GET", "POST"])
@roles_required(*READERS, write_roles=WRITERS)
def sponsor(sponsor_id):
    the_sponsor = services.get_sponsor(sponsor_id)
    form = _commitment_form()
    if form.validate_on_submit():
        values = {
            "amount_cents": form.amount.cents,
            "earmark": {
                "call_id": int(form.call_id.data) if form.call_id.data else None,
                "theme": form.theme.data or None,
                "municipalities": [
                    m.strip() for m in (form.municipalities.data or "").splitlines() if m.strip()
                ],
            },
            "received": bool(form.received.data),
            "received_on": form.received_on.data,
            "received_reference": form.received_reference.data or None,
        }
        with attempt() as outcome:
            services.add_commitment(the_sponsor, values, current_user.id)
        if outcome.failed:
            _place_errors(form, outcome.error, {"amount_cents": "amount"})
        else:
            flash(_("Engagement toegevoegd."), "success")
            return redirect(url_for("matching.sponsor", sponsor_id=sponsor_id))
    report = services.sponsor_report(the_sponsor)
    status = 422 if form.errors else 200
    return render_template(
        "matching/sponsor.html",
        sponsor=the_sponsor,
        report=report,
        form=form,
        received_form=forms.ReceivedForm(prefix="r"),
        kinds=KIND_LABELS,
        contacts=contacts.contacts_of(the_sponsor),
        edit_form=forms.SponsorForm(prefix="edit", obj=the_sponsor),
    ), status


@bp.route("/manage/commitments/<int:commitment_id>")
@roles_required(*READERS)
def commitment(commitment_id):
    """One commitment: its balances and how the sponsor pays it by transfer."""
    the_commitment = services.get_commitment(commitment_id)
    return render_template(
        "matching/commitment.html",
        commitment=the_commitment,
        sponsor=the_commitment.sponsor,
        balances=services.commitment_balances(the_commitment),
        transfer=_transfer(the_commitment),
    )


def _transfer(the_commitment):
    return bank_transfer.instructions(
        ogm.COMMITMENT, the_commitment.id, the_commitment.amount_cents, funds.account(the_commitment.fund_id)
    )


@bp.route("/manage/commitments/<int:commitment_id>/qr")
@roles_required(*READERS)
def commitment_qr(commitment_id):
    """The EPC QR code a sponsor scans to pay the commitment (SVG, or PNG with ?format=png)."""
    transfer = _transfer(services.get_commitment(commitment_id))
    if transfer is None:
        abort(404)
    fmt = "png" if request.args.get("format") == "png" else "svg"
    return Response(
        epc_qr.render(transfer.qr_payload, fmt),
        mimetype="image/png" if fmt == "png" else "image/svg+xml",
        headers={"X-Content-Type-Options": "nosniff"},
    )


@bp.route("/manage/commitments/<int:commitment_id>/received", methods=["POST"])
@roles_required(*WRITERS)
def commitment_received(commitment_id):
    commitment = services.get_commitment(commitment_id)
    form = forms.ReceivedForm(prefix="r")
    if form.validate_on_submit():
        services.mark_received(
            commitment, form.received_on.data, form.received_reference.data or "", current_user.id
        )
        db.session.commit()
        flash(_("Ontvangst genoteerd."), "success")
    else:
        flash(_("Geef de datum van ontvangst."), "error")
    return redirect(url_for("matching.sponsor", sponsor_id=commitment.sponsor_id))


PROJECT_COLUMNS = [
    "application_id",
    "campaign_id",
    "title",
    "state",
    "reserved_cents",
    "matched_cents",
    "released_cents",
]


@bp.route("/manage/sponsors/<int:sponsor_id>/report.csv")
@roles_required(*READERS)
def sponsor_csv(sponsor_id):
    report = services.sponsor_report(services.get_sponsor(sponsor_id))
    return _csv(report["projects"], PROJECT_COLUMNS, f"sponsor-{sponsor_id}.csv")


def _campaign(campaign_id):
    return facts.campaigns().get_campaign(campaign_id, current_user)


@bp.route("/manage/campaigns/<int:campaign_id>/match")
@roles_required(*READERS)
def campaign_audit(campaign_id):
    campaign = _campaign(campaign_id)
    return render_template("matching/audit.html", campaign=campaign, audit=services.match_audit(campaign))


ALLOCATION_COLUMNS = [
    "commitment_id",
    "sponsor_id",
    "sponsor_name",
    "reserved_cents",
    "matched_cents",
    "released_cents",
]


@bp.route("/manage/campaigns/<int:campaign_id>/match.csv")
@roles_required(*READERS)
def campaign_audit_csv(campaign_id):
    audit = services.match_audit(_campaign(campaign_id))
    return _csv(audit["allocations"], ALLOCATION_COLUMNS, f"campaign-{campaign_id}-match.csv")


ATTRIBUTION_COLUMNS = ["pledge_id", "commitment_id", "matched_cents"]


@bp.route("/manage/campaigns/<int:campaign_id>/match-pledges.csv")
@roles_required(*READERS)
def campaign_attribution_csv(campaign_id):
    """Every matched cent per pledge and commitment (the audit's `attribution`)."""
    audit = services.match_audit(_campaign(campaign_id))
    return _csv(audit["attribution"], ATTRIBUTION_COLUMNS, f"campaign-{campaign_id}-match-pledges.csv")


@bp.route("/manage/ledger/verify")
@roles_required(*READERS)
def ledger_verify():
    return render_template("matching/verify.html", result=services.verify_ledger())
