"""Demo step for matching: sponsors with earmarked commitments (the province for every
project, a municipality for its own projects, a theme fund), and the reservations of the
demo campaigns, as a confirmed selection would have made them. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.calls.models import Application, Call
from app.core import clock
from app.extensions import db
from app.matching import services as matching
from app.matching.models import Sponsor

# name, kind, public, contact, [(amount_cents, earmark, received)]
SPONSORS = [
    (
        "Provincie Oost-Vlaanderen",
        "province",
        True,
        "streekfonds@oost-vlaanderen.be",
        [(4_000_000, {}, True)],
    ),
    (
        "Stad Eeklo",
        "municipality",
        True,
        "financien@eeklo.be",
        [(600_000, {"municipalities": ["Eeklo"]}, True)],
    ),
    (
        "Klimaat- en buurtfonds Meetjesland",
        "foundation",
        False,
        None,
        [(1_500_000, {"theme": "samenleven"}, False)],
    ),
]
CAMPAIGN_CALL = "Oproep 2026 (campagnes lopen)"


def load(ctx: dict) -> None:
    manager = ctx["users"]["fund_manager"]
    if db.session.scalar(select(Sponsor).where(Sponsor.name == SPONSORS[0][0])) is None:
        for name, kind, public, email, commitments in SPONSORS:
            sponsor = matching.create_sponsor(
                {"name": name, "kind": kind, "public": public, "contact_email": email}, manager.id
            )
            for amount, earmark, received in commitments:
                values = {"amount_cents": amount, "earmark": earmark, "received": received}
                if received:
                    values |= {
                        "received_on": (clock.now() - timedelta(days=30)).date(),
                        "received_reference": f"DEMO-{sponsor.id}",
                    }
                matching.add_commitment(sponsor, values, manager.id)
    call = db.session.scalar(select(Call).where(Call.title == CAMPAIGN_CALL))
    if call is not None:
        selected = list(
            db.session.scalars(
                select(Application)
                .where(Application.call_id == call.id, Application.status == "selected")
                .order_by(Application.id)
            )
        )
        matching.reserve_for_selection(call, selected)
    db.session.flush()
