"""What grading tells review: a finished submission's review opens (and its seats fill)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from harness.db.base import utcnow
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.review.seats import open_review
from harness.settings import Settings
from harness.submissions.models import SubmissionStatus

__all__ = ["make_review_callback"]

log = logging.getLogger(__name__)


def make_review_callback(settings: Settings, db: Database) -> Callable[[int, str], None]:
    """A finished-callback for the grading runtime: open the review of a graded submission in
    its own write transaction. A failure is logged; the review can be started from its page."""

    def opened(submission_id: int, status: str) -> None:
        if status != SubmissionStatus.graded.value:
            return
        try:
            with db.session(write=True) as session:
                open_review(session, settings, submission_id, now=utcnow())
        except HarnessError as exc:
            log.warning("review of submission %s not opened: %s", submission_id, exc.message)

    return opened
