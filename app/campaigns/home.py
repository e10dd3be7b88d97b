"""The running campaigns the home page shows first (calls' HomeCampaigns port): each with
its first picture, its figures from the cache and whether sponsors double it; a fixed
number of statements however many campaigns and backers there are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.campaigns.figures import public_figures
from app.campaigns.listing import list_page
from app.campaigns.models import Campaign, CampaignPicture
from app.extensions import db


class RunningCampaigns:
    """app.calls.ports.HomeCampaigns."""

    def running(self, limit: int) -> list[dict[str, Any]]:
        campaigns, _after = list_page(select(Campaign).where(Campaign.status == "open"), None, size=limit)
        if not campaigns:
            return []
        ids = [c.id for c in campaigns]
        figures = public_figures(campaigns)
        first = (
            select(func.min(CampaignPicture.id))
            .where(CampaignPicture.campaign_id.in_(ids))
            .group_by(CampaignPicture.campaign_id)
        )
        pictures = {
            cid: (pid, alt)
            for cid, pid, alt in db.session.execute(
                select(CampaignPicture.campaign_id, CampaignPicture.id, CampaignPicture.alt_text).where(
                    CampaignPicture.id.in_(first)
                )
            )
        }
        return [
            {
                "campaign": c,
                "figures": figures[c.id],
                "picture": pictures.get(c.id),
                "doubled": bool(figures[c.id]["matched_cents"])
                or any(b > a for a, b in figures[c.id]["effects"]),
            }
            for c in campaigns
        ]
