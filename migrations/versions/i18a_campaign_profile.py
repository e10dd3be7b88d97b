"""campaign profile and contact

Revision ID: i18a
Revises: 0014_funds
Create Date: 2026-12-03 13:45:00

Issue 18: who is behind a campaign (a short profile in the owner's words) and a public
contact address, both optional, shown on the campaign page.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i18a'
down_revision = '0014_funds'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_profile', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.drop_column('owner_profile')
