"""The jury and selection sections of a call report, against the jury's own data: the demo
call whose jury is done, then the proposed selection confirmed."""

from __future__ import annotations

from app.demo import foundation
from app.demo import jury as jury_demo
from app.extensions import db
from app.jury import services as jury
from app.transparency import services


def _generate(call):
    job = services.request_call_report(call, None)
    db.session.commit()
    return services.report_document(services.get_report(services.get_job(job.id).report_id))


def test_jury_and_selection_sections_match_the_jury_data():
    ctx: dict = {}
    foundation.load(ctx)
    jury_demo.load(ctx)
    call = ctx["jury_ready_call"]
    manager = ctx["users"]["fund_manager"]
    proposal = jury.propose(call, manager)
    jury.confirm(call, proposal["proposed"], {}, manager)
    db.session.commit()

    doc = _generate(call)

    # jurors and conflicts, counted here from the assignments themselves
    assignments = jury.assignments_of_call(call)
    conflicts = sum(1 for a in assignments if a.declaration == "conflict")
    assert doc["jury"]["conflicts_declared"] == conflicts
    assert doc["jury"]["jurors"] == len({a.user_id for a in assignments}) == 3
    assert doc["jury"]["calibration"] is True and doc["jury"]["tie_rule"] == "lottery"
    assert doc["jury"]["lottery_seed"] == call.lottery_seed
    # the distribution per juror: counted here per user, compared without names
    per_user: dict[int, list[float]] = {}
    for a in assignments:
        if a.declaration == "no_conflict" and a.submitted_at is not None:
            per_user.setdefault(a.user_id, []).append(jury.total_of(a))
    want = sorted((len(v), round(min(v), 4), round(max(v), 4)) for v in per_user.values())
    got = sorted((j["count"], j["min"], j["max"]) for j in doc["jury"]["totals_by_juror"])
    assert got == want
    assert all(set(j) == {"juror", "count", "mean", "min", "max"} for j in doc["jury"]["totals_by_juror"])
    text = str(doc)
    assert all(u.email not in text and u.display_name not in text for u in ctx["users"].values())
    # the selection: the jury's ranking, with outcomes and a reason for each project left out
    ranking = jury.ranking(call)
    assert [(r["application_id"], r["rank"]) for r in doc["selection"]] == [
        (r["application_id"], r["rank"]) for r in ranking
    ]
    proposed = set(proposal["proposed"])
    skipped = {s["application_id"]: s["reason"] for s in proposal["skipped"]}
    for row in doc["selection"]:
        if row["application_id"] in proposed:
            assert row["outcome"] == "selected" and row["reason"] is None
        else:
            # The report gives the very reason the proposal skipped the project for.
            assert row["outcome"] == "not_selected"
            assert row["reason"] == skipped[row["application_id"]]
    assert skipped  # the budget left something out, so the reasons were really tested


def test_jury_section_by_hand(app):
    """Three jurors on one criterion (total = the mark): a gives X 90 and Y 80, b gives X 40
    and declares a conflict on Y, c declares a conflict on Z and scores nothing.
    → 3 jurors, 2 conflicts; per juror, ordered by mean and unnamed: (1, 40) then (2, 85)."""
    from app.transparency.sources import jury_section
    from tests import factories as f
    from tests.jury.conftest import ONE_CRITERION, closed_call

    with app.test_request_context():
        call, (x, y, z), manager = closed_call(3, criteria=ONE_CRITERION)
        a, b, c = (f.user("juror") for _ in range(3))
        for u, apps in ((a, (x, y)), (b, (x, y)), (c, (z,))):
            jury.add_juror(call, u.email, manager)
            for application in apps:
                jury.assign(call, u.email, application.id, manager)
        jury.open_scoring(call, manager)
        for u, application, mark in ((a, x, 90), (a, y, 80), (b, x, 40)):
            jury.declare(application.id, u, False)
            jury.save_score(application.id, u, {"q": mark}, "", submit=True)
        jury.declare(y.id, b, True, "Mijn buurvrouw")
        jury.declare(z.id, c, True, "Familie")
        section = jury_section(call)
    assert (section["jurors"], section["conflicts_declared"]) == (3, 2)
    assert section["totals_by_juror"] == [
        {"juror": "A", "count": 1, "mean": 40.0, "min": 40.0, "max": 40.0},
        {"juror": "B", "count": 2, "mean": 85.0, "min": 80.0, "max": 90.0},
    ]
    assert "buurvrouw" not in str(section)
