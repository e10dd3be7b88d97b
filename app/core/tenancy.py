"""Many funds in one database, kept apart in one place.

Every row that belongs to a fund carries `fund_id` (the `FundOwned` mixin). A request has a
*fund scope*: the funds whose rows it may read (`None` means every fund: tasks, the CLI, the
webhooks, the platform's own pages). While a scope is set, a listener adds
`fund_id IN (scope)` to every ORM SELECT, UPDATE and DELETE of a fund-owned class, so a view
that forgets a filter shows nothing of another fund instead of leaking it (the route walk in
tests/funds proves it). Code that must look across funds says so with
`all_funds()` (a context manager) or the execution option `{"all_funds": True}`.

New rows get their fund when they are flushed: from their parent row (`__fund_parent__`
names the foreign-key attribute, e.g. a pledge takes its campaign's fund), else from a
one-fund scope, else from the installation's default fund. Core INSERTs (the ledger's hot
path) pass `fund_id` themselves: the column is NOT NULL, so forgetting it fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ClassVar

from sqlalchemy import ForeignKey, Integer, event
from sqlalchemy.orm import Mapped, Session, mapped_column, with_loader_criteria

from app.core.errors import ValidationFailed
from app.extensions import db

# The scope of the running code: a frozenset of fund ids, or None for every fund.
_scope: ContextVar[frozenset[int] | None] = ContextVar("fund_scope", default=None)
# Provided by app.funds at start-up (core knows no fund): the default fund's id for a new
# row (a function of the session), and the ids of every fund.
_default_fund: list[Callable[[Session], int]] = []
_fund_ids: list[Callable[[], list[int]]] = []


class FundOwned:
    """Mixin for the rows that belong to exactly one fund."""

    # The foreign-key attribute whose row gives a new object its fund (None: a root).
    __fund_parent__: ClassVar[str | None] = None

    fund_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("funds.id"), index=True, default=lambda context: _insert_default(context)
    )


def current_scope() -> frozenset[int] | None:
    """The fund ids the running code may read, or None (every fund)."""
    return _scope.get()


def set_scope(fund_ids) -> None:
    """Set the scope of the running request or task (None: every fund)."""
    _scope.set(None if fund_ids is None else frozenset(fund_ids))


def single_fund_id() -> int | None:
    """The fund of a one-fund scope, else None."""
    scope = _scope.get()
    if scope is not None and len(scope) == 1:
        return next(iter(scope))
    return None


@contextmanager
def scoped(fund_ids) -> Iterator[None]:
    """Run a block with this scope, then restore the previous one."""
    token = _scope.set(None if fund_ids is None else frozenset(fund_ids))
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def all_funds() -> Iterator[None]:
    """Run a block that deliberately looks across funds (the platform's own pages)."""
    with scoped(None):
        yield


def provide_directory(default_fund: Callable[[Session], int], fund_ids: Callable[[], list[int]]) -> None:
    """app.funds tells how to find the default fund and every fund's id."""
    _default_fund[:] = [default_fund]
    _fund_ids[:] = [fund_ids]


def all_fund_ids() -> list[int]:
    """Every fund's id (what a scope of None stands for)."""
    return _fund_ids[0]() if _fund_ids else []


def _add_criteria(state) -> None:
    scope = _scope.get()
    if scope is None or state.execution_options.get("all_funds"):
        return
    if not (state.is_select or state.is_update or state.is_delete) or state.is_column_load:
        return
    ids = tuple(sorted(scope))
    state.statement = state.statement.options(
        with_loader_criteria(FundOwned, lambda cls: cls.fund_id.in_(ids), include_aliases=True)
    )


def _parent_fund(session: Session, obj: FundOwned) -> int | None:
    attr = type(obj).__fund_parent__
    if not attr:
        return None
    value = getattr(obj, attr, None)
    if value is None:
        return None
    parent_class = _parent_class(type(obj), attr)
    # Usually in the identity map already (no query); else one read by primary key.
    parent = session.get(parent_class, value, execution_options={"all_funds": True})
    return getattr(parent, "fund_id", None)


_parents: dict[tuple[type, str], type] = {}


def _parent_class(cls: type, attr: str) -> type:
    key = (cls, attr)
    if key not in _parents:
        (fk,) = cls.__table__.c[attr].foreign_keys
        table = fk.column.table
        _parents[key] = next(m.class_ for m in cls.__mapper__.registry.mappers if m.local_table is table)
    return _parents[key]


def _assign_funds(session: Session, _flush_context, _instances) -> None:
    for obj in list(session.new):
        if not isinstance(obj, FundOwned) or obj.fund_id is not None:
            continue
        fund_id = _parent_fund(session, obj) or single_fund_id()
        if fund_id is None and _scope.get() is not None:
            # Somebody who works for several funds made something without saying for
            # which: refuse rather than guess (the API asks for `?fund=`).
            raise ValidationFailed(
                "name the fund (?fund=<slug>)", code="fund_required", details={"fund": ["required"]}
            )
        if fund_id is None and _default_fund:
            fund_id = _default_fund[0](session)
        obj.fund_id = fund_id


def _insert_default(context) -> int | None:
    """A Core INSERT that names no fund (an outbox row, a bulk insert): the one-fund scope's
    fund, else the default fund. Code that knows better passes fund_id itself."""
    fund_id = single_fund_id()
    if fund_id is None and _default_fund:
        fund_id = _default_fund[0](db.session)
    return fund_id


def install() -> None:
    """Listen on every ORM session (once per process)."""
    if not event.contains(Session, "do_orm_execute", _add_criteria):
        event.listen(Session, "do_orm_execute", _add_criteria)
        event.listen(Session, "before_flush", _assign_funds)
