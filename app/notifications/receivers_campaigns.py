"""Mails about campaigns and their money: outbox rows for owners, backers, patrons,
sponsors and fund managers, written in the transaction of the change.

`PledgeMails` is the PledgeMail port of app/campaigns/ports.py (the receipt and refund
mails are steps of campaigns' confirmation path, called directly); the `on_*` functions
receive the campaigns' and matching's notification signals."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.accounts.models import User, UserRole
from app.campaigns import events as campaign_events
from app.campaigns import services as campaigns
from app.campaigns.models import PAID, Campaign, Pledge
from app.core import clock
from app.extensions import db
from app.matching import events as matching_events
from app.matching.models import Sponsor
from app.notifications.outbox import normalise, public_url, queue
from app.notifications.receivers import digest, to_user


def campaign_url(campaign) -> str:
    return public_url("campaigns.show_campaign", campaign_id=campaign.id)


def _campaign_context(campaign) -> dict[str, Any]:
    return {"campaign_title": campaign.title, "campaign_url": campaign_url(campaign)}


def _pledge_locale(pledge) -> str:
    if pledge.user_id:
        user = db.session.get(User, pledge.user_id)
        if user is not None:
            return user.locale
    return pledge.locale or "nl"


def _pledges(campaign: Campaign) -> list:
    return list(
        db.session.scalars(select(Pledge).where(Pledge.campaign_id == campaign.id).order_by(Pledge.id))
    )


def backers(campaign, opted_in_only: bool = False) -> dict[str, dict[str, Any]]:
    """{e-mail: {name, locale, user_id, amount_cents}} of backers with a paid pledge; offline
    gifts without an address are left out. With `opted_in_only`, only who asked for news."""
    found: dict[str, dict[str, Any]] = {}
    for pledge in _pledges(campaign):
        email = normalise(pledge.email)
        if email is None or pledge.status not in PAID:
            continue
        entry = found.setdefault(email, {"amount_cents": 0, "opted_in": False})
        entry["amount_cents"] += pledge.amount_cents - (pledge.refunded_cents or 0)
        entry["opted_in"] = entry["opted_in"] or bool(pledge.notify_opt_in)
        entry["name"] = pledge.display_name or email.split("@")[0]
        entry["locale"] = _pledge_locale(pledge)
        entry["user_id"] = pledge.user_id
    if opted_in_only:
        found = {k: v for k, v in found.items() if v["opted_in"]}
    return found


def _to_backer(kind: str, email: str, backer: dict, dedupe_key: str, context: dict, **kw) -> None:
    queue(
        kind,
        email,
        dedupe_key=dedupe_key,
        context={"name": backer["name"], "amount_cents": backer["amount_cents"], **context},
        locale=backer["locale"],
        user_id=backer["user_id"],
        **kw,
    )


def _opened_context(campaign) -> dict[str, Any]:
    return {
        **_campaign_context(campaign),
        "goal_cents": campaign.goal_cents,
        "ends_at": campaign.ends_at.isoformat() if campaign.ends_at else "",
        "municipality": campaign.municipality,
        # The widget the owner and the patron may put on their own site (issue 18).
        "embed_url": public_url("campaigns.embed", campaign_id=campaign.id),
    }


def on_campaign_opened(campaign, **_kw) -> None:
    context = _opened_context(campaign)
    owner = db.session.get(User, campaign.owner_id)
    to_user("campaign_opened", owner, f"campaign_opened:{campaign.id}:owner", {**context, "is_patron": False})
    _to_patron(campaign, context)


def on_patron_set(campaign, **_kw) -> None:
    """A patron set on a campaign that is already open hears of it now (once per address)."""
    if campaign.status == "open":
        _to_patron(campaign, _opened_context(campaign))


def _to_patron(campaign, context: dict[str, Any]) -> None:
    if not campaign.patron_email:
        return
    queue(
        "campaign_opened",
        campaign.patron_email,
        # Per address: a patron changed later still gets the mail; the same one never twice.
        dedupe_key=f"campaign_opened:{campaign.id}:patron:{campaign.patron_email}",
        context={
            **context,
            "name": campaign.patron_name or "",
            "patron_role": campaign.patron_role or "",
            "is_patron": True,
        },
    )


def pledge_receipt(pledge: Pledge) -> None:
    campaign = pledge.campaign
    status_url = pledge_status_url(pledge) or campaign_url(campaign)
    queue(
        "pledge_receipt",
        pledge.email,
        dedupe_key=f"pledge_receipt:{pledge.id}",
        context={
            **_campaign_context(campaign),
            "name": pledge.display_name or "",
            "amount_cents": pledge.amount_cents,
            "reference": pledge.reference or f"#{pledge.id}",
            "status_url": status_url,
        },
        locale=_pledge_locale(pledge),
        user_id=pledge.user_id,
    )


def _transfer_context(pledge: Pledge) -> dict[str, Any] | None:
    transfer = campaigns.transfer_instructions(pledge)
    if transfer is None:
        return None
    return {
        **_campaign_context(pledge.campaign),
        "name": pledge.display_name or "",
        "amount_cents": transfer.amount_cents,
        "iban": transfer.iban_grouped,
        "bic": transfer.bic,
        "beneficiary": transfer.beneficiary,
        "structured_reference": transfer.structured_reference,
        "days": campaigns.transfer_days(),
        "status_url": pledge_status_url(pledge) or campaign_url(pledge.campaign),
    }


def transfer_instructions(pledge: Pledge) -> None:
    context = _transfer_context(pledge)
    if context is not None:
        queue(
            "pledge_transfer",
            pledge.email,
            dedupe_key=f"pledge_transfer:{pledge.id}",
            context=context,
            locale=_pledge_locale(pledge),
            user_id=pledge.user_id,
        )


def transfer_reminder(pledge: Pledge) -> None:
    context = _transfer_context(pledge)
    if context is not None:
        queue(
            "pledge_transfer_reminder",
            pledge.email,
            dedupe_key=f"pledge_transfer_reminder:{pledge.id}",
            context=context,
            locale=_pledge_locale(pledge),
            user_id=pledge.user_id,
        )


def pledge_status_url(pledge: Pledge) -> str | None:
    """The receipt/status link of the pledge (None for a pledge without a token)."""
    return campaigns.receipt_link(pledge)


def pledge_refunded(pledge: Pledge, amount_cents: int) -> None:
    queue(
        "pledge_refunded",
        pledge.email,
        # Each refund step once: the running total tells the steps of one pledge apart.
        dedupe_key=f"pledge_refunded:{pledge.id}:{pledge.refunded_cents}",
        context={
            **_campaign_context(pledge.campaign),
            "name": pledge.display_name or "",
            "amount_cents": amount_cents,
        },
        locale=_pledge_locale(pledge),
        user_id=pledge.user_id,
    )


def on_campaign_milestone(campaign, percent: int = 0, **_kw) -> None:
    scope = f"campaign:{campaign.id}"
    context = {**_campaign_context(campaign), "percent": int(percent)}
    owner = db.session.get(User, campaign.owner_id)
    to_user(
        "campaign_milestone",
        owner,
        f"campaign_milestone:{campaign.id}:{percent}:owner",
        {**context, "is_owner": True},
        unsubscribe_scope=scope,
    )
    for email, backer in backers(campaign, opted_in_only=True).items():
        if owner is not None and email == owner.email.lower():
            continue
        _to_backer(
            "campaign_milestone",
            email,
            backer,
            f"campaign_milestone:{campaign.id}:{percent}:{digest(email)}",
            {**context, "is_owner": False},
            unsubscribe_scope=scope,
        )


def on_campaign_update_posted(update, **_kw) -> None:
    campaign = update.campaign
    body = " ".join((getattr(update, "body_markdown", "") or "").split())
    context = {
        **_campaign_context(campaign),
        "update_title": update.title,
        "update_excerpt": body[:400] + ("…" if len(body) > 400 else ""),
    }
    for email, backer in backers(campaign, opted_in_only=True).items():
        _to_backer(
            "campaign_update",
            email,
            backer,
            f"campaign_update:{update.id}:{digest(email)}",
            context,
            unsubscribe_scope=f"campaign:{campaign.id}",
        )


def _raised(campaign: Campaign) -> int:
    return int(campaigns.raised_cents(campaign))


def on_campaign_closed(campaign, **_kw) -> None:
    """The owner and every backer with a paid pledge; a failed campaign's mail says the
    money comes back. A cancelled campaign sends nothing here."""
    if campaign.status not in ("succeeded", "failed"):
        return
    context = {
        **_campaign_context(campaign),
        "succeeded": campaign.status == "succeeded",
        # All-or-nothing: a failed campaign's backers get their money back (campaigns refunds).
        "refund": campaign.status == "failed" and bool(campaign.call.all_or_nothing),
        "raised_cents": _raised(campaign),
        "goal_cents": campaign.goal_cents,
    }
    owner = db.session.get(User, campaign.owner_id)
    to_user(
        "campaign_ended",
        owner,
        f"campaign_ended:{campaign.id}:owner",
        {**context, "is_owner": True, "amount_cents": 0},
    )
    for email, backer in backers(campaign).items():
        _to_backer(
            "campaign_ended",
            email,
            backer,
            f"campaign_ended:{campaign.id}:{digest(email)}",
            {**context, "is_owner": False},
        )


def on_match_settled(sender, campaign=None, matched_cents: int = 0, sponsor_ids=(), **_kw) -> None:
    campaign = campaign or sender
    if not matched_cents:
        return  # nothing doubled: the campaign-ended mail said all there is to say
    context = {**_campaign_context(campaign), "matched_cents": int(matched_cents)}
    owner = db.session.get(User, campaign.owner_id)
    to_user(
        "match_settled",
        owner,
        f"match_settled:{campaign.id}:owner",
        {**context, "is_sponsor": False, "sponsor_name": ""},
    )
    for sponsor_id in dict.fromkeys(sponsor_ids):
        sponsor = db.session.get(Sponsor, sponsor_id)
        if sponsor is None or not sponsor.contact_email:
            continue
        queue(
            "match_settled",
            sponsor.contact_email,
            dedupe_key=f"match_settled:{campaign.id}:sponsor:{sponsor.id}",
            context={**context, "name": sponsor.name, "is_sponsor": True, "sponsor_name": sponsor.name},
        )


def _violation_text(v: Any) -> str:
    if isinstance(v, dict):
        if v.get("message"):
            return str(v["message"])
        return ", ".join(f"{k}: {v[k]}" for k in sorted(v))
    return str(v)


def on_ledger_violation(_sender=None, violations=(), **_kw) -> None:
    """Every fund manager hears of a failed ledger check, once per day and set of findings."""
    lines = [_violation_text(v) for v in violations]
    if not lines:
        return
    day = clock.local(clock.now()).date().isoformat()
    fingerprint = digest(json.dumps(lines, sort_keys=True))
    managers = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == "fund_manager").order_by(User.id)
    ).unique()
    for manager in managers:
        to_user(
            "ledger_violation",
            manager,
            f"ledger_violation:{day}:{fingerprint}:{manager.id}",
            {"count": len(lines), "violations": lines[:50]},
        )


def on_sponsor_contact_invited(sponsor, email: str = "", invite_url: str = "", **_kw) -> None:
    queue(
        "sponsor_invited",
        email,
        dedupe_key=f"sponsor_invited:{sponsor.id}:{digest(email.lower())}:{digest(invite_url)}",
        context={"name": "", "sponsor_name": sponsor.name, "invite_url": invite_url},
    )


class PledgeMails:
    """app.campaigns.ports.PledgeMail."""

    def receipt(self, pledge: Pledge) -> None:
        pledge_receipt(pledge)

    def refunded(self, pledge: Pledge, amount_cents: int) -> None:
        pledge_refunded(pledge, amount_cents)

    def transfer_instructions(self, pledge: Pledge) -> None:
        transfer_instructions(pledge)

    def transfer_reminder(self, pledge: Pledge) -> None:
        transfer_reminder(pledge)


def connect() -> None:
    campaign_events.campaign_opened.connect(on_campaign_opened, weak=False)
    campaign_events.patron_set.connect(on_patron_set, weak=False)
    campaign_events.campaign_closed.connect(on_campaign_closed, weak=False)
    campaign_events.campaign_milestone.connect(on_campaign_milestone, weak=False)
    campaign_events.campaign_update_posted.connect(on_campaign_update_posted, weak=False)
    matching_events.match_settled.connect(on_match_settled, weak=False)
    matching_events.sponsor_contact_invited.connect(on_sponsor_contact_invited, weak=False)
    matching_events.ledger_violation.connect(on_ledger_violation, weak=False)
