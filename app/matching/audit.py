"""Reading a project's match: the audit of every matched euro, the figure campaigns show,
and what one more pledge would add ("your 20 euro becomes 40")."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.money import format_cents
from app.extensions import db
from app.matching import booking, facts
from app.matching.attribution import attribution
from app.matching.models import PledgeDraw, ProjectMatch, Sponsor
from app.matching.policy import Eligibility, PledgeFact, eligibility, full_policy, live_draw, match
from app.matching.reservations import ordered_commitments
from app.matching.settlement import project_match_for


def _find(campaign: Any) -> ProjectMatch | None:
    return project_match_for(campaign, create=False)


def _policy(campaign: Any, pm: ProjectMatch | None) -> dict:
    if pm is not None:
        return pm.policy
    return full_policy(campaign.call.policy if getattr(campaign, "call", None) else None)


def _projection(pm: ProjectMatch, elig: Eligibility) -> int:
    if pm.state != "projected" or pm.mode == "live":
        return pm.matched_cents
    return match(pm.policy, elig, pm.max_match_cents).match_cents


def matched_cents(campaign: Any) -> int:
    """The match a campaign shows: while it runs at_close, the projection M as if the
    condition will be met; otherwise what is matched now (0 without a match row)."""
    pm = _find(campaign)
    if pm is None:
        return 0
    if pm.state != "projected" or pm.mode == "live":
        return pm.matched_cents
    return _projection(pm, eligibility(pm.policy, facts.pledge_facts(campaign)))


def pledge_effect_cents(campaign: Any, amount_cents: int) -> int:
    """What a new pledge of `amount_cents` by a new backer would add to the match now
    (0 when the campaign no longer matches). "Your 20 euro becomes 40" is
    amount + this."""
    pm = _find(campaign)
    if pm is None or pm.state != "projected" or amount_cents <= 0 or campaign.status != "open":
        return 0
    current = facts.pledge_facts(campaign)
    extra = PledgeFact(pledge_id=-1, backer="\x00new backer", net_cents=int(amount_cents))
    if pm.mode == "live":
        part = eligibility(pm.policy, [extra]).parts.get(-1, 0)
        wanted = live_draw(pm.policy, part, pm.max_match_cents - pm.matched_cents)
        order = ordered_commitments(facts.project_of_campaign(campaign), fund_id=campaign.fund_id)
        return min(wanted, sum(c.available_cents for c in order))
    before = _projection(pm, eligibility(pm.policy, current))
    after = _projection(pm, eligibility(pm.policy, [*current, extra]))
    return max(0, after - before)


def match_figures(campaigns: Any, amounts: tuple[int, ...]) -> dict[int, tuple[int, list | None]]:
    """For the campaigns' figures cache, set-based: {campaign id: (the match shown, [(amount,
    amount + what it would add)] or None)}. None means "read it at each view": a live
    project's effect depends on sponsor money every live campaign draws from."""
    campaigns = list(campaigns)
    by_campaign = _project_matches(campaigns)
    at_close = [c for c in campaigns if _projects(by_campaign.get(c.id))]
    facts_of = facts.pledge_facts_of(at_close) if at_close else {}
    out: dict[int, tuple[int, list | None]] = {}
    for c in campaigns:
        pm = by_campaign.get(c.id)
        if pm is None:
            out[c.id] = (0, [])
        elif c.id not in facts_of:
            live_open = pm.mode == "live" and pm.state == "projected" and c.status == "open"
            out[c.id] = (pm.matched_cents, None if live_open else [])
        else:
            current = facts_of[c.id]
            before = _projection(pm, eligibility(pm.policy, current))
            effects = []
            for amount in amounts if c.status == "open" else ():
                extra = PledgeFact(pledge_id=-1, backer="\x00new backer", net_cents=int(amount))
                after = _projection(pm, eligibility(pm.policy, [*current, extra]))
                effects.append([amount, amount + max(0, after - before)])
            out[c.id] = (before, effects)
    return out


def _projects(pm: ProjectMatch | None) -> bool:
    return pm is not None and pm.state == "projected" and pm.mode != "live"


def _project_matches(campaigns: list) -> dict[int, ProjectMatch]:
    """{campaign id: its match row} in one query (linked by campaign or by application)."""
    if not campaigns:
        return {}
    by_application = {c.application_id: c.id for c in campaigns}
    rows = db.session.scalars(
        select(ProjectMatch).where(
            ProjectMatch.campaign_id.in_([c.id for c in campaigns])
            | ProjectMatch.application_id.in_(list(by_application))
        )
    )
    out = {}
    for pm in rows:
        cid = pm.campaign_id if pm.campaign_id is not None else by_application.get(pm.application_id)
        if cid is not None:
            out[cid] = pm
    return out


def _money(cents: int) -> str:
    return format_cents(cents)


def _explain(pm: ProjectMatch, elig: Eligibility, shown: int, goal: int | None, conditional: bool) -> str:
    p = pm.policy
    ratio = f"{float(p['ratio']):g}"
    parts: list[str] = []
    if pm.state == "released":
        return _("De campagne werd geannuleerd; al het gereserveerde sponsorgeld ging terug.")
    if pm.mode == "live":
        short = db.session.scalar(
            select(func.count(PledgeDraw.id)).where(
                PledgeDraw.project_match_id == pm.id, PledgeDraw.drawn_cents < PledgeDraw.requested_cents
            )
        )
        parts.append(
            _(
                "Live verdubbeling: elke bevestigde gift trekt %(r)s × haar in aanmerking komend deel "
                "uit het sponsorgeld, tot het maximum van %(m)s.",
                r=ratio,
                m=_money(pm.max_match_cents),
            )
        )
        if short:
            parts.append(
                _(
                    "%(n)s gift(en) kregen minder dan gevraagd of niets, omdat het sponsorgeld op was.",
                    n=short,
                )
            )
        if shown >= pm.max_match_cents:
            parts.append(_("Het maximum per project is bereikt."))
        return " ".join(parts)
    bound = pm.settled_bound if pm.state == "settled" else None
    if bound == "min_backers":
        parts.append(
            _(
                "Geen verdubbeling: %(b)s schenker(s) kwamen in aanmerking, minder dan de vereiste %(m)s.",
                b=elig.backers,
                m=p["min_backers"],
            )
        )
    elif bound == "target_not_reached":
        parts.append(
            _(
                "Geen verdubbeling: het doel van %(g)s werd niet gehaald (opgehaald: %(r)s).",
                g=_money(goal or 0),
                r=_money(elig.raised_cents),
            )
        )
    else:
        if (pm.settled_cents if pm.state == "settled" else shown) >= pm.max_match_cents:
            parts.append(
                _(
                    "%(r)s × %(e)s in aanmerking komend bedrag is meer dan de maximale verdubbeling "
                    "van dit project; de maximale verdubbeling (%(m)s) bepaalt het bedrag.",
                    r=ratio,
                    e=_money(elig.eligible_cents),
                    m=_money(pm.max_match_cents),
                )
            )
        elif bound == "reserved":
            parts.append(_("Het gereserveerde sponsorgeld begrenst de verdubbeling."))
        else:
            parts.append(
                _(
                    "De verdubbeling is %(r)s × %(e)s in aanmerking komend bedrag, onder het maximum "
                    "van %(m)s.",
                    r=ratio,
                    e=_money(elig.eligible_cents),
                    m=_money(pm.max_match_cents),
                )
            )
    if pm.state == "settled" and pm.settled_cents is not None and shown < pm.settled_cents:
        parts.append(
            _(
                "Na de afrekening ging %(x)s terug na terugbetalingen of verloren betwistingen.",
                x=_money(pm.settled_cents - shown),
            )
        )
    if conditional:
        parts.append(
            _(
                "Dit is een projectie: ze geldt alleen als het doel van %(g)s gehaald wordt.",
                g=_money(goal or 0),
            )
        )
        if p.get("min_backers"):
            parts.append(_("Er zijn minstens %(m)s schenkers nodig.", m=p["min_backers"]))
    return " ".join(parts)


def match_audit(campaign: Any) -> dict[str, Any]:
    """Every figure of a campaign's match with the allocations that trace it to sponsors,
    and in words which rule bound it."""
    pm = _find(campaign)
    policy = _policy(campaign, pm)
    elig = eligibility(policy, facts.pledge_facts(campaign))
    raised = int(facts.campaigns().raised_cents(campaign))
    elig.raised_cents = raised
    if pm is None:
        return {
            "policy": policy,
            "raised_cents": raised,
            "eligible_cents": elig.eligible_cents,
            "excluded": elig.excluded,
            "eligible_backers": elig.backers,
            "max_match_cents": 0,
            "matched_cents": 0,
            "state": "projected",
            "conditional": False,
            "allocations": [],
            "attribution": [],
            "explanation": _("Voor dit project werd geen sponsorgeld gereserveerd."),
        }
    shown = _projection(pm, elig)
    projected = pm.state == "projected"
    conditional = bool(
        projected
        and pm.mode != "live"
        and (
            (policy["condition"] == "target_reached" and raised < (campaign.goal_cents or 0))
            or (policy.get("min_backers") and elig.backers < int(policy["min_backers"]))
        )
    )
    names = {sid: name for sid, name in db.session.execute(select(Sponsor.id, Sponsor.name))}
    held = booking.holdings(pm)
    allocations = [
        {
            "commitment_id": h["commitment_id"],
            "sponsor_id": h["sponsor_id"],
            "sponsor_name": names.get(h["sponsor_id"], ""),
            "reserved_cents": h["reserved"],
            "matched_cents": h["matched"],
            "released_cents": h["released"],
        }
        for h in held
    ]
    return {
        "policy": policy,
        "raised_cents": raised,
        "eligible_cents": elig.eligible_cents,
        "excluded": elig.excluded,
        "eligible_backers": elig.backers,
        "max_match_cents": pm.max_match_cents,
        "matched_cents": shown,
        "state": "projected" if projected else "settled",
        "conditional": conditional,
        "allocations": allocations,
        # Per pledge and commitment; sums to matched_cents (rule: app/matching/attribution.py).
        "attribution": attribution(pm, elig, held, shown),
        "explanation": _explain(pm, elig, shown, campaign.goal_cents, conditional),
    }
