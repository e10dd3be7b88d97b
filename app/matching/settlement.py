"""While and after a campaign runs: live draws, settlement at close, and the returns
after a refund or a lost dispute. Each function locks the project's match row first, so
the moves of one project are serialised; commitments are shared and guarded by the
conditional UPDATE of `booking.take_available`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.calls.models import Application
from app.campaigns.models import CLOSED
from app.core import clock
from app.core.sql import insert_once
from app.extensions import db
from app.matching import booking, facts, groups
from app.matching.events import match_settled
from app.matching.models import Commitment, PledgeDraw, ProjectMatch
from app.matching.policy import (
    eligibility,
    full_policy,
    give_back,
    live_draw,
    match,
    split,
    times_ratio,
)
from app.matching.reservations import application_max_match, ordered_commitments, release_project


def project_match_for(campaign: Any, lock: bool = False, create: bool = True) -> ProjectMatch | None:
    """The match row of a campaign, linked to it on first use. A campaign whose selection
    reserved nothing (e.g. confirmed before matching existed) gets one with no reservation.
    In a drawing group the row the group locked is not read again (it is current)."""
    group = groups.current()
    if group is not None and campaign.id in group.matches:
        return group.matches[campaign.id]
    return _project_match_for(campaign, lock, create)


def _project_match_for(campaign: Any, lock: bool, create: bool) -> ProjectMatch | None:

    def find():
        query = select(ProjectMatch).where(
            (ProjectMatch.campaign_id == campaign.id)
            | (ProjectMatch.application_id == campaign.application_id)
        )
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return db.session.scalar(query)

    pm = find()
    if pm is None and create:
        application = db.session.get(Application, campaign.application_id)
        if application is None:
            return None
        policy = full_policy(application.call.policy)
        pm = ProjectMatch(
            application_id=application.id,
            call_id=application.call_id,
            campaign_id=campaign.id,
            mode=policy["mode"],
            policy=policy,
            max_match_cents=application_max_match(application),
        )
        try:
            with db.session.begin_nested():
                db.session.add(pm)
                db.session.flush()
        except IntegrityError:
            pm = find()  # another request created it first
        if lock and pm is not None:
            pm = find()
    if pm is not None and pm.campaign_id is None:
        pm.campaign_id = campaign.id
        db.session.flush()
    return pm


def draw_for_pledge(pledge: Any) -> int | None:
    """Live mode: draw min(floor(ratio × the pledge's eligible part), the project's remaining
    maximum) from the eligible commitments, first come first served, as far as their
    available money goes. Written once per pledge; returns the id of the pledge's draw
    (a repeat writes nothing and returns the first draw's id), None when nothing draws."""
    campaign = pledge.campaign
    pm = project_match_for(campaign, lock=True)
    if pm is None or pm.mode != "live" or pm.state != "projected":
        return None
    policy = pm.policy
    group = groups.current()
    if policy.get("cap_per_backer_cents") is None:
        fact = facts.pledge_fact(pledge, group.owner_of(campaign) if group is not None else None)
        elig = eligibility(policy, [fact])
    else:
        elig = eligibility(policy, facts.backer_facts(campaign, pledge))
    part = elig.parts.get(pledge.id, 0)
    requested = live_draw(policy, part, pm.max_match_cents - pm.matched_cents)
    if group is not None:
        return _draw_in_group(group, campaign, pm, pledge.id, part, requested)
    commitments = (
        ordered_commitments(facts.project_of_campaign(campaign), fund_id=campaign.fund_id)
        if requested > 0
        else []
    )
    # As loaded; when others took money since, the conditional UPDATE says so and we read again.
    seen = {c.id: c.available_cents for c in commitments}
    while True:
        plan = _plan(requested, commitments, seen)
        if not plan:  # nothing to take (no match asked, or no money left): nothing to undo
            return _write_draw(pm, pledge.id, part, requested, plan)[0]
        try:
            # Claim the pledge and write the draw first and take the money last: the
            # commitments are shared by every project, so their row locks must be held
            # only from the take to the commit, not while the postings are written.
            with db.session.begin_nested():
                draw_id, claimed = _write_draw(pm, pledge.id, part, requested, plan)
                for _position, c, take in plan if claimed else ():  # a repeat takes nothing
                    if not booking.take_available(c.id, take):
                        raise _TakenMeanwhile(c.id)
            return draw_id
        except _TakenMeanwhile as short:  # everything of this attempt was rolled back
            db.session.expire(pm, ["matched_cents"])  # set from the rolled-back UPDATE
            seen[short.commitment_id] = booking.current_available(short.commitment_id)


def _draw_in_group(
    group: groups.DrawingGroup, campaign: Any, pm: ProjectMatch, pledge_id: int, part: int, requested: int
):
    """The draw of one pledge of a drawing group: the group holds every commitment's row
    lock and knows their money exactly, so the plan is taken as planned."""
    commitments = group.order_for(campaign) if requested > 0 else []
    seen = group.money()
    plan = _plan(requested, commitments, seen)
    draw_id, claimed = _write_draw(pm, pledge_id, part, requested, plan)
    for _position, c, take in plan if claimed else ():  # a repeat takes nothing
        if not booking.take_available(c.id, take):
            raise RuntimeError(f"commitment {c.id}, locked by this group, had less than it knew")
        seen[c.id] -= take
    return draw_id


class _TakenMeanwhile(Exception):
    def __init__(self, commitment_id: int):
        self.commitment_id = commitment_id


def _plan(requested: int, commitments: list[Commitment], seen: dict[int, int]) -> list[tuple]:
    """(position, commitment, cents) to take, in draw order, as far as `seen` money goes."""
    plan, left = [], requested
    for position, c in enumerate(commitments):
        take = min(left, seen[c.id])
        if take > 0:
            plan.append((position, c, take))
            left -= take
        if left <= 0:
            break
    return plan


def _write_draw(pm: ProjectMatch, pledge_id: int, part: int, requested: int, plan: list[tuple]):
    """Claim the pledge with its draw row, then book the plan; returns (the draw's id,
    whether this call claimed it).

    The claim is INSERT ... ON CONFLICT (pledge_id) DO NOTHING, written first: a pledge
    drawn before (a repeated confirmation) inserts nothing and books nothing. It replaces a
    SELECT "already drawn?"; the unique pledge id decides, under the project's row lock."""
    drawn = sum(take for _p, _c, take in plan)
    draw_id = insert_once(
        db.session,
        _DRAWS,
        {
            "project_match_id": pm.id,
            "pledge_id": pledge_id,
            "eligible_part_cents": part,
            "requested_cents": requested,
            "drawn_cents": drawn,
            "created_at": clock.now(),
        },
        ["pledge_id"],
        returning=_DRAWS.c.id,
    )
    if draw_id is None:
        return db.session.scalar(select(_DRAWS.c.id).where(_DRAWS.c.pledge_id == pledge_id)), False
    for position, c, take in plan:
        # No idempotency key: the claim above, written under the project's row lock,
        # already makes this happen once per pledge.
        booking.book("draw", c, pm, take, position=position, pledge_id=pledge_id)
    if drawn:
        # One Core UPDATE rather than a flush of the ORM object (we hold the row's lock).
        matched = db.session.execute(_ADD_MATCHED, {"match": pm.id, "drawn": drawn}).scalar_one()
        set_committed_value(pm, "matched_cents", matched)
    return draw_id, True


_DRAWS = PledgeDraw.__table__
_MATCHES = ProjectMatch.__table__
_ADD_MATCHED = (
    update(_MATCHES)
    .where(_MATCHES.c.id == bindparam("match"))
    .values(matched_cents=_MATCHES.c.matched_cents + bindparam("drawn", type_=BigInteger))
    .returning(_MATCHES.c.matched_cents)
)


def _return(pm: ProjectMatch, cents: int, held: list[dict], kind: str, pledge_id: int | None) -> int:
    parts = give_back(cents, [(h["commitment_id"], h["matched"]) for h in held])
    positions = {h["commitment_id"]: h["position"] for h in held}
    booking.lock_in_draw_order(sorted((k for k, _x in parts), key=lambda k: positions[k]))
    for key, x in parts:
        booking.book(
            kind, db.session.get(Commitment, key), pm, x, position=positions[key], pledge_id=pledge_id
        )
    returned = sum(x for _k, x in parts)
    pm.matched_cents -= returned
    db.session.flush()
    if pm.campaign_id is not None:
        facts.campaigns().refresh_campaign_figures(db.session, pm.campaign_id)
    return returned


def return_for_pledge(pledge: Any) -> int:
    """After a refund or a lost dispute (not an open one): give back what the match no
    longer earns, in reverse draw order. Live: exactly that pledge's draws, down to
    floor(ratio × what is left of its eligible part). At close, once settled: M is
    recomputed as min(floor(ratio × E'), maximum) without judging target or min_backers
    again, and the difference goes back; the match never rises. Returns the cents given
    back (0 when nothing changed, so a repeat is harmless)."""
    campaign = pledge.campaign
    pm = project_match_for(campaign, lock=True, create=False)
    if pm is None:
        return 0
    if pm.mode == "live":
        draw = db.session.scalar(select(PledgeDraw).where(PledgeDraw.pledge_id == pledge.id))
        if draw is None:
            return 0
        held = booking.holdings(pm, pledge_id=pledge.id)
        holding = sum(h["matched"] for h in held)
        allowed = min(holding, times_ratio(pm.policy, min(draw.eligible_part_cents, facts.net_cents(pledge))))
        if holding <= allowed:
            return 0
        return _return(pm, holding - allowed, held, "draw_reverse", pledge.id)
    if pm.state != "settled":
        return 0  # the projection follows the pledges by itself
    elig = eligibility(pm.policy, facts.pledge_facts(campaign))
    new = min(match(pm.policy, elig, pm.max_match_cents).match_cents, pm.matched_cents)
    if new >= pm.matched_cents:
        return 0
    return _return(pm, pm.matched_cents - new, booking.holdings(pm), "reverse", pledge.id)


def settle(campaign: Any) -> ProjectMatch | None:
    """Once a campaign is closed and no pledge is pending: judge the conditions, match M
    from the reservation in draw order and release the rest in reverse order (at_close);
    a live project keeps what it drew. A cancelled campaign releases everything.
    Idempotent: a settled project is returned as it is. None when it cannot settle yet."""
    if campaign.status not in CLOSED:
        return None
    svc = facts.campaigns()
    pm = project_match_for(campaign, lock=True)
    if pm is None or pm.state != "projected":
        return pm
    if campaign.status == "cancelled":
        release_project(pm)
        svc.refresh_campaign_figures(db.session, campaign.id)
        return pm
    if svc.pending_count(campaign) > 0:
        return None
    if pm.mode == "live":
        bound = "live"
        total = pm.matched_cents
    else:
        elig = eligibility(pm.policy, facts.pledge_facts(campaign))
        elig.raised_cents = int(svc.raised_cents(campaign))
        outcome = match(
            pm.policy, elig, pm.max_match_cents, goal_cents=campaign.goal_cents, judge_conditions=True
        )
        held = booking.holdings(pm)
        reserved = {h["commitment_id"]: h["reserved"] for h in held}
        total = min(outcome.match_cents, sum(reserved.values()))
        bound = outcome.bound if total == outcome.match_cents else "reserved"
        positions = {h["commitment_id"]: h["position"] for h in held}
        taken = dict(split(total, [h["commitment_id"] for h in held], reserved))
        for h in held:
            x = taken.get(h["commitment_id"], 0)
            if x:
                booking.book(
                    "match",
                    db.session.get(Commitment, h["commitment_id"]),
                    pm,
                    x,
                    position=h["position"],
                    key=f"match:settle:pm{pm.id}:c{h['commitment_id']}",
                )
        booking.lock_in_draw_order([h["commitment_id"] for h in held])
        for h in reversed(held):
            rest = reserved[h["commitment_id"]] - taken.get(h["commitment_id"], 0)
            if rest:
                booking.book(
                    "release",
                    db.session.get(Commitment, h["commitment_id"]),
                    pm,
                    rest,
                    position=positions[h["commitment_id"]],
                    key=f"match:release:pm{pm.id}:c{h['commitment_id']}",
                )
        pm.matched_cents = total
    pm.state = "settled"
    pm.settled_cents = total
    pm.settled_bound = bound
    pm.settled_at = clock.now()
    db.session.flush()
    svc.refresh_campaign_figures(db.session, campaign.id)  # the projection becomes the settled match
    sponsor_ids = sorted({h["sponsor_id"] for h in booking.holdings(pm) if h["matched"] > 0})
    match_settled.send(campaign, campaign=campaign, matched_cents=total, sponsor_ids=sponsor_ids)
    return pm


def due_campaign_ids() -> list[int]:
    """Campaign ids of projects still projected: the candidates for `settle` (which decides
    whether each can settle now)."""
    rows = db.session.scalars(
        select(ProjectMatch.campaign_id).where(
            ProjectMatch.state == "projected", ProjectMatch.campaign_id.is_not(None)
        )
    )
    return sorted(rows)
