"""Demo step for bank transfers: two backers who chose to pay by transfer, a sponsor whose
commitment is still to be paid, and a bank statement (CODA and CAMT.053) of the fund's
account that a fund manager imports on the Bank page to see the whole flow: one pledge
paid at once, one with another amount in the queue, the sponsor's payment recognised, a
gift without a reference and the bank's costs to decide by hand. Idempotent: the
statement is written again with the same lines, which an import recognises."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.campaigns import services as campaigns
from app.campaigns.models import Campaign, Pledge
from app.core import clock
from app.core import structured_reference as ogm
from app.demo.bank_files import Move, Stmt, camt053, coda
from app.extensions import db
from app.matching.models import Commitment, Sponsor

CAMPAIGN = "Kinderboerderij De Kraai"
BACKERS = (("Jana", 3_000), ("Karim", 4_000))
SPONSOR = "Klimaat- en buurtfonds Meetjesland"


def load(ctx: dict) -> None:
    iban = current_app.config.get("BANK_IBAN")
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == CAMPAIGN))
    if not iban or campaign is None:
        return
    transfers = list(
        db.session.scalars(
            select(Pledge)
            .where(Pledge.campaign_id == campaign.id, Pledge.announced_by_backer.is_(True))
            .order_by(Pledge.id)
        )
    )
    if not transfers:
        for name, cents in BACKERS:
            pledge, _token = campaigns.create_pledge(
                campaign,
                {
                    "method": "bank_transfer",
                    "amount_cents": cents,
                    "email": f"{name.lower()}@demo.streekfonds.be",
                    "display_name": name,
                },
            )
            transfers.append(pledge)
        db.session.flush()
    # The theme fund's commitment is still to be paid in the matching step's data.
    unpaid = db.session.scalar(
        select(Commitment).join(Sponsor).where(Sponsor.name == SPONSOR).order_by(Commitment.id).limit(1)
    )
    moves = [
        Move(
            transfers[0].amount_cents,
            structured=ogm.for_object(ogm.PLEDGE, transfers[0].id),
            name="Jana Peeters",
            account="BE71096123456769",
        ),
        # Karim transferred € 35 instead of € 40: the queue asks the fund manager.
        Move(
            3_500,
            structured=ogm.for_object(ogm.PLEDGE, transfers[1].id),
            name="Karim El Amrani",
            account="BE43068999999501",
        ),
        Move(
            2_500,
            free_text="Voor de kinderboerderij, succes!",
            name="Renée Vandamme",
            account="BE62510007547061",
        ),
        Move(-850, free_text="Kosten rekening november", name="Bank"),
    ]
    if unpaid is not None:
        moves.append(
            Move(
                unpaid.amount_cents,
                structured=ogm.for_object(ogm.COMMITMENT, unpaid.id),
                name=unpaid.sponsor.name,
                account="BE86001234567850",
            )
        )
    today = clock.now().date()
    statement = Stmt(iban, 1, 0, moves, day=today)
    for move in moves:
        move.booked = today
    folder = Path(current_app.instance_path) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rekeninguittreksel.cod").write_bytes(coda(statement, created=today))
    (folder / "rekeninguittreksel.xml").write_bytes(camt053(statement))
    ctx.setdefault("notes", []).append(
        f"Bank statement to import (Beheer → Bank): {folder / 'rekeninguittreksel.cod'} (or .xml, CAMT.053)"
    )
    click.echo(ctx["notes"][-1])
