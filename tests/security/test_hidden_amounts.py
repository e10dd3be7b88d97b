"""Item 6 of issue 12: a pledge with hide_amount never appears in the public ledger by name."""

from __future__ import annotations

import json

from app.campaigns.models import Pledge
from app.transparency import services
from app.transparency.sealing import backer_of, pseudonym, shown_name
from tests.campaigns.fixtures import make_campaign
from tests.transparency.helpers import pledge as post_pledge


def _pledge(campaign, **values) -> Pledge:
    from app.extensions import db

    p = Pledge(
        campaign_id=campaign.id,
        amount_cents=2500,
        email="marie@example.org",
        display_name="Marie Peeters",
        method="demo",
        status="succeeded",
        receipt_token_hash=values.pop("token_hash"),
        receipt_nonce="n",
        **values,
    )
    db.session.add(p)
    db.session.flush()
    return p


def test_a_hidden_amount_is_published_under_a_pseudonym_not_the_name():
    campaign = make_campaign()
    hidden = _pledge(campaign, hide_amount=True, token_hash="a" * 64)
    shown = _pledge(campaign, hide_amount=False, token_hash="b" * 64)
    assert backer_of(hidden) == {"pseudonym": pseudonym("marie@example.org")}
    assert shown_name(hidden) is None and shown_name(shown) == "Marie Peeters"
    assert backer_of(shown) == {"pseudonym": pseudonym(f"pledge:{shown.id}")}  # the name goes beside
    post_pledge(campaign.id, 2500, pledge_id=hidden.id)
    services.seal_ledger()
    text = "".join(services.iter_jsonl())
    assert "Marie" not in text
    records = [json.loads(line) for line in text.splitlines()]
    assert {"pseudonym": pseudonym("marie@example.org")} in [r["backer"] for r in records]
