"""PostgreSQL refuses UPDATE and DELETE on tables marked append-only (ledger, audit trail).

A table opts in with `info={"append_only": True}` in its __table_args__. create_all installs
the trigger through the metadata event below; migrations call `install_trigger` themselves.

One door (issue 12, GDPR erasure): a table may also name `scrubbable` columns. An UPDATE
that changes only those passes while the transaction has set `streekfonds.scrub` to `on`
(app/core/audit.py: `scrub`); every other UPDATE, and every DELETE, is refused as before.
"""

from __future__ import annotations

from sqlalchemy import event, text

from app.core.models import Base

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION streekfonds_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


SCRUB_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('streekfonds.scrub', true) = 'on'
     AND ({fixed_new}) IS NOT DISTINCT FROM ({fixed_old}) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def install_trigger(connection, table_name: str, fixed_columns: list[str] | None = None) -> None:
    """Create the refusing trigger on one table (PostgreSQL only; a no-op elsewhere). With
    `fixed_columns`, a scrub may change the other columns (see the module's docstring)."""
    if connection.dialect.name != "postgresql":
        return
    function = "streekfonds_refuse_change"
    if fixed_columns:
        function = f"streekfonds_{table_name}_scrub_only"
        connection.execute(
            text(
                SCRUB_FUNCTION_SQL.format(
                    function=function,
                    fixed_new=", ".join(f'NEW."{c}"' for c in fixed_columns),
                    fixed_old=", ".join(f'OLD."{c}"' for c in fixed_columns),
                )
            )
        )
    else:
        connection.execute(text(FUNCTION_SQL))
    connection.execute(text(f'DROP TRIGGER IF EXISTS {table_name}_append_only ON "{table_name}"'))
    connection.execute(
        text(
            f'CREATE TRIGGER {table_name}_append_only BEFORE UPDATE OR DELETE ON "{table_name}" '
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    )


def fixed_columns(table_name: str) -> list[str] | None:
    """The columns a scrub may never change, for a table with `scrubbable` columns; else None."""
    table = Base.metadata.tables[table_name]
    scrubbable = table.info.get("scrubbable")
    if not scrubbable:
        return None
    return [c.name for c in table.columns if c.name not in scrubbable]


def append_only_tables() -> list[str]:
    return sorted(t.name for t in Base.metadata.sorted_tables if t.info.get("append_only"))


@event.listens_for(Base.metadata, "after_create")
def _after_create(target, connection, **kw):
    for name in append_only_tables():
        install_trigger(connection, name, fixed_columns(name))
