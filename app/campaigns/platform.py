"""The platform's own `/` when it hosts several funds: every fund, each with its running
campaigns, linked to the fund's own site. One query for the campaigns of all funds (a
window per fund), so the page costs the same for 2 funds or 50."""

from __future__ import annotations

from flask import make_response, render_template, request
from sqlalchemy import select, union_all

from app.campaigns.listing import list_order
from app.campaigns.models import Campaign
from app.core import http, tenancy
from app.extensions import db
from app.funds import services as funds
from app.funds import site

PER_FUND = 6


def running_by_fund() -> dict[int, list[Campaign]]:
    """Up to PER_FUND open campaigns per fund, those ending soonest first: one statement, each
    fund's few read in order from the list's index (not every open campaign of every fund
    numbered and sorted)."""
    every = [f.id for f in funds.all_funds()]
    if not every:
        return {}
    per_fund = [
        select(
            list_order(select(Campaign.id).where(Campaign.fund_id == fund_id, Campaign.status == "open"))
            .limit(PER_FUND)
            .subquery()
        )
        for fund_id in every
    ]
    chosen = union_all(*per_fund) if len(per_fund) > 1 else per_fund[0]
    query = select(Campaign).where(Campaign.id.in_(chosen))
    out: dict[int, list[Campaign]] = {}
    with tenancy.all_funds():
        for campaign in db.session.scalars(query.order_by(Campaign.fund_id, Campaign.ends_at, Campaign.id)):
            out.setdefault(campaign.fund_id, []).append(campaign)
    return out


def platform_home():
    """before_request: `/` on the platform's host lists the funds when there are several."""
    if request.path != "/" or request.method != "GET" or not site.on_platform_host():
        return None
    every = funds.all_funds()
    if len(every) < 2:
        return None
    page = render_template(
        "campaigns/platform.html",
        funds=every,
        running=running_by_fund(),
        site_url=lambda fund_id: funds.base_url(fund_id) + "/",
        campaign_url=lambda fund_id, cid: funds.url(fund_id, "campaigns.show_campaign", campaign_id=cid),
    )
    return http.finish_by_content(make_response(page))
