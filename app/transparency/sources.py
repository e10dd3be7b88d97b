"""What a report reads from the other domains, through their services only.

Every domain is part of the app: they are imported here like any other module.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.calls import services as calls
from app.calls.models import Application, Call
from app.campaigns import services as campaigns
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.jury import services as jury
from app.matching import services as matching
from app.payouts import services as payouts

PUBLIC_STATUSES = (
    "submitted",
    "eligible",
    "ineligible",
    "in_review",
    "selected",
    "not_selected",
    "withdrawn",
)


def applications_section(call: Call) -> dict:
    """Counts of the submitted applications (drafts are private) by status, municipality,
    applicant type and theme, and the screening outcomes."""
    apps = db.session.scalars(
        calls.applications_of_call(call)
        .where(Application.status.in_(PUBLIC_STATUSES))
        .order_by(Application.id)
    ).all()
    screened = [a for a in apps if a.screened_at is not None or a.status in ("eligible", "ineligible")]
    return {
        "total": len(apps),
        "by_status": dict(sorted(Counter(a.status for a in apps).items())),
        "by_municipality": dict(sorted(Counter(a.municipality or "?" for a in apps).items())),
        "by_applicant_type": dict(sorted(Counter(a.applicant_type or "?" for a in apps).items())),
        "by_theme": {call.theme or "?": len(apps)},
        "screening": {
            "screened": len(screened),
            "eligible": sum(1 for a in screened if a.status != "ineligible"),
            "ineligible": sum(1 for a in screened if a.status == "ineligible"),
        },
    }


def application_facts(call: Call) -> dict[int, Application]:
    return {a.id: a for a in db.session.scalars(calls.applications_of_call(call))}


def jury_section(call: Call) -> dict:
    """Jurors, declared conflicts (counts, no names), the totals per juror anonymised (labelled
    A, B, ... in order of their mean, so no id or order of joining shows), calibration, ties."""
    section = {
        "calibration": bool(call.calibration),
        "disagreement_threshold": call.disagreement_threshold,
        "tie_rule": "lottery" if call.tie_lottery else "raw_score_then_max_match_then_submission",
        "lottery_seed": call.lottery_seed if call.tie_lottery else None,
        "jurors": 0,
        "conflicts_declared": 0,
        "totals_by_juror": [],
    }
    section["jurors"] = sum(1 for j in jury.jurors_of(call) if j.get("status") == "active")
    per_juror: dict[int, list[float]] = {}
    for a in jury.assignments_of_call(call):
        if a.declaration == "conflict":
            section["conflicts_declared"] += 1
        elif a.declaration == "no_conflict" and a.submitted_at is not None:
            total = jury.total_of(a)
            if total is not None:
                per_juror.setdefault(a.user_id, []).append(float(total))
    stats = [
        {
            "count": len(v),
            "mean": round(sum(v) / len(v), 4),
            "min": round(min(v), 4),
            "max": round(max(v), 4),
        }
        for v in per_juror.values()
    ]
    stats.sort(key=lambda s: (s["mean"], s["count"], s["min"], s["max"]))
    section["totals_by_juror"] = [{"juror": _label(i), **s} for i, s in enumerate(stats)]
    return section


def _label(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"J{i + 1}"


def ranking(call: Call) -> list[dict]:
    return jury.ranking(call)


def selection_reasons(call: Call, ranked: list[dict]) -> dict[int, str]:
    """Why each ranked project was not selected, or selected against the proposal: the fund
    manager's reason for a deviation; else the reason the proposal skipped it (`over_budget`,
    `municipality_full`, `match_not_covered`, `not_scored`), kept on the selection."""
    selection = jury.selection_of(call)
    if selection is None:
        return {}
    given = {int(k): v for k, v in (selection.reasons or {}).items()}
    skipped = {int(s["application_id"]): s["reason"] for s in (selection.skipped or [])}
    proposed = set(selection.proposed_ids or [])
    selected = set(selection.selected_ids or [])
    out = {}
    for row in ranked:
        aid = row["application_id"]
        if aid in given:
            out[aid] = given[aid]
        elif aid not in selected:
            out[aid] = skipped.get(aid) or ("not_scored" if not row.get("totals_count") else "not_proposed")
            if aid in proposed:
                out[aid] = "not_confirmed"
    return out


def campaigns_of_call(call: Call) -> list:
    """The call's public campaigns (open, succeeded, failed), by id."""
    rows = db.session.scalars(campaigns.campaigns_query().filter_by(call_id=call.id)).all()
    return sorted(rows, key=lambda c: c.id)


def backers_counts(campaign_list) -> dict[int, int]:
    """Distinct backers whose net is above zero (campaigns' definition) of each of these
    campaigns, in one statement: {campaign id: backers}."""
    return campaigns.backers_counts([c.id for c in campaign_list])


ANONYMOUS_SPONSOR = "anonymous"


def sponsor_names() -> dict[int, str]:
    """{sponsor id: name} of public sponsors; the others show as "anonymous"."""
    return {s.id: s.name if s.public else ANONYMOUS_SPONSOR for s in matching.list_sponsors()}


def sponsors_section(call: Call | None) -> list[dict]:
    """Per sponsor: committed, matched and released (for the call's projects, or all), and
    what is still available. Sponsors who are not public are summed as "anonymous"."""
    app_ids = set(application_facts(call)) if call is not None else None
    rows: dict[str, dict] = {}
    for sponsor in matching.list_sponsors():
        report = matching.sponsor_report(sponsor)
        projects = [p for p in report["projects"] if app_ids is None or p["application_id"] in app_ids]
        if app_ids is not None and not projects:
            continue
        name = sponsor.name if sponsor.public else ANONYMOUS_SPONSOR
        row = rows.setdefault(
            name,
            {
                "sponsor": name,
                "committed_cents": 0,
                "matched_cents": 0,
                "released_cents": 0,
                "available_cents": 0,
            },
        )
        row["committed_cents"] += int(report["totals"]["amount_cents"])
        row["available_cents"] += int(report["totals"]["available_cents"])
        row["matched_cents"] += sum(int(p["matched_cents"]) for p in projects)
        row["released_cents"] += sum(int(p["released_cents"]) for p in projects)
    return [rows[k] for k in sorted(rows)]


def calls_of_year(year: int) -> list[Call]:
    calls_ = db.session.scalars(select(Call).where(Call.status != "draft").order_by(Call.id)).all()
    return [c for c in calls_ if c.published_at and clock.local(c.published_at).year == year]


def get_campaign(campaign_id: int):
    """The campaign with this id, or None when it may not be shown."""
    try:
        return campaigns.get_campaign(campaign_id)
    except DomainError:  # NotFound: a campaign we cannot show
        return None


def payouts_section(call: Call) -> list[dict]:
    """Per project what was paid and when, and its approved final report (no account
    numbers)."""
    return payouts.call_payouts(call.id)
