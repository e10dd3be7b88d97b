"""What the jury asks of the layers above it when a selection is confirmed, inside the
confirmation's transaction (app/core/ports.py). Matching and campaigns stand above the
jury, so it calls what they provide in their `setup.register` instead of importing them."""

from __future__ import annotations

from typing import Protocol

from app.calls.models import Application, Call
from app.core import ports


@ports.declare
class MatchReservation(Protocol):
    """Provided by matching (`app/matching/for_campaigns.py: reserve_for_selection`)."""

    def __call__(self, call: Call, applications: list[Application]) -> None:
        """Reserve each selected project's maximum match from the commitments, before any
        status changes; raise a DomainError (Conflict `match_not_covered`) to refuse the
        whole confirmation."""


@ports.declare
class SelectionCampaigns(Protocol):
    """Provided by campaigns (`app/campaigns/services.py: create_campaigns`)."""

    def __call__(self, call: Call, selected: list[Application]) -> None:
        """A draft campaign for each selected application (idempotent)."""
