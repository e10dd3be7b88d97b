"""Demo users, a published call with several applications, and a call in draft."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.calls import services as calls
from app.calls.models import Application, Call
from app.core import clock
from app.extensions import db

PASSWORD = "streekfonds-demo"
USERS = {
    "fund_manager": ("beheer@demo.streekfonds.be", "Fien Fondsbeheerder", ["fund_manager"]),
    "applicant": ("aanvrager@demo.streekfonds.be", "Ali Aanvrager", ["applicant", "backer"]),
    "juror": ("jury@demo.streekfonds.be", "Jo Jurylid", ["juror"]),
    "juror2": ("jury2@demo.streekfonds.be", "Jana Jurylid", ["juror"]),
    "juror3": ("jury3@demo.streekfonds.be", "Joris Jurylid", ["juror"]),
    "auditor": ("toezicht@demo.streekfonds.be", "Kaat KBS-toezicht", ["auditor"]),
    "admin": ("admin@demo.streekfonds.be", "Ada Admin", ["admin", "fund_manager"]),
}
CALL_TITLE = "Open oproep Streekfonds Meetjesland 2027"

PROJECTS = [
    (
        "Deelfietsen voor kinderen",
        "Eeklo",
        "association",
        "Fietsbib Eeklo vzw",
        "0123.456.749",
        900_000,
        400_000,
    ),
    ("Zorgboerderij De Linde", "Maldegem", "company", "De Linde bv", "0403.019.261", 2_000_000, 600_000),
    ("Sociale kruidenier", "Assenede", "association", "Kruidenier vzw", "0202.239.951", 1_500_000, 500_000),
    ("Repair Café Kaprijke", "Kaprijke", "individual", None, None, 300_000, 150_000),
    ("Schooltuin De Kiem", "Eeklo", "school", None, None, 600_000, 300_000),
]


def load(ctx: dict) -> None:
    ctx["password"] = PASSWORD
    ctx["users"] = {}
    for key, (email, name, roles) in USERS.items():
        user = accounts.find_user_by_email(email) or accounts.create_user(
            email, PASSWORD, roles, name, confirmed=True
        )
        ctx["users"][key] = user
    manager = ctx["users"]["fund_manager"]
    call = db.session.scalar(select(Call).where(Call.title == CALL_TITLE))
    if call is None:
        now = clock.now()
        call = calls.create_call(
            {
                "title": CALL_TITLE,
                "description": "Heb je een idee dat het Meetjesland sterker maakt? Dien het in. "
                "De jury kiest de beste projecten; sponsors verdubbelen wat je ophaalt.",
                "theme": "samenleven",
                "municipalities": ["Eeklo", "Maldegem", "Assenede", "Kaprijke", "Sint-Laureins"],
                "opens_at": now - timedelta(days=20),
                "closes_at": now + timedelta(days=40),
                "criteria": [
                    {"key": "impact", "label": "Maatschappelijke impact", "weight": 3, "max_score": 10},
                    {"key": "feasibility", "label": "Haalbaarheid", "weight": 2, "max_score": 10},
                    {
                        "key": "participation",
                        "label": "Betrokkenheid van de buurt",
                        "weight": 1,
                        "max_score": 5,
                    },
                ],
                "campaign_days": 45,
                "matching_budget_cents": 2_000_000,
                "calibration": True,
            },
            manager,
        )
        calls.publish_call(call, manager)
    ctx["call"] = call
    existing = db.session.scalar(select(Application.id).where(Application.call_id == call.id))
    ctx["applications"] = []
    if existing is None:
        applicant = ctx["users"]["applicant"]
        for i, (title, muni, kind, org, kbo, budget, target) in enumerate(PROJECTS):
            app = calls.create_application(
                call,
                {
                    "title": title,
                    "summary": f"{title} in {muni}.",
                    "description": f"{title}: een project van en voor de mensen in {muni}.",
                    "municipality": muni,
                    "applicant_type": kind,
                    "organisation": org,
                    "enterprise_number": kbo,
                    "budget_cents": budget,
                    "target_cents": target,
                },
                applicant,
            )
            if i < 4:
                calls.submit_application(app, applicant)
            if i < 3:
                calls.screen_application(app, True, "", manager)
            ctx["applications"].append(app)
    else:
        ctx["applications"] = list(
            db.session.scalars(select(Application).where(Application.call_id == call.id))
        )
    if not db.session.scalar(select(Call).where(Call.status == "draft")):
        calls.create_call({"title": "Klimaatfonds 2027 (ontwerp)", "theme": "klimaat"}, manager)
