"""What calls asks of the layers above it (app/core/ports.py): the home page, which calls
serves, shows the running campaigns first; campaigns provides them."""

from __future__ import annotations

from typing import Any, Protocol

from app.core import ports


@ports.declare
class HomeCampaigns(Protocol):
    """The running campaigns for the home page, in a fixed number of statements."""

    def running(self, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` open campaigns, ending soonest first: [{"campaign", "figures",
        "picture" ((id, alt text) of its first picture, or None), "doubled"}]."""
