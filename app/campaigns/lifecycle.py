"""A campaign's life: created (draft) from a confirmed selection, opened, closed when it
ends (succeeded, failed) or cancelled; and the sweep of pledges left pending. Re-exported by
campaigns.services."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.campaigns import confirmation, events, money
from app.campaigns.models import CAMPAIGN_STATES, Campaign, Pledge
from app.campaigns.ports import Matching
from app.core import audit, clock, ports
from app.extensions import db
from app.payments import services as payments


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
