"""issue 15: campaign patron e-mail and role, a pledge's language, users that can be
deactivated, sponsor contacts and their invitations

Revision ID: 0015a
Revises: 0006
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa
import app.core.models  # noqa: F401 - column types of our own


revision = '0015a'
down_revision = '0013_figures'
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
    op.create_table('sponsor_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sponsor_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['sponsor_id'], ['sponsors.id'], name=op.f('fk_sponsor_contacts_sponsor_id_sponsors')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sponsor_contacts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_contacts')),
    sa.UniqueConstraint('sponsor_id', 'user_id', name=op.f('uq_sponsor_contacts_sponsor_id'))
    )
    with op.batch_alter_table('sponsor_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sponsor_contacts_sponsor_id'), ['sponsor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sponsor_contacts_user_id'), ['user_id'], unique=False)
    op.create_table('sponsor_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sponsor_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.models.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', app.core.models.UTCDateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sponsor_id'], ['sponsors.id'], name=op.f('fk_sponsor_invitations_sponsor_id_sponsors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sponsor_invitations')),
    sa.UniqueConstraint('sponsor_id', 'email', name=op.f('uq_sponsor_invitations_sponsor_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sponsor_invitations_token_hash'))
    )
    with op.batch_alter_table('sponsor_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sponsor_invitations_sponsor_id'), ['sponsor_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sponsor_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sponsor_invitations_sponsor_id'))
    op.drop_table('sponsor_invitations')
    with op.batch_alter_table('sponsor_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sponsor_contacts_user_id'))
        batch_op.drop_index(batch_op.f('ix_sponsor_contacts_sponsor_id'))
    op.drop_table('sponsor_contacts')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('active')
    with op.batch_alter_table('pledges') as batch:
        batch.drop_column('locale')
    with op.batch_alter_table('campaigns') as batch:
        batch.drop_column('patron_role')
        batch.drop_column('patron_email')
