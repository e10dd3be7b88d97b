"""At selection: which commitments pay for which project, the jury's selection planner,
the reservation of each project's maximum match, and its release."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.calls.models import Application, Call
from app.campaigns import services as campaigns
from app.core.errors import Conflict
from app.extensions import db
from app.matching import booking
from app.matching.models import Allocation, Commitment, ProjectMatch
from app.matching.policy import (
    Earmark,
    Project,
    draw_order,
    full_policy,
    give_back,
    max_match,
    specificity,
    split,
)


def earmark_of(c: Commitment) -> Earmark:
    return Earmark(call_id=c.call_id, theme=c.theme or None, municipalities=tuple(c.municipalities or ()))


def all_commitments(fund_id: int) -> list[Commitment]:
    """The commitments of one fund's sponsors: a project is only ever matched with money
    of its own fund (whatever the request's scope, e.g. a webhook that sees every fund)."""
    # populate_existing: the cached available money must be as committed now, not as first loaded
    query = (
        select(Commitment)
        .where(Commitment.fund_id == fund_id)
        .order_by(Commitment.id)
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query))


def ordered_commitments(
    project: Project, commitments: list[Commitment] | None = None, *, fund_id: int | None = None
) -> list[Commitment]:
    """The commitments whose earmark admits `project`, in draw order: most specific first
    (municipalities, theme, call, none), oldest first within that. Without `commitments`,
    those of `fund_id` (the project's fund)."""
    if commitments is None:
        if fund_id is None:
            raise ValueError("ordered_commitments needs the commitments or the project's fund")
        commitments = all_commitments(fund_id)
    by_id = {c.id: c for c in commitments}
    keys = draw_order(((c.id, earmark_of(c), (c.created_at, c.id)) for c in commitments), project)
    return [by_id[k] for k in keys]


def project_of_application(application: Application) -> Project:
    return Project(
        call_id=application.call_id, theme=application.call.theme, municipality=application.municipality
    )


def application_max_match(application: Application) -> int:
    return max_match(application.call.policy, application.target_cents, application.budget_cents)


class SelectionPlanner:
    """The jury's proposed selection with a simulated draw (installed as
    `app.extensions["streekfonds_selection_planner"]`).

    `try_take(application)` returns None when the project fits (and counts it), or the
    reason it does not: the municipality limit, the call's matching budget, or (at_close)
    the commitments that admit it cannot cover its maximum match after the projects taken
    before it. Nothing is written.
    """

    def __init__(self, call: Call):
        self.call = call
        self.live = full_policy(call.policy)["mode"] == "live"
        self.commitments = all_commitments(call.fund_id)
        self.available = {c.id: c.available_cents for c in self.commitments}
        self.total = 0
        self.per_municipality: Counter[str] = Counter()

    def try_take(self, application: Application) -> str | None:
        need = application_max_match(application)
        muni = (application.municipality or "").strip().casefold()
        limit = self.call.max_selected_per_municipality
        if limit is not None and self.per_municipality[muni] >= limit:
            return "municipality_full"
        budget = self.call.matching_budget_cents
        if budget is not None and self.total + need > budget:
            return "over_budget"
        parts: list[tuple[int, int]] = []
        if not self.live and need > 0:
            order = [c.id for c in ordered_commitments(project_of_application(application), self.commitments)]
            parts = split(need, order, self.available)
            if sum(x for _k, x in parts) < need:
                return "match_not_covered"
        for key, x in parts:
            self.available[key] -= x
        self.total += need
        self.per_municipality[muni] += 1
        return None


def planner_factory(call: Call) -> SelectionPlanner:
    return SelectionPlanner(call)


def project_match_of_application(application_id: int, lock: bool = False) -> ProjectMatch | None:
    query = select(ProjectMatch).where(ProjectMatch.application_id == application_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def _unreserved(pm: ProjectMatch) -> bool:
    return (
        pm.mode == "at_close"
        and pm.state == "projected"
        and db.session.scalar(select(Allocation.id).where(Allocation.project_match_id == pm.id).limit(1))
        is None
    )


def reserve_for_selection(call: Call, applications: list[Application]) -> list[ProjectMatch]:
    """Reserve each selected project's maximum match from the commitments that admit it,
    in draw order (at_close); a live call reserves nothing but records the project.

    Refuses the whole selection (Conflict `match_not_covered`, listing the applications)
    when the commitments cannot cover every project; nothing is written then. A project
    that already has its reservation is left as it is; one whose match row exists without
    a reservation (its campaign was opened first) gets it now.
    """
    policy = full_policy(call.policy)
    existing = {a.id: project_match_of_application(a.id) for a in applications}
    todo = [a for a in applications if existing[a.id] is None or _unreserved(existing[a.id])]
    live = policy["mode"] == "live"
    commitments = all_commitments(call.fund_id)
    available = {c.id: c.available_cents for c in commitments}
    plans: list[tuple[Application, int, list[tuple[int, int]], dict[int, int]]] = []
    refused: list[dict[str, Any]] = []
    for application in todo:
        need = application_max_match(application)
        order = ordered_commitments(project_of_application(application), commitments)
        positions = {c.id: i for i, c in enumerate(order)}
        parts = [] if live else split(need, [c.id for c in order], available)
        covered = sum(x for _k, x in parts)
        if not live and covered < need:
            refused.append(
                {
                    "application_id": application.id,
                    "title": application.title,
                    "max_match_cents": need,
                    "covered_cents": covered,
                }
            )
            continue
        for key, x in parts:
            available[key] -= x
        plans.append((application, need, parts, positions))
    if refused:
        raise Conflict(
            _(
                "De sponsors kunnen de verdubbeling van %(n)s project(en) niet dekken: %(t)s.",
                n=len(refused),
                t=", ".join(str(r["title"]) for r in refused),
            ),
            code="match_not_covered",
            details={"applications": refused},
        )
    by_id = {c.id: c for c in commitments}
    used = {key for _a, _n, parts, _p in plans for key, _x in parts}
    booking.lock_in_draw_order(
        sorted(used, key=lambda k: (specificity(earmark_of(by_id[k])), by_id[k].created_at, k))
    )
    made = []
    for application, need, parts, positions in plans:
        pm = existing[application.id]
        if pm is None:
            pm = ProjectMatch(application_id=application.id, call_id=call.id, mode=policy["mode"])
            db.session.add(pm)
        pm.policy, pm.max_match_cents, pm.state, pm.matched_cents = policy, need, "projected", 0
        db.session.flush()
        for key, x in parts:
            # A concurrent live draw may have taken the money since we looked.
            if not booking.take_available(key, x):
                raise Conflict(
                    _("Het sponsorgeld veranderde tijdens de bevestiging; probeer opnieuw."),
                    code="match_not_covered",
                )
            booking.book(
                "reserve", by_id[key], pm, x, position=positions[key], key=f"match:reserve:pm{pm.id}:c{key}"
            )
        if pm.campaign_id is not None:  # opened before its reservation: its projection moves
            campaigns.refresh_campaign_figures(db.session, pm.campaign_id)
        made.append(pm)
    return made


def release_project(pm: ProjectMatch) -> int:
    """Give everything still reserved for `pm` back to available, in reverse draw order,
    and mark the project released (a cancelled campaign). Returns the cents released."""
    held = booking.holdings(pm)
    reserved = [(h["commitment_id"], h["reserved"]) for h in held]
    total = sum(x for _k, x in reserved)
    positions = {h["commitment_id"]: h["position"] for h in held}
    booking.lock_in_draw_order([h["commitment_id"] for h in held])
    for key, x in give_back(total, reserved):
        booking.book(
            "release",
            db.session.get(Commitment, key),
            pm,
            x,
            position=positions[key],
            key=f"match:release:pm{pm.id}:c{key}",
        )
    pm.state = "released"
    db.session.flush()
    return total
