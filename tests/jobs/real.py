"""Grading the shipped baseline solution for real (Docker), once per test process.

A claimed job runs with the real pipeline and the real assignment; the resulting report
is cached so browser tests can copy it into their own database instead of grading again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.demo import zip_folder
from harness.jobs.lifecycle import Outcome
from harness.jobs.runtime import GradingRuntime
from harness.settings import Settings
from harness.submissions.models import Submission
from harness.submissions.repository import SubmissionRepository
from tests.db.factories import make_invitation, make_spec
from tests.db.fixtures import make_settings
from tests.jobs.helpers import grade_now

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "assignments" / "support_tickets" / "solutions" / "baseline"

_cache: dict[str, Any] = {}


def grade_baseline_for_real() -> dict[str, Any]:
    """{"outcome", "report" (JSON), "stages", "archive"}: the baseline graded through the worker task."""
    if "result" in _cache:
        return _cache["result"]  # type: ignore[no-any-return]
    data_dir = Path(tempfile.mkdtemp(prefix="real-grade-"))
    settings: Settings = make_settings(data_dir)
    upgrade_head(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    archive = zip_folder(BASELINE, data_dir / "baseline.zip")
    from tests.db.factories import write_file  # noqa: F401 - keeps factories importable here

    with db.session(write=True) as s:
        inv, _ = make_invitation(s, spec=make_spec())
        import hashlib

        from harness.submissions.service import store_blob

        sha = hashlib.sha256(archive.read_bytes()).hexdigest()
        size = archive.stat().st_size
        key = store_blob(settings.blobs_dir, archive, sha)
        sub = Submission(
            invitation_id=inv.id,
            version=1,
            assignment_name="support-tickets",
            filename="baseline.zip",
            sha256=sha,
            blob_key=key,
            size_bytes=size,
            stages={},
        )
        s.add(sub)
        s.flush()
        sid = sub.id
    outcome = grade_now(GradingRuntime(settings=settings, db=db), sid)
    with db.session() as s:
        record = SubmissionRepository(s).current_report(sid)
        sub = s.get(Submission, sid)
        assert sub is not None
        result = {
            "outcome": outcome,
            "report": record.body if record else None,
            "stages": dict(sub.stages),
            "status": sub.status,
            "archive": settings.blobs_dir / sub.blob_key,
        }
    db.dispose()
    _cache["result"] = result
    return result


__all__ = ["Outcome", "grade_baseline_for_real"]
