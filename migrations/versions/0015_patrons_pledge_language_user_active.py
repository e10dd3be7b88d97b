"""issue 15: campaign patron e-mail and role, a pledge's language, users that can be
deactivated

Revision ID: 0015a
Revises: 0006
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015a'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns') as batch:
        batch.add_column(sa.Column('patron_email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('patron_role', sa.String(length=200), nullable=True))
    with op.batch_alter_table('pledges') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=5), server_default='nl', nullable=False))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('active')
    with op.batch_alter_table('pledges') as batch:
        batch.drop_column('locale')
    with op.batch_alter_table('campaigns') as batch:
        batch.drop_column('patron_role')
        batch.drop_column('patron_email')
