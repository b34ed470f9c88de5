"""issue 11: server-side reviewer sessions (revocable, idle and absolute expiry, rotation)

Revision ID: 0003_issue11_sessions
Revises: 0003_issue13_fingerprints
Create Date: 2026-11-30 09:00:00

Sessions signed in before this revision lived only in their cookie; they hold no session id,
so every reviewer signs in once more after the upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import harness.db.base

revision: str = "0003_issue11_sessions"
down_revision: str | None = "0003_issue13_fingerprints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reviewer_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=20), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewers.id"],
            name=op.f("fk_reviewer_sessions_reviewer_id_reviewers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewer_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_reviewer_sessions_token_hash")),
    )
    with op.batch_alter_table("reviewer_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reviewer_sessions_reviewer_id"), ["reviewer_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reviewer_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviewer_sessions_reviewer_id"))
    op.drop_table("reviewer_sessions")
