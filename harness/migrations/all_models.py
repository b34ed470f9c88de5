"""Every model, imported so ``Base.metadata`` holds every table (Alembic's environment and the
tests' ``create_all`` read it).

It lives here, above every package that defines tables, because the database package itself
sits below them all: ``harness.db`` knows the base and the engine, never the domains.
"""

from harness.accounts.models import ApiToken, Reviewer
from harness.audit.models import AuditEvent
from harness.db.base import Base
from harness.invitations.models import Candidate, Decision, Invitation
from harness.notify.models import SentNotification
from harness.payments.models import PaymentRecord
from harness.review.models import (
    CriteriaSet,
    DecisionBasis,
    DecisionScorecard,
    FindingFeedback,
    Reconciliation,
    Review,
    ReviewConflict,
    Scorecard,
)
from harness.submissions.models import Note, ReportRecord, Submission
from harness.timeboxes.models import TimeExtension

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Candidate",
    "CriteriaSet",
    "Decision",
    "DecisionBasis",
    "DecisionScorecard",
    "FindingFeedback",
    "Invitation",
    "Note",
    "PaymentRecord",
    "Reconciliation",
    "ReportRecord",
    "Review",
    "ReviewConflict",
    "Reviewer",
    "Scorecard",
    "SentNotification",
    "Submission",
    "TimeExtension",
]
