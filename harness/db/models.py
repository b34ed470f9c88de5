"""Imports every model so ``Base.metadata`` is complete (Alembic and tests use this)."""

from harness.accounts.models import ApiToken, Reviewer
from harness.audit.models import AuditEvent
from harness.db.base import Base
from harness.invitations.models import Candidate, Invitation
from harness.ledger.models import PaymentRecord, TimeExtension
from harness.notify.models import SentNotification
from harness.submissions.models import Decision, Note, ReportRecord, Submission

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Candidate",
    "Decision",
    "Invitation",
    "Note",
    "PaymentRecord",
    "ReportRecord",
    "Reviewer",
    "SentNotification",
    "Submission",
    "TimeExtension",
]
