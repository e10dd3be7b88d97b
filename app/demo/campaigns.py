"""Demo step for campaigns: a third call whose selection is made, its projects as campaigns
(two open with demo pledges, one nearly at its goal, and one still in draft). Pledges are
paid through the demo gateway's own code path (the events of its Pay button), so raised,
backers and the ledger are exactly what a real backer would produce. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.calls import services as calls
from app.calls.models import Call
from app.campaigns import services as campaigns
from app.core import clock
from app.extensions import db
from app.payments import services as payments

CALL_TITLE = "Oproep 2026 (campagnes lopen)"
# title, municipality, organisation, budget, target, patron, pledges (euro)
PROJECTS = [
    (
        "Buurtbakoven Waarschoot",
        "Eeklo",
        "Bakhuis vzw",
        900_000,
        500_000,
        "burgemeester Koen Loete",
        [2_000, 1_500, 500, 250, 150, 100, 100, 50, 50],  # € 4.700 of € 5.000: nearly there
    ),
    (
        "Kinderboerderij De Kraai",
        "Maldegem",
        "De Kraai vzw",
        700_000,
        300_000,
        None,
        [250, 100, 75, 50, 25],
    ),
    ("Repair Café Assenede", "Assenede", "Herstelkring vzw", 200_000, 100_000, None, []),
]
BACKERS = ["Anouk", "Bart", "Chloé", "Dries", "Elif", "Femke", "Gert", "Hanne", "Ilias"]


def load(ctx: dict) -> None:
    if db.session.scalar(select(Call).where(Call.title == CALL_TITLE)) is not None:
        return
    users = ctx["users"]
    manager, applicant = users["fund_manager"], users["applicant"]
    now = clock.now()
    call = calls.create_call(
        {
            "title": CALL_TITLE,
            "description": "De jury koos; nu halen de projecten hun werkbudget op. Sponsors verdubbelen.",
            "theme": "samenleven",
            "municipalities": ["Eeklo", "Maldegem", "Assenede"],
            "opens_at": now - timedelta(days=60),
            "closes_at": now + timedelta(hours=1),
            "criteria": [{"key": "impact", "label": "Maatschappelijke impact", "weight": 1, "max_score": 10}],
            "campaign_days": 45,
        },
        manager,
    )
    calls.publish_call(call, manager)
    for i, (title, muni, org, budget, target, patron, gifts) in enumerate(PROJECTS):
        campaign = selected_campaign(call, applicant, manager, title, muni, org, budget, target)
        campaign.patron_name = patron
        # The patron hears of the opening too (on /demo/mails).
        campaign.patron_email = f"peter{i}@demo.streekfonds.be" if patron else None
        if i < 2:
            campaigns.open_campaign(campaign, manager.id, starts_at=now - timedelta(days=10 + 5 * i))
            pay(campaign, gifts)
    calls.update_call(call, {"closes_at": now - timedelta(minutes=1)}, manager)
    calls.close_call(call)
    db.session.flush()


def selected_campaign(call, applicant, manager, title, muni, org, budget, target):
    """An association's application to `call`, brought along the real transitions to
    selected, and its draft campaign (also the demo's second fund uses it)."""
    application = calls.create_application(
        call,
        {
            "title": title,
            "summary": f"{title}: samen met de buurt in {muni}.",
            "description": f"## Waarom\n\n{title} brengt mensen in {muni} samen.\n\n"
            "## Wat we met het geld doen\n\n- materiaal\n- een eerste werkdag met de buren",
            "municipality": muni,
            "applicant_type": "association",
            "organisation": org,
            "enterprise_number": "0123.456.749",
            "budget_cents": budget,
            "target_cents": target,
        },
        applicant,
    )
    calls.submit_application(application, applicant)
    calls.screen_application(application, True, "", manager)
    calls.set_application_status(application, "in_review", manager.id)
    calls.set_application_status(application, "selected", manager.id)
    return campaigns.create_campaign(application, manager.id)


def pay(campaign, gifts: list[int], names: list[str] = BACKERS) -> None:
    """Demo backers give `gifts` (euro) through the demo gateway's own path (or, with a real
    Stripe account configured, as offline gifts: never charged)."""
    demo_mode = current_app.config.get("PAYMENT_GATEWAY", "demo") == "demo"
    for n, euro in enumerate(gifts):
        values = {
            "amount_cents": euro * 100,
            "email": f"steun{campaign.id}-{n}@demo.streekfonds.be",
            "display_name": names[n % len(names)],
            "anonymous": n % 4 == 3,
            "message": "Veel succes!" if n % 3 == 0 else "",
        }
        if demo_mode:
            pledge, _token = campaigns.create_pledge(campaign, values)
            payments.demo_pay(payments.demo_payment(pledge.checkout_session_id))
        else:  # a configured Stripe account: demo money only as offline gifts, never charged
            campaigns.record_offline_gift(
                campaign, {**values, "method": "bank_transfer", "reference": f"DEMO-{n}"}, None
            )
