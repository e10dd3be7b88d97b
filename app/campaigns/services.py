"""Campaigns: creation from a confirmed selection, opening and closing, and the figures
other domains read. The only module other domains import (it re-exports the pledge,
refund and tax certificate services, the owner's story, pictures and updates, and the
patron).

Services flush; the request, task or command commits once at the end.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import User
from app.campaigns import figures, money, municipality
from app.campaigns.confirmation import refund_after_close  # noqa: F401
from app.campaigns.content import (  # noqa: F401
    add_picture,
    behind,
    edit_profile,
    edit_story,
    owned_campaign,
    pictures_of,
    post_update,
    remove_picture,
    updates_of,
)
from app.campaigns.figures import (  # noqa: F401
    figures_written,
    public_figures,
    refresh_campaign_figures,
)
from app.campaigns.figures import mismatches as figures_mismatches  # noqa: F401
from app.campaigns.lifecycle import (  # noqa: F401 - a campaign's life, re-exported
    close_campaign,
    close_if_due,
    create_campaign,
    create_campaigns,
    due_campaign_ids,
    open_campaign,
    settle_stale_pending,
    stale_pending_ids,
)
from app.campaigns.listing import (  # noqa: F401
    LIST_PAGE_SIZE,
    PUBLIC_STATUSES,
    STAFF,
    campaigns_query,
    facets,
    is_staff,
    list_page,
)
from app.campaigns.models import PAID, Campaign, Pledge
from app.campaigns.patron import FIELDS as PATRON_FIELDS  # noqa: F401
from app.campaigns.patron import patron_of, set_patron  # noqa: F401
from app.campaigns.pledge_guard import guard_anonymous_pledge  # noqa: F401
from app.campaigns.pledging import (  # noqa: F401
    amount_message,
    check_pledge_values,
    create_pledge,
    match_of_pledge,
    pledge_by_token,
    pledge_for_reader,
    pledge_limits,
    receipt_token,
    retry_pledge,
    returned_from_checkout,
)
from app.campaigns.ports import Matching
from app.campaigns.readers import owners_of, pledges_of_campaigns  # noqa: F401
from app.campaigns.refunds import (  # noqa: F401
    cancel_offline_gift,
    record_offline_gift,
    refundable_cents,
    request_refund,
    run_refund,
    stale_refund_ids,
)
from app.campaigns.taxcert import tax_certificate_requests  # noqa: F401
from app.campaigns.transfers import (  # noqa: F401
    announced_cents,
    pay_by_transfer,
    sweep_transfers,
    transfer_days,
)
from app.campaigns.transfers import instructions as transfer_instructions  # noqa: F401
from app.campaigns.transfers import unpay as unpay_transfer  # noqa: F401
from app.core import ports
from app.core.errors import NotFound
from app.extensions import db
from app.funds import services as funds

# --- reading ----------------------------------------------------------------------------


def get_campaign(campaign_id: int, user=None) -> Campaign:
    """The campaign; a draft only for its owner and the fund's staff (404 for others)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("Campagne niet gevonden."))
    if campaign.status == "draft" and not (
        is_staff(user) or (user is not None and getattr(user, "id", None) == campaign.owner_id)
    ):
        raise NotFound(_("Campagne niet gevonden."))
    return campaign


def raised_cents(campaign: Campaign) -> int:
    """Raised: succeeded pledges (online and offline) minus refunds and open or lost
    disputes, derived from the ledger entries of `campaign:<id>:raised`."""
    return money.raised_from_ledger(campaign.id)


def backer_key(pledge: Pledge) -> str:
    """Who a backer is: the e-mail, or `offline:<pledge id>` for a gift without one."""
    return pledge.email or f"offline:{pledge.id}"


def pledges_by_id(pledge_ids) -> dict[int, Pledge]:
    """{id: pledge} for these ids, in one query (transparency seals thousands at once)."""
    ids = list(set(pledge_ids))
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(select(Pledge).where(Pledge.id.in_(ids)))}


def pledges_of(campaign: Campaign, status: str | None = None) -> list[Pledge]:
    q = select(Pledge).where(Pledge.campaign_id == campaign.id).order_by(Pledge.id)
    if status:
        q = q.where(Pledge.status == status)
    return list(db.session.scalars(q))


def backers_count(campaign: Campaign) -> int:
    """Distinct backers (by backer_key) whose net, from the ledger, is above zero."""
    net = money.net_by_pledge(campaign.id)
    if not net:
        return 0
    rows = db.session.execute(select(Pledge.id, Pledge.email).where(Pledge.id.in_(list(net)))).all()
    per_backer: dict[str, int] = {}
    for pid, email in rows:
        key = email or f"offline:{pid}"
        per_backer[key] = per_backer.get(key, 0) + net.get(pid, 0)
    return sum(1 for v in per_backer.values() if v > 0)


def backers_counts(campaign_ids) -> dict[int, int]:
    """`backers_count` of many campaigns in one statement: {campaign id: backers}."""
    return figures.backers_by_campaign(list(campaign_ids))


def pending_count(campaign: Campaign) -> int:
    return int(
        db.session.scalar(
            select(func.count(Pledge.id)).where(Pledge.campaign_id == campaign.id, Pledge.status == "pending")
        )
        or 0
    )


def owns(pledge: Pledge, owner_id: int, owner_email: str | None) -> bool:
    """Whether `pledge` is by the owner (`owner_id`, `owner_email`): by their account or
    their e-mail address, in any case. The one rule behind is_owner_pledge and
    `owners_of`'s users."""
    if pledge.user_id is not None and pledge.user_id == owner_id:
        return True
    return bool(pledge.email and owner_email and pledge.email.lower() == owner_email.lower())


def is_owner_pledge(pledge: Pledge) -> bool:
    """A pledge by the application owner's account or e-mail (their own money is not matched)."""
    campaign = pledge.campaign
    if pledge.user_id is not None and pledge.user_id == campaign.owner_id:
        return True
    if not pledge.email:
        return False
    # Only the address: loading the User would load its roles too (every live draw asks).
    owner_email = db.session.scalar(select(User.email).where(User.id == campaign.owner_id))
    return owns(pledge, campaign.owner_id, owner_email)


def matched_cents(campaign: Campaign) -> int:
    """The match on top, as matching counts it (the Matching port)."""
    return int(ports.get(Matching).matched_cents(campaign))


def pledge_effects(campaign: Campaign, amounts=(2000, 5000)) -> list[tuple[int, int]]:
    """What a pledge of each amount becomes with the match on top, from matching's live
    projection (the Matching port): [(amount, amount + match)]. Empty when the campaign is
    not open."""
    if campaign.status != "open":
        return []
    effect = ports.get(Matching).pledge_effect
    return [(amount, amount + int(effect(campaign, amount))) for amount in amounts]


def public_pledges(campaign: Campaign) -> list[Pledge]:
    """Pledges shown on the campaign page: those that count now, newest first."""
    return list(
        db.session.scalars(
            select(Pledge)
            .where(Pledge.campaign_id == campaign.id, Pledge.status.in_(PAID))
            .order_by(Pledge.confirmed_at.desc(), Pledge.id.desc())
            .limit(200)
        )
    )


def public_match(campaign: Campaign) -> dict:
    """The sponsors doubling the campaign (names, None for an anonymous one) and whether
    their money still waits for the goal (the Matching port; a fixed number of statements)."""
    return ports.get(Matching).public_match(campaign)


def days_left(campaign: Campaign) -> int | None:
    return figures.days_left(campaign)


days_left_until = figures.days_left_until


def summary(campaign: Campaign) -> dict:
    """The figures the API and the pages show."""
    return {
        "raised_cents": raised_cents(campaign),
        "matched_cents": matched_cents(campaign),
        "backers_count": backers_count(campaign),
        "days_left": days_left(campaign),
    }


def municipality_page(name: str) -> dict:
    """A municipality's public campaigns with the figures of `summary`, and its totals per
    year (app/campaigns/municipality.py); NotFound when it has none."""
    return municipality.municipality_page(name, PUBLIC_STATUSES, summary)


def cache_mismatches() -> list[dict]:
    """Campaigns whose cached figures differ from the ledger (should be empty): raised on the
    campaign row, and the current rows of the public figures cache (backers, match)."""
    out = []
    for campaign in db.session.scalars(select(Campaign)):
        derived = money.raised_from_ledger(campaign.id)
        if derived != campaign.raised_cache_cents:
            out.append({"campaign_id": campaign.id, "cached": campaign.raised_cache_cents, "ledger": derived})
    return out + figures.mismatches()


def receipt_link(pledge: Pledge) -> str:
    """The pledge's secret status page (for the receipt mail of the notifications domain)."""
    base = funds.base_url(pledge.fund_id)
    return f"{base}/pledges/{pledge.id}?token={receipt_token(pledge)}"


def net_by_pledge(campaign_id: int) -> dict[int, int]:
    """What each pledge of the campaign counts for now, from the journal (pledge id → cents)."""
    return money.net_by_pledge(campaign_id)
