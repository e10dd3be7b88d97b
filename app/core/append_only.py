"""PostgreSQL refuses UPDATE and DELETE on tables marked append-only (ledger, audit trail).

A table opts in with `info={"append_only": True}` in its __table_args__. create_all installs
the trigger through the metadata event below; migrations call `install_trigger` themselves.
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


def install_trigger(connection, table_name: str) -> None:
    """Create the refusing trigger on one table (PostgreSQL only; a no-op elsewhere)."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(FUNCTION_SQL))
    connection.execute(text(f'DROP TRIGGER IF EXISTS {table_name}_append_only ON "{table_name}"'))
    connection.execute(
        text(
            f'CREATE TRIGGER {table_name}_append_only BEFORE UPDATE OR DELETE ON "{table_name}" '
            "FOR EACH ROW EXECUTE FUNCTION streekfonds_refuse_change()"
        )
    )


def append_only_tables() -> list[str]:
    return sorted(t.name for t in Base.metadata.sorted_tables if t.info.get("append_only"))


@event.listens_for(Base.metadata, "after_create")
def _after_create(target, connection, **kw):
    for name in append_only_tables():
        install_trigger(connection, name)
