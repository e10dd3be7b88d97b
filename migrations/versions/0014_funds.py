"""funds: many funds in one installation

Revision ID: 0014_funds
Revises: i12b
Create Date: 2026-12-03 14:40:00

Issue 14. (After i12b.) Creates `funds` and puts everything that exists into one fund (slug from
DEFAULT_FUND_SLUG, default `streekfonds`; its bank account from BANK_IBAN/BIC/BENEFICIARY
when those are set), so an existing installation upgrades in place. Every fund-owned table
gets `fund_id` (NOT NULL, indexed; a foreign key on PostgreSQL). The new column is filled
by the column's DEFAULT while it is added (no UPDATE: the ledger, its seals and the audit
trail refuse UPDATEs), then the default is dropped. The public ledger's seals are keyed
by (fund, seq): each fund has its own chain. Roles of a fund (juror, fund manager,
auditor, sponsor) are given the default fund; the other roles hold everywhere.
"""

import os

import sqlalchemy as sa
from alembic import op

import app.core.models  # noqa: F401 - column types of our own

revision = "0014_funds"
down_revision = "i12b"
branch_labels = None
depends_on = None

FUND_OWNED = (
    "calls",
    "applications",
    "attachments",
    "campaigns",
    "pledges",
    "refunds",
    "campaign_updates",
    "campaign_pictures",
    "jurors",
    "juror_invitations",
    "jury_assignments",
    "jury_scoring_windows",
    "jury_selections",
    "jury_reminders",
    "journal_transactions",
    "sponsors",
    "commitments",
    "project_matches",
    "match_allocations",
    "match_pledge_draws",
    "sponsor_contacts",
    "sponsor_invitations",
    "notification_outbox",
    "mail_templates",
    "payout_call_settings",
    "payout_invoices",
    "payout_requests",
    "payout_approvals",
    "payout_batches",
    "payout_final_reports",
    "bank_statements",
    "bank_lines",
    "ledger_seals",
    "transparency_reports",
    "transparency_report_jobs",
    "audit_events",
)
FUND_ROLES = ("juror", "fund_manager", "auditor", "sponsor")


def upgrade():
    op.create_table(
        "funds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("footer", sa.Text(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("beneficiary", sa.String(length=70), nullable=True),
        sa.Column("mail_from_name", sa.String(length=120), nullable=True),
        sa.Column("mail_from", sa.String(length=254), nullable=True),
        sa.Column("primary_colour", sa.String(length=7), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=20), nullable=True),
        sa.Column("hosts", sa.JSON(), nullable=False),
        sa.Column("created_at", app.core.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
        sa.UniqueConstraint("slug", name=op.f("uq_funds_slug")),
    )
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    iban = os.environ.get("BANK_IBAN", "").replace(" ", "").upper() or None
    bind.execute(
        sa.text(
            "INSERT INTO funds (slug, name, region, municipalities, footer, primary_colour, hosts, "
            "created_at, iban, bic, beneficiary) VALUES (:slug, :name, '', '[]', '', '#0b5d3b', '[]', "
            "CURRENT_TIMESTAMP, :iban, :bic, :beneficiary)"
        ),
        {
            "slug": os.environ.get("DEFAULT_FUND_SLUG", "streekfonds"),
            "name": os.environ.get("DEFAULT_FUND_NAME", "streekfonds"),
            "iban": iban,
            "bic": (os.environ.get("BANK_BIC", "").replace(" ", "").upper() or None) if iban else None,
            "beneficiary": (os.environ.get("BANK_BENEFICIARY") or None) if iban else None,
        },
    )
    default_id = bind.execute(sa.text("SELECT min(id) FROM funds")).scalar_one()

    for table in FUND_OWNED:
        op.add_column(
            table, sa.Column("fund_id", sa.Integer(), nullable=False, server_default=sa.text(str(default_id)))
        )
        op.create_index(op.f(f"ix_{table}_fund_id"), table, ["fund_id"], unique=False)
        if postgres:
            op.alter_column(table, "fund_id", server_default=None)
            op.create_foreign_key(op.f(f"fk_{table}_fund_id_funds"), table, "funds", ["fund_id"], ["id"])

    # Each fund has its own public ledger chain: seq counts per fund. (Existing seals are all
    # the default fund's, so their seq and hashes stay exactly as published.)
    if postgres:
        op.drop_constraint("pk_ledger_seals", "ledger_seals", type_="primary")
        op.create_primary_key("pk_ledger_seals", "ledger_seals", ["fund_id", "seq"])
    else:
        with op.batch_alter_table("ledger_seals", recreate="always") as batch:
            batch.create_primary_key("pk_ledger_seals", ["fund_id", "seq"])

    # Reports are numbered per fund (each fund has its own "fund:2027").
    with op.batch_alter_table("transparency_reports") as batch:
        batch.drop_constraint("uq_transparency_reports_scope_version", type_="unique")
        batch.create_unique_constraint("uq_transparency_reports_scope_version", ["fund_id", "scope_key", "version"])

    with op.batch_alter_table("mail_templates") as batch:
        batch.drop_constraint("uq_mail_templates_kind", type_="unique")
        batch.create_unique_constraint(op.f("uq_mail_templates_fund_id"), ["fund_id", "kind", "locale"])

    if postgres:
        op.add_column("user_roles", sa.Column("fund_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_user_roles_fund_id_funds"), "user_roles", "funds", ["fund_id"], ["id"], ondelete="CASCADE"
        )
    else:
        with op.batch_alter_table("user_roles") as batch:
            batch.add_column(sa.Column("fund_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_user_roles_fund_id"), "user_roles", ["fund_id"], unique=False)
    bind.execute(
        sa.text("UPDATE user_roles SET fund_id = :fund WHERE role IN :roles").bindparams(
            sa.bindparam("roles", expanding=True)
        ),
        {"fund": default_id, "roles": list(FUND_ROLES)},
    )
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint("uq_user_roles_user_id", type_="unique")
        batch.create_unique_constraint(op.f("uq_user_roles_user_id"), ["user_id", "role", "fund_id"])


def downgrade():
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint("uq_user_roles_user_id", type_="unique")
    op.drop_index(op.f("ix_user_roles_fund_id"), table_name="user_roles")
    bind = op.get_bind()
    # Back to one fund: a person who held a role in several funds keeps it once.
    bind.execute(
        sa.text(
            "DELETE FROM user_roles WHERE id NOT IN (SELECT min(id) FROM user_roles GROUP BY user_id, role)"
        )
    )
    with op.batch_alter_table("user_roles") as batch:
        if bind.dialect.name == "postgresql":
            batch.drop_constraint("fk_user_roles_fund_id_funds", type_="foreignkey")
        batch.drop_column("fund_id")
        batch.create_unique_constraint("uq_user_roles_user_id", ["user_id", "role"])
    with op.batch_alter_table("transparency_reports") as batch:
        batch.drop_constraint("uq_transparency_reports_scope_version", type_="unique")
        batch.create_unique_constraint("uq_transparency_reports_scope_version", ["scope_key", "version"])
    if bind.dialect.name == "postgresql":
        op.drop_constraint("pk_ledger_seals", "ledger_seals", type_="primary")
        op.create_primary_key("pk_ledger_seals", "ledger_seals", ["seq"])
    else:
        with op.batch_alter_table("ledger_seals", recreate="always") as batch:
            batch.create_primary_key("pk_ledger_seals", ["seq"])
    with op.batch_alter_table("mail_templates") as batch:
        batch.drop_constraint("uq_mail_templates_fund_id", type_="unique")
        batch.create_unique_constraint("uq_mail_templates_kind", ["kind", "locale"])
    for table in reversed(FUND_OWNED):
        if bind.dialect.name == "postgresql":
            op.drop_constraint(f"fk_{table}_fund_id_funds", table, type_="foreignkey")
        op.drop_index(f"ix_{table}_fund_id", table_name=table)
        op.drop_column(table, "fund_id")
    op.drop_table("funds")
