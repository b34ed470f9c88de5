"""Submissions: regrades, notes, decisions, the versions of an invitation, blob storage, the
dashboard's numbers, and the API shapes of all of these (anonymous review applied through
``harness.invitations.service``). Taking an upload in is ``harness.submissions.intake``."""

from __future__ import annotations

import bisect
import functools
import os
import shutil
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer
from harness.audit import service as audit
from harness.db.engine import Database
from harness.errors import HarnessError, NotFound
from harness.invitations.models import Decision, DecisionOutcome, Invitation
from harness.invitations.service import candidate_email, candidate_label, hidden_label
from harness.privacy import anonymous
from harness.settings import Settings
from harness.submissions.models import (
    FINISHED,
    Note,
    ReportRecord,
    Submission,
    SubmissionStatus,
)
from harness.submissions.repository import SubmissionFilter, SubmissionRepository
from harness.submissions.schemas import (
    CandidateSubmission,
    DecisionOut,
    NoteOut,
    ReportOut,
    StageProblem,
    StageProgress,
    SubmissionDetail,
    SubmissionPage,
    SubmissionStatusOut,
    SubmissionSummary,
)
from harness.submissions.stage_reasons import candidate_stage_message, reasons_from_report

__all__ = [
    "Dashboard",
    "ScoreDistribution",
    "add_note",
    "archive_suffix",
    "blob_path",
    "candidate_view",
    "counting_submission_id",
    "dashboard",
    "decision_out",
    "detail",
    "download",
    "get_submission",
    "incoming_dir",
    "note_out",
    "record_decision",
    "report_body",
    "request_regrade",
    "score_distribution",
    "select_version",
    "status_of",
    "store_blob",
    "submission_page",
    "summary",
    "versions_of",
    "with_current_report",
]

MAX_NOTE = 10_000
MAX_REASON = 5_000
MAX_REPORTS = 20
"""Reports one submission may collect (its first grading and its regrades)."""
MAX_QUEUED_REGRADES = 20
"""Regrades waiting at once, across all submissions: more would hold up new candidates."""


def store_blob(blobs_dir: Path, source: Path, sha256: str) -> str:
    """Move ``source`` into content-addressed storage; returns the blob key.

    The same archive uploaded twice is stored once.
    """
    key = f"{sha256[:2]}/{sha256}"
    target = blobs_dir / key
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        source.unlink(missing_ok=True)
    else:
        os.replace(
            source, target
        ) if source.parent.stat().st_dev == target.parent.stat().st_dev else shutil.move(
            str(source), target
        )
        target.chmod(0o444)
    return key


def blob_path(settings: Settings, submission: Submission) -> Path:
    """Where the submission's archive is stored: the one function that knows blob paths. An
    archive deleted under the retention policy (empty key) is a path that never exists."""
    if not submission.blob_key:
        return settings.blobs_dir / "deleted" / str(submission.id)
    return settings.blobs_dir / submission.blob_key


def incoming_dir(settings: Settings) -> Path:
    """Where uploads stream to before they are accepted (the same file system as the blobs,
    so accepting one is a rename)."""
    return settings.blobs_dir / "incoming"


def download(
    db: Database, session: Session, settings: Settings, submission_id: int, actor: Reviewer
) -> tuple[Path, str]:
    """The archive a reviewer downloads, and a neutral name to save it under. The download is
    audited in its own write transaction (the page's request only reads)."""
    submission = get_submission(session, submission_id)
    if not blob_path(settings, submission).is_file():
        raise NotFound(
            f"the archive of submission {submission.id} was deleted under the assignment's "
            "retention policy"
        )
    with db.session(write=True) as w:
        audit.record(
            w,
            "submission.download",
            actor=actor,
            object_type="submission",
            object_id=submission.id,
        )
    path = blob_path(settings, submission)
    return path, f"submission-{submission.id}-v{submission.version}{archive_suffix(path)}"


def archive_suffix(path: Path) -> str:
    """The file name ending that opens the stored archive: ``.zip``, ``.tar.gz`` or ``.tar``
    (read from its first bytes, never from the name the candidate gave it)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError:
        return ".bin"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ".zip"
    if head.startswith(b"\x1f\x8b"):
        return ".tar.gz"
    if head[257:262] == b"ustar":
        return ".tar"
    return ".bin"


def versions_of(session: Session, invitation_id: int) -> Sequence[Submission]:
    """The invitation's uploads, oldest first."""
    return SubmissionRepository(session).versions_of(invitation_id)


def get_submission(session: Session, submission_id: int) -> Submission:
    submission = SubmissionRepository(session).get(submission_id)
    if submission is None:
        raise NotFound(f"submission {submission_id} does not exist")
    return submission


def with_current_report(
    session: Session, submission_id: int
) -> tuple[Submission, ReportRecord | None]:
    """The submission and its current report (``None`` until graded)."""
    sub = get_submission(session, submission_id)
    return sub, SubmissionRepository(session).current_report(sub.id)


def status_of(session: Session, submission_id: int) -> SubmissionStatusOut:
    """The submission's status and current report id (cheap: no report body)."""
    sub = get_submission(session, submission_id)
    record = SubmissionRepository(session).current_report(sub.id)
    return SubmissionStatusOut(
        id=sub.id,
        status=sub.status,
        stage=sub.stage,
        graded_at=sub.graded_at,
        report_id=record.id if record is not None else None,
    )


def report_body(session: Session, submission_id: int, report_id: int) -> dict[str, Any]:
    """One stored report of the submission (current or historical), as JSON."""
    for record in SubmissionRepository(session).report_history(submission_id):
        if record.id == report_id:
            return record.body
    raise NotFound(f"submission {submission_id} has no report {report_id}")


def request_regrade(session: Session, submission_id: int, actor: Reviewer) -> Submission:
    """Queue a finished submission for grading again; its reports so far stay as history. The
    caller enqueues it once the transaction has committed."""
    submission = get_submission(session, submission_id)
    if submission.status not in {s.value for s in FINISHED}:
        raise HarnessError(
            f"submission {submission.id} is {submission.status}; it can be regraded once it has finished",
            status_code=409,
        )
    repo = SubmissionRepository(session)
    if repo.report_count(submission.id) >= MAX_REPORTS:
        raise HarnessError(
            f"submission {submission.id} has been graded {MAX_REPORTS} times, the most it may "
            "be; its report history is on the report page",
            status_code=409,
        )
    if repo.queued_regrades() >= MAX_QUEUED_REGRADES:
        raise HarnessError(
            f"{MAX_QUEUED_REGRADES} regrades are already waiting; try again when they have run "
            "(new candidates' submissions go first)",
            status_code=429,
        )
    submission.status = SubmissionStatus.queued.value
    submission.attempts = 0
    submission.not_before = None
    submission.stage = None
    submission.stages = {}
    submission.message = "regrade requested"
    audit.record(
        session,
        "submission.regrade",
        actor=actor,
        object_type="submission",
        object_id=submission.id,
    )
    return submission


def add_note(session: Session, submission_id: int, actor: Reviewer, body: str) -> NoteOut:
    submission = get_submission(session, submission_id)
    body = body.strip()
    if not body or len(body) > MAX_NOTE:
        raise HarnessError(f"a note must be 1 to {MAX_NOTE} characters", status_code=422)
    note = Note(submission_id=submission.id, reviewer_id=actor.id, body=body)
    session.add(note)
    session.flush()
    audit.record(
        session,
        "note.add",
        actor=actor,
        object_type="submission",
        object_id=submission.id,
        note=note.id,
    )
    return note_out(note)


def record_decision(
    session: Session, submission_id: int, actor: Reviewer, outcome: str, reason: str
) -> DecisionOut:
    """Record advance/reject/hold with a reason, on the submission's invitation."""
    submission = get_submission(session, submission_id)
    try:
        outcome = DecisionOutcome(outcome).value
    except ValueError:
        raise HarnessError(
            "the decision must be advance, reject or hold", status_code=422
        ) from None
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise HarnessError(f"give a reason of 1 to {MAX_REASON} characters", status_code=422)
    decision = Decision(
        invitation_id=submission.invitation_id,
        submission_id=submission.id,
        outcome=outcome,
        reason=reason,
        reviewer_id=actor.id,
    )
    session.add(decision)
    session.flush()
    session.refresh(submission.invitation, ["decisions"])  # anonymous review ends now
    audit.record(
        session,
        "decision.record",
        actor=actor,
        object_type="invitation",
        object_id=submission.invitation_id,
        submission=submission.id,
        outcome=outcome,
    )
    return decision_out(decision)


def select_version(session: Session, submission_id: int, actor: Reviewer) -> Submission:
    """Make this version the one that counts for its invitation (instead of the latest). A
    rejected upload cannot be chosen: there is nothing in it to judge."""
    submission = get_submission(session, submission_id)
    if submission.status == SubmissionStatus.rejected.value:
        raise HarnessError(
            f"version {submission.version} was rejected ({submission.message[:200]}); a rejected "
            "upload cannot be the version that counts",
            status_code=409,
        )
    submission.invitation.selected_submission_id = submission.id
    audit.record(
        session, "submission.select", actor=actor, object_type="submission", object_id=submission.id
    )
    return submission


def counting_submission_id(session: Session, invitation: Invitation) -> int | None:
    """The version that counts: the one a reviewer selected, else the latest that was not
    rejected (an unusable upload never replaces a graded one)."""
    if invitation.selected_submission_id is not None:
        return invitation.selected_submission_id
    return SubmissionRepository(session).latest_id(invitation.id)


@dataclass(frozen=True)
class ScoreDistribution:
    """Overall scores of an assignment's graded submissions, sorted, for the report's plot."""

    scores: tuple[float, ...]

    @functools.cached_property
    def histogram(self) -> tuple[int, ...]:
        """Counts in 20 bins of 5 points (the last bin holds 100)."""
        counts = [0] * 20
        for score in self.scores:
            counts[min(19, max(0, int(score // 5)))] += 1
        return tuple(counts)

    def share_below(self, score: float) -> float:
        """Fraction of submissions scoring strictly less than ``score``."""
        return bisect.bisect_left(self.scores, score) / len(self.scores) if self.scores else 0.0


_DIST_TTL_S = 10.0
_dist_cache: dict[tuple[str, str], tuple[float, ScoreDistribution]] = {}
_dist_lock = threading.Lock()


def score_distribution(session: Session, assignment: str) -> ScoreDistribution:
    """The assignment's score distribution, cached for a few seconds per process.

    Reading every score on each report view costs tens of milliseconds at 10,000 submissions;
    a context plot may be ten seconds stale.
    """
    key = (str(session.get_bind().engine.url), assignment)
    now = time.monotonic()
    with _dist_lock:
        hit = _dist_cache.get(key)
        if hit is not None and now - hit[0] < _DIST_TTL_S:
            return hit[1]
    live = SubmissionRepository(session).assignment_scores(assignment)
    dist = ScoreDistribution(tuple(sorted([*live, *anonymous.scores(session, assignment)])))
    with _dist_lock:
        _dist_cache[key] = (now, dist)
    return dist


@dataclass(frozen=True)
class Dashboard:
    queued: int
    running: int
    awaiting_review: int
    decided: int
    failed: int
    """Rejected or errored."""
    median_to_graded_s: float | None
    median_to_decision_s: float | None
    total: int
    erased: int = 0
    """Uploads of erased candidates whose anonymous figures are counted above."""


def dashboard(session: Session) -> Dashboard:
    """The dashboard's numbers; erased candidates' uploads count through their anonymous
    figures (``harness.privacy``), so an erasure changes none of them."""
    repo = SubmissionRepository(session)
    counts = dict(repo.counts_by_status())
    to_graded: list[float] = []
    to_decision: list[float] = []
    decided_rows = awaiting = 0
    for status, created, graded, decided in repo.timings():
        if graded is not None:
            to_graded.append(max(0.0, (graded - created).total_seconds()))
        if decided is not None:
            decided_rows += 1
            to_decision.append(max(0.0, (decided - created).total_seconds()))
        elif status == SubmissionStatus.graded.value:
            awaiting += 1
    erased = anonymous.submission_figures(session)
    for status, seconds_to_graded, seconds_to_decision in erased:
        counts[status] = counts.get(status, 0) + 1
        if seconds_to_graded is not None:
            to_graded.append(seconds_to_graded)
        if seconds_to_decision is not None:
            decided_rows += 1
            to_decision.append(seconds_to_decision)
    return Dashboard(
        queued=counts.get(SubmissionStatus.queued.value, 0),
        running=counts.get(SubmissionStatus.running.value, 0),
        awaiting_review=awaiting,
        decided=decided_rows,
        failed=counts.get(SubmissionStatus.rejected.value, 0)
        + counts.get(SubmissionStatus.error.value, 0),
        median_to_graded_s=statistics.median(to_graded) if to_graded else None,
        median_to_decision_s=statistics.median(to_decision) if to_decision else None,
        total=sum(counts.values()),
        erased=len(erased),
    )


def _stages(raw: dict[str, Any] | None) -> dict[str, StageProgress]:
    out = {}
    for name, entry in (raw or {}).items():
        if isinstance(entry, dict):
            out[str(name)] = StageProgress(
                state=str(entry.get("state", "")),
                verdict=entry.get("verdict"),
                message=str(entry.get("message", "")),
            )
    return out


def summary(sub: Submission, decision: Decision | None) -> SubmissionSummary:
    """One row of a list. ``decision`` is the invitation's latest, loaded in bulk for lists:
    anonymous review ends with the first decision, so its presence is all the label needs."""
    label = candidate_label(sub.invitation, decided=decision is not None)
    return _summary(sub, label, decision.outcome if decision else None)


def _row_summary(row: Any, outcome: str | None) -> SubmissionSummary:
    """``summary`` of a plain row of ``SubmissionRepository.list_rows`` (same rules)."""
    hidden = row.anonymous_review and outcome is None
    return _summary(row, hidden_label(row.invitation_id) if hidden else row.candidate, outcome)


def _summary(sub: Any, candidate: str, outcome: str | None) -> SubmissionSummary:
    """A list row from a ``Submission`` or a row with the same column names."""
    return SubmissionSummary(
        id=sub.id,
        invitation_id=sub.invitation_id,
        version=sub.version,
        assignment=sub.assignment_name,
        candidate=candidate,
        filename=sub.filename,
        status=sub.status,
        stage=sub.stage,
        overall_score=sub.overall_score,
        accuracy=sub.accuracy,
        macro_f1=sub.macro_f1,
        late=sub.late,
        created_at=sub.created_at,
        graded_at=sub.graded_at,
        decision=outcome,
    )


def submission_page(session: Session, flt: SubmissionFilter) -> SubmissionPage:
    """One page of the submissions list, with each candidate's latest decision."""
    repo = SubmissionRepository(session)
    rows, total = repo.list_rows(flt)
    outcomes = repo.latest_outcomes(sorted({r.invitation_id for r in rows}))
    return SubmissionPage(
        items=[_row_summary(r, outcomes.get(r.invitation_id)) for r in rows],
        total=total,
        limit=flt.limit,
        offset=flt.offset,
    )


def note_out(note: Note) -> NoteOut:
    return NoteOut(id=note.id, author=note.reviewer.email, body=note.body, created_at=note.created_at)


def decision_out(d: Decision) -> DecisionOut:
    return DecisionOut(
        id=d.id,
        outcome=d.outcome,
        reason=d.reason,
        reviewer=d.reviewer.email,
        submission_id=d.submission_id,
        created_at=d.created_at,
    )


def detail(
    session: Session,
    sub: Submission,
    report: ReportRecord | None,
    history: Sequence[ReportRecord],
    *,
    versions: Sequence[Submission] | None = None,
) -> SubmissionDetail:
    """Everything about one submission: its report, history, notes and the decisions on its
    invitation. ``versions`` (the invitation's uploads, oldest first) spares a query when the
    caller has them."""
    inv = sub.invitation
    if inv.selected_submission_id is not None or versions is None:
        counting = counting_submission_id(session, inv)
    else:
        accepted = [v for v in versions if v.status != SubmissionStatus.rejected.value]
        counting = accepted[-1].id if accepted else None
    decisions = list(inv.decisions)
    latest = decisions[-1] if decisions else None
    base = summary(sub, latest)
    return SubmissionDetail(
        **base.model_dump(),
        email=candidate_email(inv),
        sha256=sub.sha256,
        size_bytes=sub.size_bytes,
        message=sub.message,
        stages=_stages(sub.stages),
        attempts=sub.attempts,
        reported_hours=sub.reported_hours,
        counts=counting == sub.id,
        report=report.body if report else None,
        reports=[
            ReportOut(
                id=r.id,
                current=r.current,
                status=r.status,
                overall_score=r.overall_score,
                grader_versions=r.grader_versions,
                created_at=r.created_at,
            )
            for r in history
        ],
        notes=[note_out(n) for n in sub.notes],
        decisions=[decision_out(d) for d in decisions],
    )


_CANDIDATE_ERROR = (
    "Grading stopped because of a problem on our side, not in your submission. The hiring "
    "team has been told and can grade it again; you do not need to upload again."
)


def _candidate_stages(raw: dict[str, Any] | None) -> dict[str, StageProgress]:
    """Live progress with every message made safe for the candidate (``stage_reasons``)."""
    return {
        name: StageProgress(
            state=p.state,
            verdict=p.verdict,
            message=candidate_stage_message(name, p.verdict, p.message),
        )
        for name, p in _stages(raw).items()
    }


def _status_label(sub: Submission, problems: list[StageProblem]) -> tuple[str, bool | None]:
    if sub.status == SubmissionStatus.graded.value:
        return ("graded: a stage failed", False) if problems else ("graded", True)
    if sub.status == SubmissionStatus.rejected.value:
        return "rejected: not graded", None
    if sub.status == SubmissionStatus.error.value:
        return "not graded: a problem on our side", None
    return sub.status, None


def candidate_view(
    sub: Submission, *, show_scores: bool, report: ReportRecord | None = None
) -> CandidateSubmission:
    """An upload as its candidate sees it: scores only when the assignment shows them, and for
    a stage that failed, a reason without anything that could carry held-out data."""
    problems = (
        [StageProblem(**r.__dict__) for r in reasons_from_report(report.body.get("stages", []))]
        if report is not None and sub.status == SubmissionStatus.graded.value
        else []
    )
    label, complete = _status_label(sub, problems)
    message = _CANDIDATE_ERROR if sub.status == SubmissionStatus.error.value else sub.message
    return CandidateSubmission(
        id=sub.id,
        version=sub.version,
        filename=sub.filename,
        status=sub.status,
        status_label=label,
        complete=complete,
        stage=sub.stage,
        stages=_candidate_stages(sub.stages),
        message=message,
        problems=problems,
        counts=sub.status != SubmissionStatus.rejected.value,
        late=sub.late,
        created_at=sub.created_at,
        graded_at=sub.graded_at,
        overall_score=sub.overall_score if show_scores else None,
    )
