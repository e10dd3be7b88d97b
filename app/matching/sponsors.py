"""Sponsors and their commitments: creating them, reading balances, the sponsor report."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.calls.models import Application, Call
from app.core.audit import record
from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.ledger import services as ledger
from app.matching import booking
from app.matching.models import SPONSOR_KINDS, Allocation, Commitment, ProjectMatch, Sponsor

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_COMMITMENT_CENTS = 10**11


def _check_sponsor(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Geef een naam van hoogstens 200 tekens.")]
    email = values.get("contact_email")
    email = str(email).strip().lower() if email else None
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        errors["contact_email"] = [_("Geen geldig e-mailadres.")]
    kind = values.get("kind") or "company"
    if kind not in SPONSOR_KINDS:
        errors["kind"] = [_("Kies een soort uit de lijst.")]
    public = values.get("public", True)
    if not isinstance(public, bool):
        errors["public"] = [_("Waar of onwaar.")]
    if errors:
        raise ValidationFailed(_("De sponsor klopt niet."), details=errors)
    return {"name": name, "contact_email": email, "kind": kind, "public": public}


def create_sponsor(values: dict[str, Any], actor_id: int | None) -> Sponsor:
    """A new sponsor. Refuses a missing name, a bad e-mail or kind (ValidationFailed)."""
    clean = _check_sponsor(values)
    sponsor = Sponsor(**clean, created_by_id=actor_id)
    db.session.add(sponsor)
    db.session.flush()
    record(db.session, actor_id, "sponsor.create", "sponsor", sponsor.id, after=clean)
    return sponsor


def update_sponsor(sponsor: Sponsor, values: dict[str, Any], actor_id: int | None) -> Sponsor:
    """Change a sponsor's name, contact, kind or visibility (ValidationFailed on bad input)."""
    before = {
        "name": sponsor.name,
        "contact_email": sponsor.contact_email,
        "kind": sponsor.kind,
        "public": sponsor.public,
    }
    clean = _check_sponsor({**before, **values})
    for key, value in clean.items():
        setattr(sponsor, key, value)
    db.session.flush()
    record(db.session, actor_id, "sponsor.update", "sponsor", sponsor.id, before=before, after=clean)
    return sponsor


def get_sponsor(sponsor_id: int) -> Sponsor:
    sponsor = db.session.get(Sponsor, sponsor_id)
    if sponsor is None:
        raise NotFound(_("Sponsor niet gevonden."))
    return sponsor


def sponsors_query():
    return select(Sponsor)


def list_sponsors() -> list[Sponsor]:
    return list(db.session.scalars(select(Sponsor).order_by(Sponsor.name, Sponsor.id)))


def _check_commitment(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    amount = values.get("amount_cents")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_COMMITMENT_CENTS:
        errors["amount_cents"] = [_("Een bedrag in cent, groter dan nul.")]
    earmark = values.get("earmark") or {}
    if not isinstance(earmark, dict):
        earmark = {}
        errors["earmark"] = [_("Een object met call_id, theme en/of municipalities.")]
    unknown = set(earmark) - {"call_id", "theme", "municipalities"}
    if unknown:
        errors["earmark"] = [_("Onbekende velden: %(k)s", k=", ".join(sorted(unknown)))]
    call_id = earmark.get("call_id")
    if call_id is not None and (
        isinstance(call_id, bool) or not isinstance(call_id, int) or db.session.get(Call, call_id) is None
    ):
        errors["call_id"] = [_("Deze oproep bestaat niet.")]
    theme = earmark.get("theme")
    theme = str(theme).strip() if theme else None
    if theme and len(theme) > 80:
        errors["theme"] = [_("Een thema van hoogstens 80 tekens.")]
    municipalities = earmark.get("municipalities") or []
    if not isinstance(municipalities, list) or not all(
        isinstance(m, str) and 0 < len(m.strip()) <= 120 for m in municipalities
    ):
        errors["municipalities"] = [_("Een lijst van gemeenten.")]
        municipalities = []
    received = values.get("received", False)
    if not isinstance(received, bool):
        errors["received"] = [_("Waar of onwaar.")]
    received_on = values.get("received_on")
    if received_on is not None and not isinstance(received_on, date):
        errors["received_on"] = [_("Een datum.")]
    reference = values.get("received_reference")
    reference = str(reference).strip()[:120] if reference else None
    if errors:
        raise ValidationFailed(_("Het engagement klopt niet."), details=errors)
    return {
        "amount_cents": amount,
        "call_id": call_id,
        "theme": theme,
        "municipalities": sorted({m.strip() for m in municipalities}),
        "received": received,
        "received_on": received_on,
        "received_reference": reference,
        "note": (str(values.get("note")).strip() or None) if values.get("note") else None,
    }


def add_commitment(sponsor: Sponsor, values: dict[str, Any], actor_id: int | None) -> Commitment:
    """Record a sponsor's commitment and book its money as available
    (`sponsor:<id>:committed` → `commitment:<id>:available`). Refuses a non-positive or
    non-integer amount, an unknown call or a malformed earmark (ValidationFailed)."""
    clean = _check_commitment(values)
    commitment = Commitment(sponsor_id=sponsor.id, created_by_id=actor_id, **clean)
    commitment.available_cents = clean["amount_cents"]
    db.session.add(commitment)
    db.session.flush()
    ledger.post(
        "commitment_made",
        {
            booking.acc_sponsor(sponsor.id): -commitment.amount_cents,
            booking.acc_available(commitment.id): commitment.amount_cents,
        },
        idempotency_key=f"commitment:{commitment.id}:made",
        commitment_id=commitment.id,
        sponsor_id=sponsor.id,
        fund_id=commitment.fund_id,
    )
    record(db.session, actor_id, "commitment.create", "commitment", commitment.id, after=clean)
    return commitment


def mark_received(commitment: Commitment, received_on: date, reference: str, actor_id: int | None):
    """Note that the sponsor's money arrived (date and reference). Moves no money."""
    before = {
        "received": commitment.received,
        "received_on": commitment.received_on,
        "received_reference": commitment.received_reference,
    }
    commitment.received = True
    commitment.received_on = received_on
    commitment.received_reference = (reference or "").strip()[:120] or None
    db.session.flush()
    record(
        db.session,
        actor_id,
        "commitment.received",
        "commitment",
        commitment.id,
        before=before,
        after={"received_on": received_on, "received_reference": commitment.received_reference},
    )
    return commitment


def get_commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(_("Engagement niet gevonden."))
    return commitment


def commitment_balances(commitment: Commitment) -> dict[str, int]:
    """Available, reserved and matched money of a commitment, from the journal entries."""
    found = ledger.balances(f"commitment:{commitment.id}:")
    return {
        "amount_cents": commitment.amount_cents,
        "available_cents": found.get(booking.acc_available(commitment.id), 0),
        "reserved_cents": found.get(booking.acc_reserved(commitment.id), 0),
        "matched_cents": found.get(booking.acc_matched(commitment.id), 0),
    }


def sponsor_report(sponsor: Sponsor) -> dict[str, Any]:
    """What a sponsor committed and where every cent is now: per commitment its balances,
    per project what is reserved, matched and released (from the allocations)."""
    commitments = []
    totals = {"amount_cents": 0, "available_cents": 0, "reserved_cents": 0, "matched_cents": 0}
    for c in sponsor.commitments:
        bal = commitment_balances(c)
        for key in totals:
            totals[key] += bal[key]
        commitments.append(
            {
                "id": c.id,
                "earmark": c.earmark,
                "received": c.received,
                "received_on": c.received_on,
                "received_reference": c.received_reference,
                "created_at": c.created_at,
                **bal,
            }
        )
    projects: dict[int, dict[str, Any]] = {}
    rows = db.session.execute(
        select(Allocation, ProjectMatch, Application.title)
        .join(ProjectMatch, Allocation.project_match_id == ProjectMatch.id)
        .join(Application, ProjectMatch.application_id == Application.id)
        .where(Allocation.sponsor_id == sponsor.id)
        .order_by(Allocation.id)
    )
    for alloc, pm, title in rows:
        p = projects.setdefault(
            pm.id,
            {
                "application_id": pm.application_id,
                "campaign_id": pm.campaign_id,
                "title": title,
                "state": pm.state,
                "reserved_cents": 0,
                "matched_cents": 0,
                "released_cents": 0,
            },
        )
        sign = {
            "reserve": ("reserved_cents", 1),
            "release": ("reserved_cents", -1),
            "match": ("reserved_cents", -1),
            "draw": ("matched_cents", 1),
        }
        if alloc.kind in sign:
            field, s = sign[alloc.kind]
            p[field] += s * alloc.cents
        if alloc.kind == "match":
            p["matched_cents"] += alloc.cents
        if alloc.kind in ("release", "reverse", "draw_reverse"):
            p["released_cents"] += alloc.cents
        if alloc.kind in ("reverse", "draw_reverse"):
            p["matched_cents"] -= alloc.cents
    return {
        "sponsor": {"id": sponsor.id, "name": sponsor.name, "kind": sponsor.kind, "public": sponsor.public},
        "totals": totals,
        "commitments": commitments,
        "projects": list(projects.values()),
    }


def public_name(sponsor: Sponsor) -> str:
    """How a sponsor is named on public pages: its name, or anonymously when it asked."""
    return sponsor.name if sponsor.public else _("Een anonieme sponsor")
