"""Demo step for the jury: the three demo jurors on the open demo call, and a second call
"Oproep 2026 (jury klaar)" whose jury has scored (a lenient, a strict and a middle juror,
one application disputed), with the ranking ready and the selection left to confirm."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.calls import services as calls
from app.calls.models import Call
from app.core import clock
from app.extensions import db
from app.jury import services as jury

CALL_TITLE = "Oproep 2026 (jury klaar)"
CRITERIA = [
    {"key": "impact", "label": "Maatschappelijke impact", "weight": 3, "max_score": 10},
    {"key": "feasibility", "label": "Haalbaarheid", "weight": 2, "max_score": 10},
    {"key": "participation", "label": "Betrokkenheid van de buurt", "weight": 1, "max_score": 5},
]
# title, municipality, organisation, budget, target, base scores (impact, feasibility, participation)
PROJECTS = [
    ("Buurtmoestuin Sint-Laureins", "Sint-Laureins", "Groen Dorp vzw", 1_000_000, 500_000, (8, 7, 4)),
    ("Speelstraat Eeklo", "Eeklo", "Speelpleinwerking vzw", 600_000, 300_000, (6, 6, 3)),
    ("Fietsherstelplaats Maldegem", "Maldegem", "Trapkracht vzw", 800_000, 400_000, (7, 5, 4)),
    ("Taalcafé Assenede", "Assenede", "Babbelbar vzw", 500_000, 250_000, (5, 7, 3)),
    ("Zwerfvuilploeg Kaprijke", "Kaprijke", "Proper Kaprijke vzw", 900_000, 450_000, (6, 6, 3)),
]
DISPUTED = "Zwerfvuilploeg Kaprijke"
# Who scores what (two jurors per project, each juror three or four projects): Jo marks one
# point higher on every criterion, Jana one lower, Joris as the base. Since they score
# different projects, the raw means favour Jo's projects; calibration corrects that. On
# the disputed project Jana and Joris disagree outright.
PLAN = {
    "juror": ("Speelstraat Eeklo", "Fietsherstelplaats Maldegem", "Taalcafé Assenede"),
    "juror2": ("Buurtmoestuin Sint-Laureins", "Fietsherstelplaats Maldegem", DISPUTED),
    "juror3": ("Buurtmoestuin Sint-Laureins", "Speelstraat Eeklo", "Taalcafé Assenede", DISPUTED),
}
LENIENCY = {"juror": 1, "juror2": -1, "juror3": 0}
DISPUTED_SCORES = {"juror2": (2, 3, 1), "juror3": (8, 8, 4)}


def load(ctx: dict) -> None:
    users = ctx["users"]
    manager = users["fund_manager"]
    juror_keys = ("juror", "juror2", "juror3")
    # 1. The open demo call: the three jurors on every eligible application.
    call = ctx["call"]
    for key in juror_keys:
        jury.add_juror(call, users[key].email, manager)
        jury.assign(call, users[key].email, None, manager)
    # 2. A call whose jury is done.
    if db.session.scalar(select(Call.id).where(Call.title == CALL_TITLE)) is None:
        ready = _scored_call(users, manager, juror_keys)
        ctx["jury_ready_call"] = ready
    db.session.flush()


def _travel(moment) -> None:
    """Move the clock to `moment` (inside `clock.restored()`)."""
    clock.shift(moment - clock.now())


def _scored_call(users, manager, juror_keys) -> Call:
    now = clock.now()
    call = calls.create_call(
        {
            "title": CALL_TITLE,
            "description": "Een afgesloten oproep waarvan de jury klaar is: bekijk de "
            "gekalibreerde rangschikking, stel een selectie voor en bevestig ze.",
            "theme": "samenleven",
            "municipalities": ["Eeklo", "Maldegem", "Assenede", "Kaprijke", "Sint-Laureins"],
            "opens_at": now - timedelta(days=60),
            "closes_at": now - timedelta(days=14),
            "criteria": CRITERIA,
            "campaign_days": 45,
            "matching_budget_cents": 1_200_000,
            "max_selected_per_municipality": 2,
            "calibration": True,
            "disagreement_threshold": 15.0,
            "tie_lottery": True,
        },
        manager,
    )
    # Applications are written a week before the deadline, screened a day after it; the
    # clock comes back to today afterwards.
    with clock.restored():
        _travel(call.closes_at - timedelta(days=7))
        calls.publish_call(call, manager)
        applicant = users["applicant"]
        apps = []
        for title, muni, org, budget, target, _scores in PROJECTS:
            app = calls.create_application(
                call,
                {
                    "title": title,
                    "summary": f"{title}: samen met de buurt.",
                    "description": f"{title}. Een project van en voor de mensen in {muni}.",
                    "municipality": muni,
                    "applicant_type": "association",
                    "organisation": org,
                    "enterprise_number": "0123.456.749",
                    "budget_cents": budget,
                    "target_cents": target,
                },
                applicant,
            )
            calls.submit_application(app, applicant)
            apps.append(app)
        clock.shift(timedelta(days=8))  # past the deadline, before today
        for app in apps:
            calls.screen_application(app, True, "", manager)
    by_title = {app.title: app for app in apps}
    for key in juror_keys:
        jury.add_juror(call, users[key].email, manager)
        for title in PLAN[key]:
            jury.assign(call, users[key].email, by_title[title].id, manager)
    jury.open_scoring(call, manager)
    base = {title: marks for title, *_rest, marks in PROJECTS}
    for key in juror_keys:
        juror = users[key]
        for title in PLAN[key]:
            if title == DISPUTED:
                marks = DISPUTED_SCORES[key]
            else:
                marks = tuple(b + LENIENCY[key] for b in base[title])
            scores = {c["key"]: max(0, min(c["max_score"], m)) for c, m in zip(CRITERIA, marks, strict=True)}
            app = by_title[title]
            jury.declare(app.id, juror, False)
            jury.save_score(app.id, juror, scores, _comment(key, title), submit=True)
    jury.close_scoring(call, manager)
    return call


def _comment(key: str, title: str) -> str:
    if title == DISPUTED:
        return {
            "juror": "Uitstekend: zichtbaar resultaat in elke straat.",
            "juror2": "Weinig vernieuwend; de gemeente doet dit al.",
            "juror3": "Degelijk, maar de planning is krap.",
        }[key]
    return {"juror": "Sterk project.", "juror2": "Kan beter onderbouwd.", "juror3": "In orde."}[key]
