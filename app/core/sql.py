"""SQL building blocks shared by the domains."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.orm import Session


def insert_ignoring_duplicates(session: Session, table, values: dict[str, Any], unique: list[str]):
    """INSERT ... ON CONFLICT (unique) DO NOTHING for `table` (a Table or a mapped class).

    A concurrent duplicate waits for the first writer's transaction and then inserts
    nothing, so the unique index alone makes the write happen once: no SELECT beforehand
    (which would race) and no SAVEPOINT to catch an IntegrityError (which costs round trips).
    Add `.returning(...)`: no row comes back for a duplicate. On hot paths `insert_once`
    does the same with a statement built once.
    """
    return _statement(session.get_bind().dialect.name, table, tuple(unique), None).values(**values)


def insert_once(session: Session, table: Table, values: dict[str, Any], unique: list[str], returning: Column):
    """Execute INSERT ... ON CONFLICT (unique) DO NOTHING RETURNING `returning` with these
    values; return the new row's `returning`, or None when the row existed (see
    `insert_ignoring_duplicates`). The statement is built once per table, and the values
    travel as parameters, so SQLAlchemy's compiled cache serves every call."""
    statement = _statement(session.get_bind().dialect.name, table, tuple(unique), returning)
    return session.execute(statement, values).scalar()


@cache
def _statement(dialect: str, table, unique: tuple[str, ...], returning: Column | None):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(unique))
    return statement if returning is None else statement.returning(returning)
