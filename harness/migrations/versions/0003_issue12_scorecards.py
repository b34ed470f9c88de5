"""issue 12: human review (reviews, scorecards, criteria versions, reconciliations, conflicts,
decision bases, feedback on findings)

Revision ID: 0003_issue12_scorecards
Revises: 0002_ledger
Create Date: 2026-11-29 20:57:32.347894

New tables only; nothing existing changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import harness.db.base

revision: str = "0003_issue12_scorecards"
down_revision: str | None = "0002_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_criteria_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("created_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_criteria_sets")),
        sa.UniqueConstraint("assignment_name", "version", name="uq_review_criteria_sets"),
    )
    op.create_table(
        "review_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("email_pattern", sa.String(length=320), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_review_conflicts_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewers.id"],
            name=op.f("fk_review_conflicts_reviewer_id_reviewers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_conflicts")),
    )
    with op.batch_alter_table("review_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_conflicts_reviewer_id"), ["reviewer_id"], unique=False
        )

    op.create_table(
        "review_reconciliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("agreed_recommendation", sa.String(length=10), nullable=True),
        sa.Column("opened_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["reviewers.id"],
            name=op.f("fk_review_reconciliations_resolved_by_id_reviewers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_review_reconciliations_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reconciliations")),
    )
    with op.batch_alter_table("review_reconciliations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_reconciliations_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("assignment_name", sa.String(length=64), nullable=False),
        sa.Column("criteria_set_id", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["criteria_set_id"],
            ["review_criteria_sets.id"],
            name=op.f("fk_reviews_criteria_set_id_review_criteria_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_reviews_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_reviews_submission_id")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_reviews_status_assignment", ["status", "assignment_name"], unique=False
        )
        batch_op.create_index(
            "ix_reviews_criteria_status", ["criteria_set_id", "status"], unique=False
        )

    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("assignment_name", sa.String(length=64), nullable=False),
        sa.Column("criteria_set_id", sa.Integer(), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assigned_by", sa.String(length=10), nullable=False),
        sa.Column("assigned_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", harness.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=200), nullable=True),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.String(length=10), nullable=True),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("human_score", sa.Float(), nullable=True),
        sa.Column("automated_overall", sa.Float(), nullable=True),
        sa.Column("automated_graders", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["criteria_set_id"],
            ["review_criteria_sets.id"],
            name=op.f("fk_scorecards_criteria_set_id_review_criteria_sets"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewers.id"],
            name=op.f("fk_scorecards_reviewer_id_reviewers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_scorecards_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecards")),
        sa.UniqueConstraint(
            "submission_id", "reviewer_id", name="uq_scorecards_submission_reviewer"
        ),
        sa.UniqueConstraint("submission_id", "seat", name="uq_scorecards_submission_seat"),
    )
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scorecards_criteria_status", ["criteria_set_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_scorecards_reviewer_status", ["reviewer_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scorecards_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "decision_bases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("automated_score", sa.Float(), nullable=True),
        sa.Column("human_score", sa.Float(), nullable=True),
        sa.Column("combined_score", sa.Float(), nullable=True),
        sa.Column("recommendation", sa.String(length=10), nullable=True),
        sa.Column("override", sa.Boolean(), nullable=False),
        sa.Column("formula", sa.String(length=200), nullable=False),
        sa.Column("created_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_decision_bases_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_decision_bases_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_bases")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_decision_bases_decision_id")),
    )
    with op.batch_alter_table("decision_bases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_decision_bases_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "finding_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("grader", sa.String(length=64), nullable=False),
        sa.Column("grader_version", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=120), nullable=False),
        sa.Column("finding_index", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=1024), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", harness.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_finding_feedback_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewers.id"],
            name=op.f("fk_finding_feedback_reviewer_id_reviewers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_finding_feedback_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_feedback")),
    )
    with op.batch_alter_table("finding_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_feedback_reviewer_id"), ["reviewer_id"], unique=False
        )
        batch_op.create_index("ix_finding_feedback_rule", ["rule"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_finding_feedback_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "decision_scorecards",
        sa.Column("decision_basis_id", sa.Integer(), nullable=False),
        sa.Column("scorecard_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_basis_id"],
            ["decision_bases.id"],
            name=op.f("fk_decision_scorecards_decision_basis_id_decision_bases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scorecard_id"],
            ["scorecards.id"],
            name=op.f("fk_decision_scorecards_scorecard_id_scorecards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "decision_basis_id", "scorecard_id", name=op.f("pk_decision_scorecards")
        ),
    )


def downgrade() -> None:
    op.drop_table("decision_scorecards")
    with op.batch_alter_table("finding_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_feedback_submission_id"))
        batch_op.drop_index("ix_finding_feedback_rule")
        batch_op.drop_index(batch_op.f("ix_finding_feedback_reviewer_id"))

    op.drop_table("finding_feedback")
    with op.batch_alter_table("decision_bases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_bases_submission_id"))

    op.drop_table("decision_bases")
    with op.batch_alter_table("scorecards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scorecards_submission_id"))
        batch_op.drop_index("ix_scorecards_reviewer_status")
        batch_op.drop_index("ix_scorecards_criteria_status")

    op.drop_table("scorecards")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_criteria_status")
        batch_op.drop_index("ix_reviews_status_assignment")

    op.drop_table("reviews")
    with op.batch_alter_table("review_reconciliations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_reconciliations_submission_id"))

    op.drop_table("review_reconciliations")
    with op.batch_alter_table("review_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_conflicts_reviewer_id"))

    op.drop_table("review_conflicts")
    op.drop_table("review_criteria_sets")
