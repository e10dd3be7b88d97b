"""A generated fund for the report tests: calls, selected projects, campaigns with offline
gifts (real pledges, real ledger postings) and live matching from sponsors' commitments,
all through the domains' own services."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.campaigns import services as campaigns
from app.matching import services as matching
from tests import factories as f

LIVE = {"mode": "live", "condition": "none", "ratio": 1.0, "cap_per_project_cents": 600000}


@dataclass
class Fund:
    manager: object
    calls: list = field(default_factory=list)
    campaigns: dict = field(default_factory=dict)  # call id -> [Campaign]
    gifts: dict = field(default_factory=dict)  # campaign id -> [cents]


def sponsor(manager, name: str, cents: int, public: bool = True, **earmark):
    s = matching.create_sponsor({"name": name, "kind": "company", "public": public}, manager.id)
    matching.add_commitment(s, {"amount_cents": cents, **earmark}, manager.id)
    return s


def project(call, manager, title: str, municipality: str, target_cents: int):
    """A selected application with an open campaign."""
    app = f.application(
        call, status="selected", title=title, municipality=municipality, target_cents=target_cents
    )
    campaign = campaigns.create_campaign(app, manager.id)
    campaigns.open_campaign(campaign, manager.id)
    return campaign


def gift(campaign, cents: int, manager, email: str | None = None, name: str = "", anonymous: bool = False):
    return campaigns.record_offline_gift(
        campaign,
        {
            "amount_cents": cents,
            "method": "bank_transfer",
            "reference": f"OGM {campaign.id}-{cents}",
            "email": email,
            "display_name": name,
            "anonymous": anonymous,
        },
        manager.id,
    )
