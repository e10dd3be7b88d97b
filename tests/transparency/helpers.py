"""Helpers of the transparency tests: post money to the real journal, read exports back."""

from __future__ import annotations

import itertools

from app.ledger import services as ledger

_keys = itertools.count(1)


def pledge(campaign_id: int, cents: int, gateway: str = "gateway:demo", pledge_id: int | None = None):
    """A pledge's money arriving for a campaign, as campaigns posts it (account contract)."""
    return ledger.post(
        "pledge_succeeded",
        {gateway: cents, f"campaign:{campaign_id}:raised": -cents},
        idempotency_key=f"test-pledge:{next(_keys)}",
        campaign_id=campaign_id,
        pledge_id=pledge_id,
    )


def match(campaign_id: int, commitment_id: int, cents: int):
    """A settled match from a commitment to a campaign (matching's account contract)."""
    return ledger.post(
        "match_settled",
        {f"commitment:{commitment_id}:reserved": cents, f"campaign:{campaign_id}:match": -cents},
        idempotency_key=f"test-match:{next(_keys)}",
        campaign_id=campaign_id,
        commitment_id=commitment_id,
    )
