"""server-side log-in sessions, token expiry, erased users, privacy requests (issue 12)

Revision ID: i12a
Revises: 0015a
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa
import app.core.models  # noqa: F401 - column types of our own


# revision identifiers, used by Alembic.
revision = 'i12a'
down_revision = '0015a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.core.models.UTCDateTime(), nullable=False),
    sa.Column('ended_at', app.core.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_login_sessions_key_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('privacy_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', app.core.models.UTCDateTime(), nullable=False),
    sa.Column('done_at', app.core.models.UTCDateTime(), nullable=True),
    sa.Column('carried_out_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carried_out_by_id'], ['users.id'], name=op.f('fk_privacy_requests_carried_out_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_requests')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_privacy_requests_token_hash'))
    )
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_requests_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_requests_status'), ['status'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', app.core.models.UTCDateTime(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', app.core.models.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_requests_status'))
        batch_op.drop_index(batch_op.f('ix_privacy_requests_email'))

    op.drop_table('privacy_requests')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
