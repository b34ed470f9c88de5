"""Persisting reports and their artifacts.

A report is stored as JSON with its grader artifacts (notebook HTML and the like) moved out to
files under ``settings.artifacts_dir``, so lists and API responses stay small. Storing a report
for a submission makes it the current one; earlier reports stay as history.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from harness.reports.schema import Report
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.repository import SubmissionRepository

__all__ = ["artifact_path", "read_artifact", "store_report"]

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _safe(part: str) -> str:
    cleaned = _SAFE.sub("_", part).strip("._") or "artifact"
    return cleaned[:80]


def artifact_path(artifacts_dir: Path, key: str) -> Path:
    """The file of a stored artifact; refuses keys that would leave ``artifacts_dir``."""
    root = artifacts_dir.resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root) or path == root:
        raise ValueError(f"artifact key {key!r} leaves the artifacts folder")
    return path


def read_artifact(
    artifacts_dir: Path, key: str, *, max_bytes: int = 50 * 1024 * 1024
) -> str | None:
    try:
        path = artifact_path(artifacts_dir, key)
        with path.open("rb") as fh:
            return fh.read(max_bytes).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def store_report(
    session: Session,
    submission: Submission,
    report: Report,
    *,
    artifacts_dir: Path,
    worker: str | None = None,
) -> ReportRecord:
    """Add ``report`` as the submission's current report and copy its headline numbers over.

    Does not change the submission's status: the caller decides that under its claim.
    """
    repo = SubmissionRepository(session)
    record = ReportRecord(
        submission_id=submission.id,
        current=True,
        status=report.status.value,
        overall_score=report.overall.score,
        body={},
        grader_versions={g.name: g.version for g in report.graders},
        artifacts={},
        harness_version=report.harness_version[:40],
        worker=worker,
    )
    repo.unset_current_reports(submission.id)
    repo.add(record)
    session.flush()  # the id names the artifact folder

    artifacts: dict[str, str] = {}
    body: dict[str, Any] = report.model_dump(mode="json")
    for grader in body.get("graders", []):
        stored = {}
        for name, text in (grader.get("artifacts") or {}).items():
            key = f"{submission.id}/{record.id}/{_safe(grader['name'])}/{_safe(name)}"
            _write_atomic(artifact_path(artifacts_dir, key), str(text))
            artifacts[f"{grader['name']}/{name}"] = key
            stored[name] = key
        grader["artifacts"] = stored  # keys instead of content
    record.body = body
    record.artifacts = artifacts

    submission.overall_score = report.overall.score
    accuracy = report.grader("accuracy")
    submission.accuracy = _metric(accuracy.metrics.get("accuracy")) if accuracy else None
    submission.macro_f1 = _metric(accuracy.metrics.get("macro_f1")) if accuracy else None
    return record


def _metric(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
