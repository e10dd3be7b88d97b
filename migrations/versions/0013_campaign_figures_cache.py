"""campaign figures cache: figures_version and changed_at on campaigns, campaign_figures

Revision ID: 0013_figures
Revises: 0016
Create Date: 2026-12-03 08:20:00

"""
from alembic import op
import sqlalchemy as sa
import app.core.models  # noqa: F401 - column types of our own


# revision identifiers, used by Alembic.
revision = '0013_figures'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures_version', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('changed_at', app.core.models.UTCDateTime(), nullable=True))
    op.create_table('campaign_figures',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('backers_count', sa.Integer(), nullable=False),
    sa.Column('matched_cents', sa.BigInteger(), nullable=False),
    sa.Column('effects', sa.JSON(), nullable=True),
    sa.Column('computed_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_figures_campaign_id_campaigns')),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_campaign_figures'))
    )


def downgrade():
    op.drop_table('campaign_figures')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
        batch_op.drop_column('figures_version')
