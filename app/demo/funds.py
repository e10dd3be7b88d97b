"""Demo step: two funds on one platform (issue 14).

The default fund (everything the other steps made) is shown as "Streekfonds Oost-Vlaanderen",
with a second call for the Vlaamse Ardennen. A second fund, "Streekfonds West-Vlaanderen"
(site: /f/west-vlaanderen/), gets its own manager, a thematic call ("Hart voor West-
Vlaanderen") and a climate call, its own sponsor, and one open campaign with demo pledges,
so that its money, mails and public ledger are its own. The demo applicant applied to both
funds with one account; the overseer (KBS) reads both. Idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.accounts import services as accounts
from app.calls import services as calls
from app.calls.models import Call
from app.campaigns import services as campaigns
from app.core import clock, tenancy
from app.demo import campaigns as demo_campaigns
from app.extensions import db
from app.funds import services as funds
from app.matching import services as matching
from app.transparency import services as transparency

WEST = "west-vlaanderen"
WEST_MANAGER = ("beheer-west@demo.streekfonds.be", "Ward West-beheerder")
OOST = {
    "name": "Streekfonds Oost-Vlaanderen",
    "region": "Meetjesland en Vlaamse Ardennen",
    "municipalities": ["Eeklo", "Maldegem", "Assenede", "Kaprijke", "Oudenaarde", "Ronse", "Zottegem"],
    "footer": "Streekfonds Oost-Vlaanderen, een fonds beheerd door de Koning Boudewijnstichting.",
    "contact_email": "oost@demo.streekfonds.be",
    "mail_from_name": "Streekfonds Oost-Vlaanderen",
}
WEST_FUND = {
    "name": "Streekfonds West-Vlaanderen",
    "region": "West-Vlaanderen",
    "municipalities": ["Kortrijk", "Roeselare", "Ieper", "Menen", "Waregem"],
    "footer": "Streekfonds West-Vlaanderen, een fonds beheerd door de Koning Boudewijnstichting.",
    "contact_email": "west@demo.streekfonds.be",
    "mail_from_name": "Streekfonds West-Vlaanderen",
    "mail_from": "west@demo.streekfonds.be",
    "primary_colour": "#1d4f91",
    "iban": "BE71096123456769",
    "bic": "GKCCBEBB",
    "beneficiary": "Streekfonds West-Vlaanderen",
}
ARDENNEN_CALL = "Oproep Vlaamse Ardennen 2027"
HART_CALL = "Hart voor West-Vlaanderen 2027"
KLIMAAT_CALL = "Klimaatfonds Zuid-West-Vlaanderen 2027"
CAMPAIGN = ("Buurtzorg aan huis Kortrijk", "Kortrijk", "Buurtzorg vzw", 800_000, 400_000)
GIFTS = [500, 250, 100, 50, 25]
WEST_BACKERS = ["Lotte", "Mathias", "Nora", "Olivier", "Pien"]


def load(ctx: dict) -> None:
    home = funds.get(funds.ensure_default_fund())
    if home.name != OOST["name"]:
        funds.update(home, OOST)
    manager = ctx["users"]["fund_manager"]
    if db.session.scalar(select(Call).where(Call.title == ARDENNEN_CALL)) is None:
        with tenancy.scoped({home.id}):
            _call(ARDENNEN_CALL, "samenleven", ["Oudenaarde", "Ronse", "Zottegem"], manager)
    if WEST in funds.directory().by_slug:
        return
    west = funds.create(WEST, WEST_FUND)
    db.session.flush()
    funds.forget()
    with tenancy.scoped({west.id}):
        _west(ctx, west)


def _west(ctx: dict, west) -> None:
    users = ctx["users"]
    email, name = WEST_MANAGER
    manager = accounts.find_user_by_email(email) or accounts.create_user(
        email, ctx["password"], ["fund_manager"], name, confirmed=True, funds=[WEST]
    )
    users["fund_manager_west"] = manager
    accounts.set_roles(users["auditor"], ["auditor"], funds=[WEST])  # KBS oversees both funds
    accounts.set_roles(users["admin"], ["admin", "fund_manager"], funds=[WEST])
    hart = _call(HART_CALL, "zorg", WEST_FUND["municipalities"], manager, closes_in=timedelta(hours=1))
    _call(KLIMAAT_CALL, "klimaat", ["Kortrijk", "Menen", "Waregem"], manager)
    sponsor = matching.create_sponsor(
        {"name": "Provincie West-Vlaanderen", "kind": "province", "public": True}, manager.id
    )
    matching.add_commitment(
        sponsor,
        {
            "amount_cents": 3_000_000,
            "earmark": {},
            "received": True,
            "received_on": (clock.now() - timedelta(days=20)).date(),
            "received_reference": "DEMO-WEST",
        },
        manager.id,
    )
    campaign = _campaign(hart, users["applicant"], manager)
    demo_campaigns.pay(campaign, GIFTS, names=WEST_BACKERS)
    transparency.request_fund_report(clock.local(clock.now()).year, manager.id)


def _call(title: str, theme: str, municipalities: list[str], manager, closes_in=timedelta(days=40)) -> Call:
    now = clock.now()
    call = calls.create_call(
        {
            "title": title,
            "description": f"{title}: dien je project in; sponsors verdubbelen wat je ophaalt.",
            "theme": theme,
            "municipalities": municipalities,
            "opens_at": now - timedelta(days=10),
            "closes_at": now + closes_in,
            "criteria": [{"key": "impact", "label": "Maatschappelijke impact", "weight": 1, "max_score": 10}],
            "campaign_days": 45,
        },
        manager,
    )
    calls.publish_call(call, manager)
    return call


def _campaign(call: Call, applicant, manager):
    """The thematic call's one project, selected with West's own money reserved, and open."""
    campaign = demo_campaigns.selected_campaign(call, applicant, manager, *CAMPAIGN)
    matching.reserve_for_selection(call, [campaign.application])
    campaigns.open_campaign(campaign, manager.id, starts_at=clock.now() - timedelta(days=5))
    calls.update_call(call, {"closes_at": clock.now() - timedelta(minutes=1)}, manager)
    calls.close_call(call)
    return campaign
