"""Selection: the proposal (a walk down the ranking within the matching budget) and the
confirmation by the fund manager, staged so that every decision is announced at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.calls import services as calls
from app.calls.models import Application, Call
from app.core import audit, ports
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.jury import events
from app.jury.models import Selection
from app.jury.ports import MatchReservation, SelectionCampaigns
from app.jury.ranking import ranking
from app.jury.window import lock_call, require_manager, window_state

PLANNER_HOOK = "streekfonds_selection_planner"
NOT_SCORED = "not_scored"
OVER_BUDGET = "over_budget"
MUNICIPALITY_FULL = "municipality_full"
MAX_REASON = 2000


class Planner(Protocol):
    def try_take(self, application: Any) -> str | None:
        """None: it fits and is now counted; a string: why it does not fit."""


class BudgetPlanner:
    """The jury's own planner: each project takes its maximum match from the budget, and at
    most `per_municipality` projects per municipality (when set)."""

    def __init__(
        self,
        budget_cents: int,
        per_municipality: int | None = None,
        max_match: Callable[[Any], int] = calls.application_max_match_cents,
    ):
        self.remaining = budget_cents
        self.per_municipality = per_municipality
        self.max_match = max_match
        self.counts: Counter = Counter()

    def try_take(self, application: Any) -> str | None:
        if (
            self.per_municipality is not None
            and self.counts[application.municipality] >= self.per_municipality
        ):
            return MUNICIPALITY_FULL
        need = self.max_match(application)
        if need > self.remaining:
            return OVER_BUDGET
        self.remaining -= need
        self.counts[application.municipality] += 1
        return None


def planner_for(call: Call) -> Planner:
    """The installed planner (matching's, which also simulates the sponsors' draw) or the
    jury's own on the call's budget. Refuses (409) a call without a matching budget."""
    factory = current_app.extensions.get(PLANNER_HOOK)
    if factory is not None:
        return factory(call)
    if call.matching_budget_cents is None:
        raise Conflict(_("Stel eerst het verdubbelingsbudget van de oproep in."), code="no_matching_budget")
    return BudgetPlanner(call.matching_budget_cents, call.max_selected_per_municipality)


def walk(ranked: Iterable[tuple[Any, bool]], planner: Planner) -> tuple[list[Any], list[tuple[Any, str]]]:
    """Walk (application, scored) pairs in ranking order: a scored application that the
    planner takes is proposed, any other is skipped with its reason; the walk goes on."""
    proposed, skipped = [], []
    for app, scored in ranked:
        reason = planner.try_take(app) if scored else NOT_SCORED
        if reason is None:
            proposed.append(app)
        else:
            skipped.append((app, reason))
    return proposed, skipped


def _ranked_in_review(call: Call) -> list[tuple[Application, dict]]:
    out = []
    for row in ranking(call):
        app = db.session.get(Application, row["application_id"])
        if app.status == "in_review":
            out.append((app, row))
    return out


def _check_ready(call: Call) -> None:
    if window_state(call) != "closed":
        raise Conflict(_("Sluit eerst het jurytermijn."), code="window_not_closed")
    if db.session.scalar(select(Selection.id).where(Selection.call_id == call.id)):
        raise Conflict(_("De selectie van deze oproep is al bevestigd."), code="selection_confirmed")


def propose(call: Call, actor: User) -> dict:
    """The proposed selection: {proposed: [application_id], skipped: [{application_id,
    reason}], match_cents: {application_id: max match}}. Changes nothing. 409 before the
    window closed, after a confirmed selection, or without a matching budget."""
    require_manager(actor)
    _check_ready(call)
    ranked = _ranked_in_review(call)
    proposed, skipped = walk(((a, r["totals_count"] > 0) for a, r in ranked), planner_for(call))
    return {
        "proposed": [a.id for a in proposed],
        "skipped": [{"application_id": a.id, "reason": reason} for a, reason in skipped],
        "match_cents": {a.id: calls.application_max_match_cents(a) for a, _r in ranked},
    }


def _clean_ids(call: Call, application_ids: Any, in_review: dict[int, Application]) -> list[int]:
    if not isinstance(application_ids, list) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in application_ids
    ):
        msg = _("Een lijst van aanvraagnummers.")
        raise ValidationFailed(msg, details={"application_ids": [msg]})
    if len(set(application_ids)) != len(application_ids):
        msg = _("Een aanvraag staat er twee keer.")
        raise ValidationFailed(msg, details={"application_ids": [msg]})
    unknown = [i for i in application_ids if i not in in_review]
    if unknown:
        msg = _("Geen aanvraag bij de jury van deze oproep: %(ids)s.", ids=", ".join(map(str, unknown)))
        raise ValidationFailed(msg, details={"application_ids": [msg]})
    return application_ids


def _clean_reasons(reasons: Any) -> dict[str, str]:
    if reasons is None:
        return {}
    if not isinstance(reasons, dict) or not all(isinstance(v, str) for v in reasons.values()):
        msg = _("Redenen per aanvraagnummer.")
        raise ValidationFailed(msg, details={"reasons": [msg]})
    too_long = [str(k) for k, v in reasons.items() if len(v) > MAX_REASON]
    if too_long:
        msg = _("Hoogstens %(n)d tekens per reden.", n=MAX_REASON)
        raise ValidationFailed(msg, details={"reasons": {k: [msg] for k in too_long}})
    return {str(k): v.strip() for k, v in reasons.items() if v.strip()}


def confirm(call: Call, application_ids: Any, reasons: Any, actor: User) -> Selection:
    """Confirm the selection: the given applications become `selected`, every other one
    before the jury `not_selected`, all at once. Every deviation from the proposal needs a
    reason (422 `reasons_missing` listing them); the selection must fit the planner (409
    `selection_does_not_fit`). In this order: matching reserves the match before any
    status changes (MatchReservation port: it may refuse the whole confirmation), the
    statuses and the Selection row are written, campaigns creates the draft campaigns
    (SelectionCampaigns port), and `selection_confirmed` tells whoever cares (mails). A
    second confirmation is 409 `selection_confirmed`. On any refusal nothing changes."""
    require_manager(actor)
    lock_call(call)
    _check_ready(call)
    ranked = _ranked_in_review(call)
    in_review = {a.id: a for a, _r in ranked}
    ids = _clean_ids(call, application_ids, in_review)
    clean_reasons = _clean_reasons(reasons)
    proposal = propose(call, actor)
    proposed = set(proposal["proposed"])
    deviations = sorted(proposed.symmetric_difference(ids))
    missing = [i for i in deviations if str(i) not in clean_reasons]
    if missing:
        msg = _("Geef een reden voor elke afwijking van het voorstel.")
        raise ValidationFailed(
            msg, code="reasons_missing", details={"reasons": {str(i): [msg] for i in missing}}
        )
    chosen = set(ids)
    planner = planner_for(call)
    misfits = {}
    for app, _row in ranked:
        if app.id in chosen:
            reason = planner.try_take(app)
            if reason is not None:
                misfits[str(app.id)] = reason
    if misfits:
        raise Conflict(
            _("De selectie past niet binnen het budget of de regels van de oproep."),
            code="selection_does_not_fit",
            details=misfits,
        )
    selected = [a for a, _r in ranked if a.id in chosen]
    not_selected = [a for a, _r in ranked if a.id not in chosen]
    ports.get(MatchReservation)(call, selected)
    kept_reasons = {str(i): clean_reasons[str(i)] for i in deviations}
    for app in selected:
        calls.set_application_status(app, "selected", actor.id, note=kept_reasons.get(str(app.id)))
    for app in not_selected:
        calls.set_application_status(app, "not_selected", actor.id, note=kept_reasons.get(str(app.id)))
    row = Selection(
        call_id=call.id,
        confirmed_by_id=actor.id,
        proposed_ids=proposal["proposed"],
        selected_ids=[a.id for a in selected],
        reasons=kept_reasons,
        skipped=list(proposal["skipped"]),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        db.session,
        actor.id,
        "jury.selection_confirmed",
        "call",
        call.id,
        {"proposed": proposal["proposed"], "skipped": proposal["skipped"]},
        {"selected": row.selected_ids, "not_selected": [a.id for a in not_selected], "reasons": kept_reasons},
    )
    ports.get(SelectionCampaigns)(call, selected)
    events.selection_confirmed.send(call, selected=selected, not_selected=not_selected)
    return row


def selection_of(call: Call) -> Selection | None:
    return db.session.scalar(select(Selection).where(Selection.call_id == call.id))
