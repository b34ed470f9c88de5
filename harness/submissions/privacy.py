"""The candidate data of uploads: archives (blobs), reports and their files, notes.

The holder for export and erasure (``SUBMISSIONS``), and the two partial purges the retention
policy applies before it erases a candidate: archives first, then reports (logs, findings,
notebooks), keeping the scores on the submission for the dashboard.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from harness.assignments.heldout import heldout_ids, scrub
from harness.assignments.loader import load_assignment
from harness.errors import HarnessError
from harness.invitations.models import Decision
from harness.privacy.anonymous import month_of
from harness.privacy.holders import (
    Drafts,
    ExportPart,
    FileSink,
    Holder,
    Subject,
    affected,
    row_dict,
)
from harness.privacy.models import AnonymousSubmission
from harness.settings import Settings
from harness.submissions.models import Note, ReportRecord, Submission, SubmissionStatus
from harness.submissions.service import blob_path

__all__ = [
    "SUBMISSIONS",
    "SubmissionData",
    "purge_archives",
    "purge_reports",
    "referenced_blobs",
]

_BUSY = (SubmissionStatus.queued.value, SubmissionStatus.running.value)
_INTERNAL = ("blob_key", "claim_token", "claimed_by", "claimed_at", "heartbeat_at", "not_before")


def _submissions(session: Session, ids: Collection[int]) -> list[Submission]:
    if not ids:
        return []
    return list(
        session.scalars(select(Submission).where(Submission.id.in_(ids)).order_by(Submission.id))
    )


def _reports(session: Session, ids: Collection[int]) -> list[ReportRecord]:
    if not ids:
        return []
    return list(
        session.scalars(
            select(ReportRecord)
            .where(ReportRecord.submission_id.in_(ids))
            .order_by(ReportRecord.id)
        )
    )


def _artifact_files(
    settings: Settings, record: ReportRecord, *, leave_out: frozenset[str] = frozenset()
) -> list[Path]:
    """The report's artifact files (keys that would leave the artifacts folder are ignored),
    but for those of the graders in ``leave_out``."""
    root = settings.artifacts_dir.resolve()
    out = []
    for name, key in record.artifacts.items():
        if name.partition("/")[0] in leave_out:
            continue
        path = (root / str(key)).resolve()
        if path.is_relative_to(root) and path != root:
            out.append(path)
    return out


_RAN_ON_TEST_DATA = frozenset({"notebooks"})
"""Graders whose artifacts show the candidate's code run on the held-out features (a rendered
notebook's outputs can print test tickets): kept out of the candidate's export."""


def _heldout(settings: Settings, body: dict[str, Any]) -> frozenset[str]:
    try:
        return heldout_ids(load_assignment(str(body.get("assignment", "")), settings))
    except (HarnessError, OSError, ValueError):
        return frozenset()


def _scrubbed(value: Any, ids: frozenset[str]) -> Any:
    if isinstance(value, str):
        return scrub(value, ids)
    if isinstance(value, list):
        return [_scrubbed(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, ids) for k, v in value.items()}
    return value


def _as_exported(body: dict[str, Any], ids: frozenset[str]) -> Any:
    """A report as the candidate's export gives it: without stage logs (their code's runs on the
    test data can print it) and without held-out ticket ids anywhere."""
    out = dict(body)
    out["stages"] = [
        {k: v for k, v in stage.items() if k != "log_tail"}
        for stage in body.get("stages", [])
        if isinstance(stage, dict)
    ]
    return _scrubbed(out, ids)


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name).strip("._")
    return (cleaned or "archive")[:100]


def _first_decisions(session: Session, invitation_ids: Collection[int]) -> dict[int, datetime]:
    if not invitation_ids:
        return {}
    rows = session.execute(
        select(Decision.invitation_id, func.min(Decision.created_at))
        .where(Decision.invitation_id.in_(invitation_ids))
        .group_by(Decision.invitation_id)
    )
    return {inv: at for inv, at in rows}


def _figures(record: ReportRecord | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Grader scores and stage seconds of a stored report body (numbers only)."""
    body = record.body if record is not None else {}
    graders = {
        str(g.get("name")): g.get("score")
        for g in body.get("graders", [])
        if isinstance(g, dict) and isinstance(g.get("score"), int | float)
    }
    stages = {
        str(s.get("name")): s.get("duration_s")
        for s in body.get("stages", [])
        if isinstance(s, dict) and isinstance(s.get("duration_s"), int | float)
    }
    return graders, stages


class SubmissionData(Holder):
    """Uploads, their archives, reports (with artifact files) and reviewers' notes."""

    name = "submissions"
    tables = frozenset({"submissions", "reports", "notes"})

    def blockers(self, session: Session, subject: Subject) -> list[str]:
        busy = [s.id for s in _submissions(session, subject.submission_ids) if s.status in _BUSY]
        return [f"submission {sid} is being graded; erase once it has finished" for sid in busy]

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        part = ExportPart(records={"submissions": [], "reports": [], "notes": []})
        for sub in _submissions(session, subject.submission_ids):
            part.records["submissions"].append(row_dict(sub, leave_out=_INTERNAL))
            archive = blob_path(settings, sub)
            if archive.is_file():
                name = f"submissions/{sub.id}-v{sub.version}/{_safe_name(sub.filename)}"
                part.files.append((name, archive))
        for record in _reports(session, subject.submission_ids):
            row = row_dict(record, leave_out=("artifacts", "worker", "body"))
            row["body"] = _as_exported(record.body, _heldout(settings, record.body))
            part.records["reports"].append(row)
            for path in _artifact_files(settings, record, leave_out=_RAN_ON_TEST_DATA):
                if path.is_file():
                    name = f"reports/{record.submission_id}/{record.id}/{path.name}"
                    part.files.append((name, path))
        notes = session.scalars(
            select(Note).where(Note.submission_id.in_(subject.submission_ids or [-1]))
        )
        for note in notes:
            part.records["notes"].append(
                {
                    "submission_id": note.submission_id,
                    "body": note.body,
                    "created_at": note.created_at.isoformat(),
                }
            )
        return part

    def summarise(self, session: Session, subject: Subject, drafts: Drafts) -> None:
        subs = _submissions(session, subject.submission_ids)
        decided = _first_decisions(session, {s.invitation_id for s in subs})
        current = {
            r.submission_id: r for r in _reports(session, subject.submission_ids) if r.current
        }
        for sub in subs:
            graders, stages = _figures(current.get(sub.id))
            first_decision = decided.get(sub.invitation_id)
            drafts.submissions[sub.id] = AnonymousSubmission(
                assignment_name=sub.assignment_name,
                month=month_of(sub.created_at),
                status=sub.status,
                overall_score=sub.overall_score,
                accuracy=sub.accuracy,
                macro_f1=sub.macro_f1,
                grader_scores=graders,
                stage_seconds=stages,
                late=sub.late,
                seconds_to_graded=max(0.0, (sub.graded_at - sub.created_at).total_seconds())
                if sub.graded_at is not None
                else None,
                seconds_to_decision=max(0.0, (first_decision - sub.created_at).total_seconds())
                if first_decision is not None
                else None,
            )

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        ids = subject.submission_ids
        subs = _submissions(session, ids)
        for sub in subs:
            if sub.blob_key:
                files.blob_keys.add(sub.blob_key)
            files.paths.add(settings.artifacts_dir / str(sub.id))
            files.paths.add(settings.worker_outputs_dir / str(sub.id))
        for record in _reports(session, ids):
            files.add(_artifact_files(settings, record))
        if not ids:
            return 0
        touched = affected(session, delete(Note).where(Note.submission_id.in_(ids)))
        touched += affected(
            session, delete(ReportRecord).where(ReportRecord.submission_id.in_(ids))
        )
        touched += affected(session, delete(Submission).where(Submission.id.in_(ids)))
        return int(touched)


SUBMISSIONS = SubmissionData()


def _of_invitations(session: Session, invitation_ids: Iterable[int]) -> list[Submission]:
    ids = list(invitation_ids)
    if not ids:
        return []
    return list(session.scalars(select(Submission).where(Submission.invitation_id.in_(ids))))


def purge_archives(session: Session, invitation_ids: Iterable[int], files: FileSink) -> int:
    """Forget the archives of these invitations' uploads (the blobs go after the commit, when
    no other upload has the same content). Returns how many uploads lost their archive."""
    count = 0
    for sub in _of_invitations(session, invitation_ids):
        if sub.blob_key:
            files.blob_keys.add(sub.blob_key)
            sub.blob_key = ""
            count += 1
    return count


_KEPT_GRADER_FIELDS = ("name", "version", "status", "score", "metrics", "duration_s")
_KEPT_STAGE_FIELDS = ("name", "verdict", "exit_code", "duration_s", "peak_memory_bytes")


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pruned_grader(grader: dict[str, Any]) -> dict[str, Any]:
    kept = {k: grader.get(k) for k in _KEPT_GRADER_FIELDS if k in grader}
    metrics = grader.get("metrics")
    kept["metrics"] = (
        {k: v for k, v in metrics.items() if _number(v)} if isinstance(metrics, dict) else {}
    )
    return kept


def _pruned(body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A stored report without what the policy deletes: stage logs and messages, findings,
    breakdowns, details, artifacts. Scores, metrics and timings stay."""
    out = {k: v for k, v in body.items() if k not in ("graders", "stages", "message")}
    out["graders"] = [_pruned_grader(g) for g in body.get("graders", []) if isinstance(g, dict)]
    out["stages"] = [
        {k: s.get(k) for k in _KEPT_STAGE_FIELDS if k in s}
        for s in body.get("stages", [])
        if isinstance(s, dict)
    ]
    out["purged_on"] = now.date().isoformat()
    out["message"] = (
        f"Logs, findings and notebooks were deleted on {now.date().isoformat()} under the "
        "assignment's retention policy; the scores remain."
    )
    return out


def purge_reports(
    session: Session,
    settings: Settings,
    invitation_ids: Iterable[int],
    files: FileSink,
    now: datetime,
) -> int:
    """Delete the logs, findings, notebooks and writeup copies of these invitations' reports
    (the files after the commit), keeping their scores. Returns how many reports changed."""
    subs = _of_invitations(session, invitation_ids)
    count = 0
    for record in _reports(session, [s.id for s in subs]):
        if record.body.get("purged_on"):
            continue
        files.add(_artifact_files(settings, record))
        record.body = _pruned(record.body, now)
        record.artifacts = {}
        count += 1
    return count


def referenced_blobs(session: Session, keys: Collection[str]) -> set[str]:
    """Which of ``keys`` an upload still refers to (shared content stays)."""
    if not keys:
        return set()
    rows = session.scalars(select(Submission.blob_key).where(Submission.blob_key.in_(keys)))
    return set(rows)
