"""The jury's selection with matching installed: the proposal walks the ranking with a
simulated draw, and confirming it reserves the sponsors' money (or changes nothing)."""

from __future__ import annotations

import pytest

from app.core.errors import Conflict
from app.jury import services as jury
from app.matching import services as matching
from tests import factories as f
from tests.jury.conftest import ONE_CRITERION, closed_call
from tests.matching import helpers as h


def _scored(**call_values):
    call, (z, x, y), manager = closed_call(3, criteria=ONE_CRITERION, **call_values)
    for app, target, muni in ((z, 500_000, "Gent"), (x, 100_000, "Melle"), (y, 400_000, "Gent")):
        app.target_cents, app.municipality = target, muni
    juror = f.user("juror")
    jury.add_juror(call, juror.email, manager)
    for app in (z, x, y):
        jury.assign(call, juror.email, app.id, manager)
    jury.open_scoring(call, manager)
    for app, q in ((z, 100), (x, 90), (y, 80)):
        jury.declare(app.id, juror, False)
        jury.save_score(app.id, juror, {"q": q}, "", submit=True)
    jury.close_scoring(call, manager)
    return call, z, x, y, manager


def test_the_proposal_simulates_the_draw_and_confirming_reserves(app):
    gent = h.commitment(600_000, municipalities=["Gent"])
    free = h.commitment(300_000)
    with app.test_request_context():
        call, z, x, y, manager = _scored()
        proposal = jury.propose(call, manager)
        # Z takes 500,000 of Gent's money; X 100,000 of the free money; Y (Gent, 400,000)
        # would need 100,000 (Gent) + 300,000 (free, 200,000 left): it does not fit.
        assert proposal["proposed"] == [z.id, x.id]
        assert proposal["skipped"] == [{"application_id": y.id, "reason": "match_not_covered"}]
        with pytest.raises(Conflict) as err:
            jury.confirm(call, [z.id, x.id, y.id], {str(y.id): "De jury wil dit project erbij."}, manager)
        assert err.value.code == "selection_does_not_fit"
        assert h.balances(gent) == (600_000, 0, 0) and h.balances(free) == (300_000, 0, 0)
        jury.confirm(call, [z.id, x.id], {}, manager)
    assert h.balances(gent) == (100_000, 500_000, 0)
    assert h.balances(free) == (200_000, 100_000, 0)
    assert z.status == "selected" and y.status == "not_selected"
    h.assert_ledger_clean()


def test_a_call_budget_still_bounds_the_proposal(app):
    h.commitment(10_000_000)
    with app.test_request_context():
        call, z, x, y, manager = _scored(matching_budget_cents=600_000)
        proposal = jury.propose(call, manager)
    assert proposal["proposed"] == [z.id, x.id]
    assert proposal["skipped"] == [{"application_id": y.id, "reason": "over_budget"}]


def test_a_live_call_reserves_nothing_and_only_its_budget_bounds_it(app):
    with app.test_request_context():
        call, z, x, y, manager = _scored(
            matching_budget_cents=1_000_000, match_policy={"mode": "live", "condition": "none"}
        )
        assert jury.propose(call, manager)["proposed"] == [z.id, x.id, y.id]
        jury.confirm(call, [z.id, x.id, y.id], {}, manager)
    assert matching.verify_ledger()["ok"]
