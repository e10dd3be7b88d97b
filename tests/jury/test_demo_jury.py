"""The jury's demo step: idempotent, the open call untouched, the second call ready."""

from __future__ import annotations

from sqlalchemy import func, select

from app.calls.models import Call
from app.core import clock
from app.demo import foundation
from app.demo import jury as demo_jury
from app.extensions import db
from app.jury import services as jury
from app.jury.models import Assignment, Selection


def test_demo_step_is_idempotent_and_leaves_a_ready_jury(app):
    with app.test_request_context():
        ctx: dict = {}
        foundation.load(ctx)
        demo_jury.load(ctx)
        count = db.session.scalar(select(func.count(Assignment.id)))
        again: dict = {}
        foundation.load(again)
        demo_jury.load(again)
        assert db.session.scalar(select(func.count(Assignment.id))) == count
        open_call = ctx["call"]
        assert open_call.is_open_for_submissions(clock.now())
        assert jury.window_state(open_call) == "not_opened"
        eligible = {a.id for a in jury.assignable_applications(open_call)}
        jurors = {u.id for k, u in ctx["users"].items() if k.startswith("juror")}
        assigned = {(a.application_id, a.user_id) for a in jury.assignments_of_call(open_call)}
        assert assigned == {(a, j) for a in eligible for j in jurors}
        ready = db.session.scalar(select(Call).where(Call.title == demo_jury.CALL_TITLE))
        assert ready.closes_at < clock.now() and jury.window_state(ready) == "closed"
        rows = jury.ranking(ready)
        assert len(rows) >= 4 and sum(r["disputed"] for r in rows) == 1
        assert all(r["totals_count"] >= 2 for r in rows)
        raw_order = sorted(rows, key=lambda r: -r["raw_score"])
        assert [r["application_id"] for r in raw_order] != [
            r["application_id"] for r in rows
        ]  # calibration matters
        assert (
            ready.lottery_seed
            and db.session.scalar(select(Selection).where(Selection.call_id == ready.id)) is None
        )
