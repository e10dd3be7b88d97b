"""data keys for crypto-shredding, scrubbable audit events (issue 12)

Revision ID: i12b
Revises: 0017_payouts
Create Date: 2026-12-03 14:00:00

Tax-certificate data gets a data key of its own (`data_keys`, wrapped by
DATA_ENCRYPTION_KEY; older ciphertext keeps decrypting with the master key). An erasure may
scrub personal data from an audit event's before/after/note (`scrubbed_at`): the trigger on
audit_events lets exactly that through while `streekfonds.scrub` is on, and refuses the rest.

"""
from alembic import op
import sqlalchemy as sa
import app.core.models  # noqa: F401 - column types of our own
from app.core.append_only import install_trigger


# revision identifiers, used by Alembic.
revision = 'i12b'
down_revision = '0017_payouts'
branch_labels = None
depends_on = None

# Written out, not read from the models: this revision must mean the same for ever.
AUDIT_FIXED = ["id", "created_at", "actor_id", "action", "object_type", "object_id"]


def upgrade():
    op.create_table('data_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.core.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scrubbed_at', app.core.models.UTCDateTime(), nullable=True))
    install_trigger(op.get_bind(), 'audit_events', AUDIT_FIXED)


def downgrade():
    install_trigger(op.get_bind(), 'audit_events')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS streekfonds_audit_events_scrub_only()")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('scrubbed_at')
    op.drop_table('data_keys')
