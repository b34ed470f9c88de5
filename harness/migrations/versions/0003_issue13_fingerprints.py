"""issue 13: the code fingerprint index and similarity matches

Revision ID: 0003_issue13_fingerprints
Revises: 0003_issue15
Create Date: 2026-11-29 21:00:00

Submissions graded before this revision have no fingerprints; a regrade indexes them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import harness.db.base

revision: str = "0003_issue13_fingerprints"
down_revision: str | None = "0003_issue15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "code_fingerprint_sets",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("assignment_name", sa.String(length=64), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=40), nullable=False),
        sa.Column("prints", sa.LargeBinary(), nullable=False),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.Column("fingerprints", sa.Integer(), nullable=False),
        sa.Column("indexed", sa.Boolean(), nullable=False),
        sa.Column("starter", sa.Integer(), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("checked_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_code_fingerprint_sets_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_code_fingerprint_sets")),
    )
    with op.batch_alter_table("code_fingerprint_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_code_fingerprint_sets_assignment_name"), ["assignment_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_code_fingerprint_sets_invitation_id"), ["invitation_id"], unique=False
        )

    op.create_table(
        "code_fingerprints",
        sa.Column("fingerprint", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_code_fingerprints_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("fingerprint", "submission_id", name=op.f("pk_code_fingerprints")),
        sqlite_with_rowid=False,
    )

    op.create_table(
        "similarity_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("other_submission_id", sa.Integer(), nullable=True),
        sa.Column("known_solution", sa.String(length=200), nullable=True),
        sa.Column("assignment_name", sa.String(length=64), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("share_of_submission", sa.Float(), nullable=False),
        sa.Column("share_of_other", sa.Float(), nullable=False),
        sa.Column("shared", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("fragments", sa.JSON(), nullable=False),
        sa.Column("found_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["other_submission_id"],
            ["submissions.id"],
            name=op.f("fk_similarity_matches_other_submission_id_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["reviewers.id"],
            name=op.f("fk_similarity_matches_resolved_by_id_reviewers"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_similarity_matches_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_similarity_matches")),
    )
    with op.batch_alter_table("similarity_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_similarity_matches_other_submission_id"), ["other_submission_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_similarity_matches_submission_id"), ["submission_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("similarity_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_similarity_matches_submission_id"))
        batch_op.drop_index(batch_op.f("ix_similarity_matches_other_submission_id"))
    op.drop_table("similarity_matches")
    op.drop_table("code_fingerprints")
    with op.batch_alter_table("code_fingerprint_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_code_fingerprint_sets_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_code_fingerprint_sets_assignment_name"))
    op.drop_table("code_fingerprint_sets")
