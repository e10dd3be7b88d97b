"""What campaigns asks of the layers above it, inside its own transaction.

Matching and notifications stand above campaigns (pyproject.toml), so campaigns does not
import them: it calls the object each provides for these ports in its `setup.register`
(app/core/ports.py). Each call happens at a fixed point of campaigns' code (see
confirmation.py and services.py), never through a signal.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from app.campaigns.models import Campaign, Pledge
from app.core import ports


@ports.declare
class Matching(Protocol):
    """The match money of a campaign. Every method that changes something takes the
    project's match row lock and, where money moves, the shared commitment rows: call it
    after the pledge and campaign rows are locked, as the last step before the transaction
    ends."""

    def campaign_opened(self, campaign: Campaign) -> None:
        """Link the campaign to the match its selection reserved."""

    def campaign_closed(self, campaign: Campaign) -> None:
        """Settle the match at close (waits for pledges still pending)."""

    def pledge_counted(self, pledge: Pledge) -> None:
        """A pledge's money counts: the live draw, and a settlement that waited for it."""

    def drawing_together(self, campaigns: list[Campaign]) -> AbstractContextManager[object]:
        """A block in which pledges of these campaigns are counted in one transaction: the
        rows their draws share (project matches, commitments) are locked and read once for
        all, in the one lock order. Enter it after the pledge and campaign rows are locked."""

    def pledge_resolved(self, pledge: Pledge) -> None:
        """A pending pledge failed or expired: a closed campaign may settle now."""

    def pledge_returned(self, pledge: Pledge) -> None:
        """A refund, a lost dispute or a cancelled gift: give back the match it no longer earns."""

    def matched_cents(self, campaign: Campaign) -> int:
        """The match on top of the campaign now (reads only)."""

    def pledge_effect(self, campaign: Campaign, amount_cents: int) -> int:
        """What a pledge of this amount would draw now (reads only: "your 20 euro becomes 40")."""

    def match_figures(self, campaigns: list[Campaign], amounts: tuple[int, ...]) -> dict[int, tuple]:
        """For the public figures cache, set-based (reads only): {campaign id: (the match
        shown, [[amount, amount + its match], ...], or None when that effect depends on
        money other campaigns draw from and is read at each view)}."""

    def public_match(self, campaign: Campaign) -> dict:
        """For the campaign page, in a fixed number of statements (reads only):
        {"sponsors": [name, or None for an anonymous sponsor], "conditional": whether the
        match still depends on reaching the goal}."""

    def pledge_match(self, pledge: Pledge) -> tuple[int, bool]:
        """For the thank-you page (reads only): (the match this pledge earned, or earns if
        the goal is reached, whether that is still conditional)."""


@ports.declare
class PledgeMail(Protocol):
    """The mails a pledge's money owes its backer: outbox rows in this transaction."""

    def receipt(self, pledge: Pledge) -> None:
        """The receipt, once per pledge."""

    def refunded(self, pledge: Pledge, amount_cents: int) -> None:
        """A refund step of `amount_cents`, once per step."""

    def transfer_instructions(self, pledge: Pledge) -> None:
        """How to pay a pledge by bank transfer (account, communication), once per pledge."""

    def transfer_reminder(self, pledge: Pledge) -> None:
        """A reminder that the transfer has not arrived yet, once per pledge."""
