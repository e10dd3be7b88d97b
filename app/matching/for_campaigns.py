"""What matching does for campaigns and the jury, at the points their code calls it (the
Matching port of app/campaigns/ports.py and the MatchReservation port of
app/jury/ports.py, provided in matching's setup). Each method runs inside the
caller's transaction, after the pledge and campaign rows are locked, and only calls a
settlement service; those are idempotent, so a repeated call changes nothing."""

from __future__ import annotations

from app.calls.models import Application, Call
from app.campaigns.models import CLOSED, Campaign, Pledge
from app.matching import audit, groups, public, settlement
from app.matching.reservations import reserve_for_selection


class CampaignMatching:
    """app.campaigns.ports.Matching."""

    def campaign_opened(self, campaign: Campaign) -> None:
        settlement.project_match_for(campaign)

    def campaign_closed(self, campaign: Campaign) -> None:
        settlement.settle(campaign)

    def pledge_counted(self, pledge: Pledge) -> None:
        settlement.draw_for_pledge(pledge)  # live only; a pledge pending at close still draws
        campaign = pledge.campaign
        if campaign.status in CLOSED:
            settlement.settle(campaign)  # the last pending pledge may have resolved

    def drawing_together(self, campaigns: list[Campaign]):
        return groups.drawing_group(campaigns)

    def pledge_resolved(self, pledge: Pledge) -> None:
        campaign = pledge.campaign
        if campaign.status in CLOSED:
            settlement.settle(campaign)

    def pledge_returned(self, pledge: Pledge) -> None:
        settlement.return_for_pledge(pledge)

    def matched_cents(self, campaign: Campaign) -> int:
        return audit.matched_cents(campaign)

    def pledge_effect(self, campaign: Campaign, amount_cents: int) -> int:
        return audit.pledge_effect_cents(campaign, amount_cents)

    def match_figures(self, campaigns: list[Campaign], amounts: tuple[int, ...]) -> dict[int, tuple]:
        return audit.match_figures(campaigns, amounts)

    def public_match(self, campaign: Campaign) -> dict:
        return public.public_match(campaign)

    def pledge_match(self, pledge: Pledge) -> tuple[int, bool]:
        return public.pledge_match(pledge)


def reserve_selection(call: Call, applications: list[Application]) -> None:
    """app.jury.ports.MatchReservation: raises Conflict(match_not_covered) to refuse the
    whole confirmation."""
    reserve_for_selection(call, list(applications))
