"""The public campaign list reads a page in its order from ix_campaigns_list_order (PostgreSQL),
so a page does not sort every campaign of ten years of a fund. The index only serves when its
expressions are exactly those of listing.list_page: a change to one without the other fails
here, not silently in production. Plans are read with sequential scans and sorts disabled (a
table of a few rows is otherwise read whole, and sorted); no timing is asserted."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import event, select, text

from app.campaigns import listing
from app.campaigns.models import Campaign
from app.core import tenancy
from app.extensions import db
from app.funds import services as funds
from tests.campaigns.fixtures import make_campaign

pytestmark = pytest.mark.postgres


def _plans(run: Callable[[], object]) -> list[str]:
    """EXPLAIN of each campaigns SELECT that `run` sends, as sent (the fund's criteria added
    by the ORM, the parameters bound as the driver binds them)."""
    plans: list[str] = []

    def explain(conn, _cursor, sql, params, *_args):
        if sql.lstrip().startswith("SELECT") and "FROM campaigns" in sql:
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    event.listen(db.engine, "before_cursor_execute", explain)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", explain)
    return plans


def _no_shortcuts() -> None:
    """A table of a few rows (or stale statistics saying one row) is cheaper to read whole or
    through any index and sort: the planner is told to avoid both where it can, so the plan
    shows whether an index gives the order at all."""
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_sort = off"))


@pytest.mark.parametrize("open_only", [False, True], ids=["list", "home"])
def test_a_list_page_and_the_next_come_from_the_index_in_order(app, open_only):
    for _ in range(5):
        make_campaign()
    db.session.flush()
    _no_shortcuts()
    query = select(Campaign).where(Campaign.status == "open") if open_only else listing.campaigns_query()
    with tenancy.scoped({funds.default_fund().id}):
        first, after = listing.list_page(query, None, size=2)
        assert after is not None
        plans = _plans(lambda: listing.list_page(query, None, size=2))
        plans += _plans(lambda: listing.list_page(query, after, size=2))
    assert len(plans) == 2
    for plan in plans:
        assert "ix_campaigns_list_order" in plan, plan
        assert "Sort" not in plan, plan


def test_the_platform_home_reads_each_funds_first_campaigns_from_the_index(app):
    from app.campaigns import platform
    from tests.funds.helpers import second_fund

    for _ in range(3):
        make_campaign()
    west = second_fund()
    _no_shortcuts()
    (plan,) = _plans(platform.running_by_fund)
    # an index scan per fund (each stops after PER_FUND rows), not every open campaign numbered
    home = funds.default_fund().id
    for fund_id in (home, west.id):
        assert f"Index Cond: (fund_id = {fund_id})" in plan, plan
    assert "WindowAgg" not in plan and plan.count("ix_campaigns_list_order") >= 2, plan
