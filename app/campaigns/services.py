"""Campaigns: creation from a confirmed selection, opening and closing, and the figures
other domains read. The only module other domains import (it re-exports the pledge,
refund and tax certificate services, the owner's story, pictures and updates, and the
patron).

Services flush; the request, task or command commits once at the end.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.campaigns import confirmation, events, figures, money, municipality
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
from app.campaigns.listing import (  # noqa: F401
    LIST_PAGE_SIZE,
    PUBLIC_STATUSES,
    STAFF,
    campaigns_query,
    facets,
    is_staff,
    list_page,
)
from app.campaigns.models import CAMPAIGN_STATES, PAID, Campaign, Pledge
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
from app.core import audit, clock, ports
from app.core.errors import NotFound
from app.extensions import db
from app.funds import services as funds
from app.payments import services as payments

# --- creation and lifecycle -----------------------------------------------------------------


def create_campaign(application, actor_id: int | None = None) -> Campaign:
    """A draft campaign for a selected application (goal = its target). Idempotent: a second
    call returns the campaign that exists. `ends_at` = `starts_at` plus the call's
    campaign_days as calendar days at the same Brussels wall time; both move when opened."""
    existing = db.session.scalar(select(Campaign).where(Campaign.application_id == application.id))
    if existing is not None:
        return existing
    call = application.call
    starts = clock.now()
    campaign = Campaign(
        application_id=application.id,
        call_id=call.id,
        owner_id=application.owner_id,
        title=application.title or _("Project %(id)d", id=application.id),
        municipality=application.municipality or "",
        theme=call.theme or "",
        goal_cents=application.target_cents or 0,
        status="draft",
        starts_at=starts,
        ends_at=clock.add_local_days(starts, call.campaign_days or 45),
        summary=application.summary or "",
        story_markdown=application.description or "",
    )
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
            db.session.flush()
    except IntegrityError:
        return db.session.scalar(select(Campaign).where(Campaign.application_id == application.id))
    audit.record(db.session, actor_id, "campaign.created", "campaign", campaign.id, after={"status": "draft"})
    return campaign


def create_campaigns(call, selected) -> None:
    """app.jury.ports.SelectionCampaigns: each selected application gets its draft campaign."""
    for application in selected:
        create_campaign(application)


def _locked(campaign: Campaign) -> Campaign:
    return db.session.scalars(
        select(Campaign)
        .where(Campaign.id == campaign.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def open_campaign(campaign: Campaign, actor_id: int | None, starts_at: datetime | None = None) -> Campaign:
    """draft → open. It starts now (or at `starts_at`), and ends campaign_days calendar days
    later at the same Brussels wall time. Refuses other states (409)."""
    campaign = _locked(campaign)
    CAMPAIGN_STATES.check(campaign.status, "open")
    campaign.status = "open"
    campaign.opened_at = clock.now()
    campaign.starts_at = starts_at or campaign.opened_at
    campaign.ends_at = clock.add_local_days(campaign.starts_at, campaign.call.campaign_days or 45)
    campaign.figures_version += 1  # the pledge effects show from now on
    db.session.flush()
    audit.record(
        db.session,
        actor_id,
        "campaign.opened",
        "campaign",
        campaign.id,
        {"status": "draft"},
        {"status": "open"},
    )
    ports.get(Matching).campaign_opened(campaign)
    events.campaign_opened.send(campaign)  # mails
    return campaign


def close_campaign(campaign: Campaign, actor_id: int | None = None, cancel: bool = False) -> Campaign:
    """open → succeeded (raised ≥ goal) or failed; or draft/open → cancelled with `cancel`.

    Under the campaign's row lock, so raised cannot move while it is judged. When the call
    is all-or-nothing and the campaign failed (or it was cancelled), every succeeded pledge
    gets one refund (a row now, the gateway after commit). Refuses other states (409).
    """
    campaign = _locked(campaign)
    source = campaign.status
    if cancel:
        target = "cancelled"
    else:
        target = "succeeded" if money.raised_from_ledger(campaign.id) >= campaign.goal_cents else "failed"
    CAMPAIGN_STATES.check(source, target)
    campaign.status = target
    campaign.closed_at = clock.now()
    campaign.figures_version += 1  # no more pledge effects
    db.session.flush()
    audit.record(
        db.session,
        actor_id,
        f"campaign.{target}",
        "campaign",
        campaign.id,
        {"status": source},
        {"status": target},
    )
    if target == "cancelled" or (target == "failed" and campaign.call.all_or_nothing):
        confirmation.close_refunds(campaign)
    ports.get(Matching).campaign_closed(campaign)  # the settlement, after the refunds
    events.campaign_closed.send(campaign)  # mails
    return campaign


def due_campaign_ids() -> list[int]:
    """Open campaigns whose end has passed (task campaigns.close_due closes each)."""
    return list(
        db.session.scalars(
            select(Campaign.id).where(Campaign.status == "open", Campaign.ends_at <= clock.now())
        )
    )


def close_if_due(campaign_id: int) -> bool:
    """Close the campaign if it is still open and its end has passed (under its row lock:
    a campaign closed meanwhile is left alone). True when this call closed it."""
    campaign = _locked(db.session.get(Campaign, campaign_id))
    if campaign.status != "open" or campaign.ends_at > clock.now():
        return False
    close_campaign(campaign)
    return True


def stale_pending_ids(max_age_hours: int = 25) -> list[int]:
    """Pledges pending for longer than their gateway's checkout lives (task
    campaigns.expire_pending asks the gateway about each)."""
    cutoff = clock.now() - timedelta(hours=max_age_hours)
    return list(
        db.session.scalars(
            select(Pledge.id).where(
                Pledge.status == "pending",
                Pledge.created_at < cutoff,
                Pledge.checkout_session_id.is_not(None),
            )
        )
    )


def settle_stale_pending(pledge_id: int) -> None:
    """Ask the gateway how a stale pending pledge's payment stands and apply it: paid ones
    succeed, open ones are expired there (key `expire:<id>`) and here, through the same
    confirmation path as a webhook. Raises GatewayUnavailable when it does not answer."""
    pledge = db.session.get(Pledge, pledge_id)
    gateway = payments.get_gateway(pledge.method)
    state = gateway.payment_state(session_id=pledge.checkout_session_id)
    if state is not None and state.status == "open":
        gateway.expire_checkout(pledge.checkout_session_id, pledge.id)
        state = gateway.payment_state(session_id=pledge.checkout_session_id)
    if state is not None:
        confirmation.apply_state(pledge.id, state)


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
