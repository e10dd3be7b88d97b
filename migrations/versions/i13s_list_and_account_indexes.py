"""campaign list and ledger account indexes

Revision ID: i13s
Revises: i18a
Create Date: 2026-12-03 18:20:00

Issue 13 (ten years of every fund in one database): the public campaign list of a fund reads
its page in order from an index (open first, then by end, then id: the exact expressions of
app.campaigns.listing.list_page; PostgreSQL only, where the planner matches them) instead of
sorting every campaign of the fund, and the list's filters (municipalities and themes of
public campaigns) come from an index-only scan instead of reading every campaign row.
The index of journal_entries.account becomes a pattern-ops index (PostgreSQL), so the
balances of an account prefix (`commitment:7:`) are read through it, not by a scan of every
entry; equality lookups use it as before.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i13s'
down_revision = 'i18a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_campaigns_facets', 'campaigns', ['fund_id', 'municipality', 'theme', 'status'])
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_journal_entries_account', table_name='journal_entries')
        op.create_index(
            'ix_journal_entries_account',
            'journal_entries',
            ['account'],
            postgresql_ops={'account': 'varchar_pattern_ops'},
        )
        op.create_index(
            'ix_campaigns_list_order',
            'campaigns',
            [
                'fund_id',
                sa.text("(\nCASE\n    WHEN status = 'open' THEN 0\n    ELSE 1\nEND)"),
                sa.text("(COALESCE(ends_at, '9999-01-01 00:00:00'::timestamp))"),
                'id',
            ],
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_campaigns_list_order', table_name='campaigns')
        op.drop_index('ix_journal_entries_account', table_name='journal_entries')
        op.create_index('ix_journal_entries_account', 'journal_entries', ['account'])
    op.drop_index('ix_campaigns_facets', table_name='campaigns')
