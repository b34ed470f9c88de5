"""What holds candidate data, in the order an erasure removes it (rows that point at others go
first). Each domain contributes its holder (``harness/<domain>/privacy.py``); a domain that adds
a table with candidate data adds its holder here, and ``tests/privacy/test_registry.py`` fails
until every table is either covered by a holder or listed in ``NO_CANDIDATE_DATA``.
"""

from __future__ import annotations

from harness.ats.privacy import ATS
from harness.audit.privacy import AUDIT
from harness.feedback.privacy import FEEDBACK
from harness.integrity.privacy import INTEGRITY
from harness.invitations.privacy import DECISIONS, INVITATIONS
from harness.notify.privacy import NOTIFICATIONS
from harness.payments.privacy import PAYMENTS
from harness.privacy.holders import CandidateData
from harness.process_speed.privacy import MILESTONES
from harness.review.privacy import REVIEW
from harness.submissions.privacy import SUBMISSIONS
from harness.timeboxes.privacy import TIMEBOXES

__all__ = ["HOLDERS", "NO_CANDIDATE_DATA"]

HOLDERS: tuple[CandidateData, ...] = (
    ATS,
    FEEDBACK,
    REVIEW,
    INTEGRITY,
    PAYMENTS,
    TIMEBOXES,
    NOTIFICATIONS,
    DECISIONS,
    SUBMISSIONS,
    MILESTONES,
    INVITATIONS,
    AUDIT,
)
"""Every holder, in erasure order."""

NO_CANDIDATE_DATA: dict[str, str] = {
    "reviewers": "the hiring team's accounts",
    "api_tokens": "reviewers' API tokens",
    "reviewer_sessions": "reviewers' sign-in sessions (a hash of the session id, times)",
    "ats_integrations": "an ATS account and its key's hash",
    "anonymous_candidates": "anonymous figures erasures leave (no name, address, id or date)",
    "anonymous_submissions": "anonymous figures erasures leave (no name, address, id or date)",
    "anonymous_scorecards": "levels and scores of erased candidates' settled scorecards, for the "
    "agreement figures (no comment, upload, id or date)",
    "anonymous_finding_marks": "rule and verdict of marks on erased candidates' findings",
    "review_criteria_sets": "an assignment's review criteria, versioned",
}
"""Tables that hold no candidate data, and why."""
