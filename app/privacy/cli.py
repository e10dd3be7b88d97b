"""`flask privacy rekey-tax-data`: give tax-certificate data written before data keys a key of
its own, so that erasure and retention can shred it (docs/privacy.md). Idempotent."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import undefer

from app.campaigns.models import Pledge
from app.core import datakeys
from app.extensions import db

privacy_cli = AppGroup("privacy", help="Privacy: personal data and its keys.")
BATCH = 500


@privacy_cli.command("rekey-tax-data")
def rekey_tax_data():
    """Re-encrypt old tax-certificate data under a data key per pledge; commits per batch."""
    try:
        datakeys.master()
    except datakeys.NoMasterKey as exc:
        raise click.ClickException(str(exc)) from None
    after, done = 0, 0
    while True:
        pledges = db.session.scalars(
            select(Pledge)
            .options(undefer(Pledge.tax_certificate_encrypted))
            .where(Pledge.id > after, Pledge.tax_certificate_encrypted.is_not(None))
            .order_by(Pledge.id)
            .limit(BATCH)
        ).all()
        if not pledges:
            break
        for pledge in pledges:
            new = datakeys.rekey(db.session, pledge.tax_certificate_encrypted)
            if new is not None:
                pledge.tax_certificate_encrypted = new
                done += 1
        after = pledges[-1].id
        db.session.commit()
    click.echo(f"{done} tax-certificate records now have a data key of their own")
