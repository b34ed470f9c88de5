"""Every model, imported so ``Base.metadata`` holds every table (Alembic's environment and the
tests' ``create_all`` read it).

It lives here, above every package that defines tables, because the database package itself
sits below them all: ``harness.db`` knows the base and the engine, never the domains.
"""

from harness.accounts.models import ApiToken, Reviewer, ReviewerSession
from harness.ats.models import AtsAssessment, AtsCallbackAttempt, AtsErrorReport, AtsIntegration
from harness.audit.models import AuditEvent
from harness.db.base import Base
from harness.feedback.models import CandidateComment, SurveyResponse
from harness.integrity.models import CodeFingerprint, CodeFingerprintSet, SimilarityMatch
from harness.invitations.models import Candidate, Decision, Invitation
from harness.notify.models import SentNotification
from harness.payments.models import PaymentRecord
from harness.privacy.models import AnonymousCandidate, AnonymousSubmission
from harness.review.models import (
    AnonymousFindingMark,
    AnonymousScorecard,
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
    "AnonymousCandidate",
    "AnonymousFindingMark",
    "AnonymousScorecard",
    "AnonymousSubmission",
    "ApiToken",
    "AtsAssessment",
    "AtsCallbackAttempt",
    "AtsErrorReport",
    "AtsIntegration",
    "AuditEvent",
    "Base",
    "Candidate",
    "CandidateComment",
    "CodeFingerprint",
    "CodeFingerprintSet",
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
    "ReviewerSession",
    "Scorecard",
    "SentNotification",
    "SimilarityMatch",
    "Submission",
    "SurveyResponse",
    "TimeExtension",
]
