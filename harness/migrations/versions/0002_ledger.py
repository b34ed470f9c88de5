"""ledger: payments, extensions, sent notifications, and the time-box columns invitations lacked

Revision ID: 0002_ledger
Revises: 0001
Create Date: 2026-11-26 01:58:14.384003

Invitations made before this revision keep null ``late_policy`` and ``clock_start``; the ledger
reads those from the assignment spec, as the web app did before.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import harness.db.base

revision: str = "0002_ledger"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications_sent")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_sent_key")),
    )
    with op.batch_alter_table("notifications_sent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_sent_kind"), ["kind"], unique=False)

    op.create_table(
        "time_extensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before_start", sa.Boolean(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), nullable=True),
        sa.Column("granted_by", sa.String(length=320), nullable=False),
        sa.Column("granted_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_before", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deadline_after", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_ends_after", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["reviewers.id"],
            name=op.f("fk_time_extensions_granted_by_id_reviewers"),
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_time_extensions_invitation_id_invitations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_extensions")),
    )
    with op.batch_alter_table("time_extensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_time_extensions_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("amount", harness.db.base.DecimalText(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("hours", harness.db.base.DecimalText(length=40), nullable=True),
        sa.Column("owed_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_at", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=320), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("updated_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_payments_invitation_id_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_payments_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_payments_invitation_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_owed_at"), ["owed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_status"), ["status"], unique=False)

    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("late_policy", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("clock_start", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("window_extension_minutes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("no_submission_pay", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("no_submission_amount", harness.db.base.DecimalText(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "first_reviewed_at", harness.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("closed_at", harness.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_invitations_closed_at"), ["closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_closed_at"))
        batch_op.drop_column("closed_at")
        batch_op.drop_column("first_reviewed_at")
        batch_op.drop_column("time_zone")
        batch_op.drop_column("no_submission_amount")
        batch_op.drop_column("no_submission_pay")
        batch_op.drop_column("window_extension_minutes")
        batch_op.drop_column("clock_start")
        batch_op.drop_column("late_policy")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_status"))
        batch_op.drop_index(batch_op.f("ix_payments_owed_at"))

    op.drop_table("payments")
    with op.batch_alter_table("time_extensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_extensions_invitation_id"))

    op.drop_table("time_extensions")
    with op.batch_alter_table("notifications_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_sent_kind"))

    op.drop_table("notifications_sent")
