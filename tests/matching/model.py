"""A pure in-memory model of the matching rules, built from app.matching.policy only.

The stateful tests run random sequences against it (checking the invariants after every
step) and against the real services, comparing every figure with the model's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.matching.policy import (
    Earmark,
    PledgeFact,
    Project,
    draw_order,
    eligibility,
    full_policy,
    give_back,
    live_draw,
    match,
    max_match,
    split,
    times_ratio,
)

COUNTING = ("succeeded", "partially_refunded", "disputed")


@dataclass
class MCommitment:
    key: int
    amount: int
    earmark: Earmark
    available: int = 0
    reserved: int = 0
    matched: int = 0

    def __post_init__(self):
        self.available = self.amount


@dataclass
class MPledge:
    key: int
    project: str
    backer: str
    amount: int
    offline: bool = False
    owner: bool = False
    status: str = "pending"
    refunded: int = 0
    disputed: int = 0
    order: int = 0
    part_at_draw: int = 0
    draws: dict[int, int] = field(default_factory=dict)  # commitment → held, in draw order

    @property
    def net(self) -> int:
        return self.amount - self.refunded if self.status in COUNTING else 0

    @property
    def ledger_net(self) -> int:
        """What raised counts: an open or lost dispute's money does not."""
        if self.status in ("disputed", "dispute_lost"):
            return self.amount - self.refunded - self.disputed
        return self.net

    def fact(self) -> PledgeFact:
        return PledgeFact(self.key, self.backer, self.net, self.offline, self.owner)


@dataclass
class MProject:
    name: str
    policy: dict
    project: Project
    target: int
    budget: int
    maximum: int = 0
    state: str = "projected"
    closed: bool = False
    matched: int = 0
    reserved: dict[int, int] = field(default_factory=dict)  # in draw order
    held: dict[int, int] = field(default_factory=dict)  # matched, in draw order

    @property
    def live(self) -> bool:
        return self.policy["mode"] == "live"


class Model:
    def __init__(self):
        self.commitments: dict[int, MCommitment] = {}
        self.projects: dict[str, MProject] = {}
        self.pledges: dict[int, MPledge] = {}
        self._order = 0

    # --- set-up --------------------------------------------------------------------
    def commit(self, key: int, amount: int, earmark: Earmark) -> None:
        self.commitments[key] = MCommitment(key, amount, earmark)

    def order_for(self, p: MProject) -> list[int]:
        return draw_order(((k, c.earmark, k) for k, c in self.commitments.items()), p.project)

    def select(self, name: str, policy: dict, project: Project, target: int, budget: int) -> bool:
        """Reserve the maximum (at_close); False, and nothing changes, if it is not covered."""
        p = MProject(name, full_policy(policy), project, target, budget)
        p.maximum = max_match(p.policy, target, budget)
        if not p.live:
            avail = {k: c.available for k, c in self.commitments.items()}
            parts = split(p.maximum, self.order_for(p), avail)
            if sum(x for _k, x in parts) < p.maximum:
                return False
            for k, x in parts:
                self.commitments[k].available -= x
                self.commitments[k].reserved += x
                p.reserved[k] = x
        self.projects[name] = p
        return True

    # --- pledges -------------------------------------------------------------------
    def pledges_of(self, name: str) -> list[MPledge]:
        return sorted(
            (q for q in self.pledges.values() if q.project == name and q.order), key=lambda q: q.order
        )

    def add_pending(self, pledge: MPledge) -> None:
        self.pledges[pledge.key] = pledge

    def succeed(self, key: int) -> None:
        q = self.pledges[key]
        q.status = "succeeded"
        self._order += 1
        q.order = self._order
        p = self.projects[q.project]
        if p.live and p.state == "projected":
            self._draw(p, q)
        self._maybe_settle(p)

    def fail(self, key: int) -> None:
        q = self.pledges[key]
        q.status = "failed"
        self._maybe_settle(self.projects[q.project])

    def _draw(self, p: MProject, q: MPledge) -> None:
        same = [x.fact() for x in self.pledges_of(p.name) if x.backer == q.backer]
        part = eligibility(p.policy, same).parts.get(q.key, 0)
        q.part_at_draw = part
        want = live_draw(p.policy, part, p.maximum - p.matched)
        avail = {k: c.available for k, c in self.commitments.items()}
        for k, x in split(want, self.order_for(p), avail):
            c = self.commitments[k]
            c.available -= x
            c.matched += x
            q.draws[k] = q.draws.get(k, 0) + x
            p.matched += x

    def refund(self, key: int, cents: int) -> None:
        q = self.pledges[key]
        q.refunded += cents
        q.status = "refunded" if q.refunded >= q.amount else "partially_refunded"
        self._returned(q)

    def dispute_open(self, key: int) -> None:
        q = self.pledges[key]
        q.disputed = q.amount - q.refunded
        q.status = "disputed"

    def dispute_close(self, key: int, won: bool) -> None:
        q = self.pledges[key]
        if won:
            q.status = "partially_refunded" if q.refunded else "succeeded"
            q.disputed = 0
        else:
            q.status = "dispute_lost"
            self._returned(q)

    def _returned(self, q: MPledge) -> None:
        p = self.projects[q.project]
        if p.live:
            holding = sum(q.draws.values())
            allowed = min(holding, times_ratio(p.policy, min(q.part_at_draw, q.net)))
            for k, x in give_back(holding - allowed, list(q.draws.items())):
                q.draws[k] -= x
                self._back(p, k, x)
        elif p.state == "settled":
            new = min(match(p.policy, self.eligibility(p), p.maximum).match_cents, p.matched)
            for k, x in give_back(p.matched - new, list(p.held.items())):
                p.held[k] -= x
                self._back(p, k, x)

    def _back(self, p: MProject, k: int, x: int) -> None:
        c = self.commitments[k]
        c.matched -= x
        c.available += x
        p.matched -= x

    # --- close and settle ------------------------------------------------------------
    def eligibility(self, p: MProject):
        return eligibility(p.policy, [q.fact() for q in self.pledges_of(p.name)])

    def raised(self, name: str) -> int:
        return sum(q.ledger_net for q in self.pledges.values() if q.project == name)

    def close(self, name: str) -> None:
        self.projects[name].closed = True
        self._maybe_settle(self.projects[name])

    def _maybe_settle(self, p: MProject) -> None:
        if not p.closed or p.state != "projected":
            return
        if any(q.status == "pending" for q in self.pledges.values() if q.project == p.name):
            return
        p.state = "settled"
        if p.live:
            return
        elig = self.eligibility(p)
        elig.raised_cents = self.raised(p.name)
        m = match(p.policy, elig, p.maximum, goal_cents=p.target, judge_conditions=True).match_cents
        m = min(m, sum(p.reserved.values()))
        taken = dict(split(m, list(p.reserved), p.reserved))
        for k, x in taken.items():
            c = self.commitments[k]
            c.reserved -= x
            c.matched += x
            p.held[k] = x
        for k in reversed(list(p.reserved)):
            rest = p.reserved[k] - taken.get(k, 0)
            c = self.commitments[k]
            c.reserved -= rest
            c.available += rest
        p.reserved = {k: 0 for k in p.reserved}
        p.matched = m

    # --- what the platform shows ---------------------------------------------------------
    def shown(self, name: str) -> int:
        p = self.projects[name]
        if p.live or p.state != "projected":
            return p.matched
        return match(p.policy, self.eligibility(p), p.maximum).match_cents

    def check_invariants(self) -> None:
        for c in self.commitments.values():
            assert min(c.available, c.reserved, c.matched) >= 0, c
            assert c.available + c.reserved + c.matched == c.amount, c
        for p in self.projects.values():
            assert 0 <= p.matched <= p.maximum, p
            assert 0 <= self.shown(p.name) <= p.maximum
            if p.live:
                held = sum(sum(q.draws.values()) for q in self.pledges.values() if q.project == p.name)
                assert held == p.matched
        for q in self.pledges.values():
            p = self.projects[q.project]
            assert sum(q.draws.values()) <= times_ratio(p.policy, q.net), q
