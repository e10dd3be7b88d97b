"""PostgreSQL refuses, at commit, a journal transaction whose entries do not sum to zero

Revision ID: 0011a
Revises: 0006
Create Date: 2026-12-03 08:50:00

"""

from app.ledger.models import install_balance_trigger
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011a"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    install_balance_trigger(op.get_bind())


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS journal_entries_balanced ON journal_entries")
    op.execute("DROP FUNCTION IF EXISTS streekfonds_refuse_unbalanced()")
