"""The demo: an assignment, a reviewer, a candidate link and a few graded submissions, and two
demo reviewers whose scorecards land on the demo submissions once they are graded (one pair
disagrees, so the reconciliation step can be seen: an admin can take the third seat).

Loaded by ``harness serve`` when ``HARNESS_DEMO`` is on (the default in development; refused in
production, and ``harness serve`` refuses development beyond loopback). Idempotent: starting
again reuses what is there and only queues solutions that have no submission yet.

The candidate links are random (nothing about them follows from the source or the secret key)
and are written to ``<data dir>/demo-links.txt`` (readable by the owner only), never to the
log: logs travel further than files. A restart reuses the links in that file; without it, the
demo invitations get new links.

One more demo candidate asks to be erased: once their upload is graded, the demo rejects them
and erases them (``erase_when_graded``), so the dashboard shows an erased candidate's figures
still counted. That happens once; a later start finds the erasure in the audit log.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from harness.accounts.models import Reviewer, Role
from harness.accounts.security import hash_token
from harness.accounts.service import create_reviewer
from harness.assignments.loader import Assignment, load_assignment
from harness.audit.models import AuditEvent
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.errors import HarnessError
from harness.invitations.models import Candidate, Invitation
from harness.invitations.service import create_invitation
from harness.retention.service import erase_on_request
from harness.review.repository import ReviewRepository
from harness.settings import Environment, Settings
from harness.submissions.archive import JUNK_DIRS, is_litter
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import store_blob

__all__ = [
    "DEMO_ASSIGNMENT",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "DEMO_REVIEWERS",
    "ERASED_EMAIL",
    "DemoInfo",
    "demo_links_path",
    "demo_review_callback",
    "demo_reviews",
    "erase_when_graded",
    "load_demo",
]

log = logging.getLogger(__name__)

DEMO_ASSIGNMENT = "support-tickets"
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-reviewer-password"
DEMO_SOLUTIONS = (
    ("baseline", "Demo Candidate (baseline solution)"),
    ("reference", "Demo Candidate (reference solution)"),
    ("notebook_only", "Demo Candidate (notebook-only solution)"),
)
ERASE_ME = "erase-me"
ERASED_SOLUTION = "baseline"
ERASED_NAME = "Demo Candidate (asks to be erased)"
ERASED_EMAIL = "erase-me@example.com"
FINISHED_STATES = (SubmissionStatus.graded.value, SubmissionStatus.rejected.value)
DEMO_REVIEWERS = (
    ("ravi.reviewer@example.com", "Ravi (demo reviewer)"),
    ("sam.reviewer@example.com", "Sam (demo reviewer)"),
)
# Each demo reviewer's level (on every criterion) and recommendation, per demo solution. The
# notebook-only pair is two levels apart: it goes to reconciliation.
DEMO_SCORES = {
    "baseline": (
        (2, "hold", "Works, but one split and no error analysis."),
        (3, "hold", "Clean and tested; evaluation a little thin."),
    ),
    "reference": (
        (3, "advance", "Sound validation and a clear writeup."),
        (4, "advance", "What we would ship: tests, intervals, honest limits."),
    ),
    "notebook_only": (
        (1, "reject", "Everything lives in a notebook; no tests."),
        (3, "hold", "The analysis in the notebook is careful."),
    ),
    # The candidate who asks to be erased: their agreeing scorecards keep counting on the
    # calibration page after the erasure (as anonymous levels, without these comments).
    ERASE_ME: (
        (2, "hold", "Baseline works; thin evaluation."),
        (2, "hold", "Runs, tested lightly; one split only."),
    ),
}
_SKIP = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "model", "models"}


@dataclass
class DemoInfo:
    email: str
    password: str
    candidate_token: str
    links_file: Path
    """Where the demo candidate links are (one ``purpose<TAB>link`` per line)."""
    queued: list[int] = field(default_factory=list)
    """Demo submissions waiting to be graded."""
    tokens: dict[str, str] = field(default_factory=dict)
    """Every demo link's token, by purpose (``candidate`` and one per solution)."""
    erase_after_grading: int | None = None
    """The upload of the candidate who asks to be erased, while it waits to be graded."""
    erased: bool = False
    """That candidate is erased already (their figures are on the dashboard)."""


def demo_links_path(settings: Settings) -> Path:
    return settings.data_dir / "demo-links.txt"


def _read_tokens(path: Path) -> dict[str, str]:
    tokens: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            purpose, _, link = line.partition("\t")
            token = link.rstrip("/").rsplit("/c/", 1)[-1] if "/c/" in link else ""
            if purpose and token:
                tokens[purpose] = token
    return tokens


def _write_links(path: Path, base: str, tokens: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        for purpose, token in tokens.items():
            fh.write(f"{purpose}\t{base.rstrip('/')}/c/{token}\n")
    os.replace(tmp, path)


def zip_folder(folder: Path, dest: Path) -> Path:
    """A deterministic zip of a solution folder (sorted, fixed timestamps, caches left out)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP and d not in JUNK_DIRS)
            for name in sorted(files):
                path = Path(root) / name
                if (
                    path.is_symlink()
                    or not path.is_file()
                    or is_litter((name,))
                    or name == ".coverage"
                ):
                    continue
                info = zipfile.ZipInfo(
                    str(path.relative_to(folder)), date_time=(2026, 1, 1, 0, 0, 0)
                )
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    return dest


def _invitation(
    session: object, assignment: Assignment, token: str, name: str, email: str
) -> Invitation:
    """The demo invitation of ``email`` opened by ``token``: found by the token, else found by
    the address and given this token (the old link stops working), else created."""
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    existing = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if existing is not None:
        return existing
    earlier = session.scalar(
        select(Invitation)
        .join(Candidate, Invitation.candidate_id == Candidate.id)
        .where(Candidate.email == email, Invitation.assignment_name == assignment.spec.name)
        .order_by(Invitation.id)
    )
    if earlier is not None:
        earlier.token_hash = hash_token(token)
        return earlier
    inv, _ = create_invitation(
        session,
        assignment.spec,
        name=name,
        email=email,
        actor="demo",
        anonymous_review=False,
        token=token,
    )
    return inv


def _submission(
    session: Session,
    settings: Settings,
    assignment: Assignment,
    folder_name: str,
    invitation: Invitation,
) -> tuple[Submission, bool]:
    """The invitation's upload of a shipped solution: the existing one, or a new one queued
    (``True``)."""
    existing = session.scalar(select(Submission).where(Submission.invitation_id == invitation.id))
    if existing is not None:
        return existing, False
    folder = assignment.root / "solutions" / folder_name
    archive = zip_folder(folder, settings.blobs_dir / "incoming" / f"demo-{folder_name}.zip")
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    size = archive.stat().st_size
    sub = Submission(
        invitation_id=invitation.id,
        version=SubmissionRepository(session).next_version(invitation.id),
        assignment_name=assignment.spec.name,
        filename=f"{folder_name}.zip",
        sha256=sha,
        blob_key=store_blob(settings.blobs_dir, archive, sha),
        size_bytes=size,
        status=SubmissionStatus.queued.value,
        stages={},
    )
    session.add(sub)
    session.flush()
    return sub, True


def _has_solution(assignment: Assignment, folder_name: str) -> bool:
    folder = assignment.root / "solutions" / folder_name
    if not folder.is_dir() or not any(p.is_file() for p in folder.rglob("*")):
        log.warning("demo solution %s is missing or empty; skipped", folder)
        return False
    return True


def _demo_erased(session: Session) -> bool:
    return (
        session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action == "candidate.erase", AuditEvent.actor_label == "demo"
            )
        )
        is not None
    )


def _erase_me(session: Session, settings: Settings, assignment: Assignment, info: DemoInfo) -> None:
    """The candidate who asks to be erased: queued, or erased already."""
    if _demo_erased(session) or not _has_solution(assignment, ERASED_SOLUTION):
        info.erased = _demo_erased(session)
        return
    token = info.tokens[ERASE_ME]
    inv = _invitation(session, assignment, token, ERASED_NAME, ERASED_EMAIL)
    session.flush()
    sub, queued = _submission(session, settings, assignment, ERASED_SOLUTION, inv)
    info.erase_after_grading = sub.id
    if queued:
        info.queued.append(sub.id)


def load_demo(settings: Settings, db: Database) -> DemoInfo:
    """Create (or find) the demo rows; queue demo solutions that were never submitted."""
    if settings.environment == Environment.production:
        raise RuntimeError("the demo is never loaded in production")
    assignment = load_assignment(DEMO_ASSIGNMENT, settings)
    links_file = demo_links_path(settings)
    tokens = _read_tokens(links_file)
    for purpose in ("candidate", *(name for name, _ in DEMO_SOLUTIONS), ERASE_ME):
        tokens.setdefault(purpose, secrets.token_urlsafe(32))
    info = DemoInfo(
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        candidate_token=tokens["candidate"],
        links_file=links_file,
        tokens=tokens,
    )
    with db.session(write=True) as session:
        for email, name, role in (
            (DEMO_EMAIL, "Demo Reviewer", Role.admin),
            *((e, n, Role.reviewer) for e, n in DEMO_REVIEWERS),
        ):
            if session.scalar(select(Reviewer).where(Reviewer.email == email)) is None:
                create_reviewer(session, email, DEMO_PASSWORD, role=role, name=name, actor="demo")
        _invitation(
            session, assignment, info.candidate_token, "Demo Candidate", "candidate@example.com"
        )
        for folder_name, label in DEMO_SOLUTIONS:
            if not _has_solution(assignment, folder_name):
                continue
            inv = _invitation(
                session,
                assignment,
                tokens[folder_name],
                label,
                f"{folder_name.replace('_', '-')}@example.com",
            )
            session.flush()
            sub, queued = _submission(session, settings, assignment, folder_name, inv)
            if queued:
                info.queued.append(sub.id)
        _erase_me(session, settings, assignment, info)
    _write_links(links_file, settings.public_url, tokens)
    if info.erase_after_grading is not None:
        erase_when_graded(settings, db, info.erase_after_grading)(info.erase_after_grading, "")
        with db.session() as session:
            info.erased = _demo_erased(session)
    return info


def _reject(settings: Settings, db: Database, submission_id: int) -> bool:
    """The demo admin rejects the erase-me candidate once their upload is finished, on the
    demo reviewers' scorecards (an override if the review is not complete). False: not yet."""
    from harness.review import decisions

    with db.session(write=True) as session:
        sub = session.get(Submission, submission_id)
        if sub is None or sub.status not in FINISHED_STATES:
            return False
        reviewer = session.scalars(select(Reviewer).where(Reviewer.email == DEMO_EMAIL)).one()
        if not sub.invitation.decisions:
            decisions.decide(
                session,
                settings,
                sub.id,
                reviewer,
                "reject",
                "Demo: withdrew and asked to be erased.",
                override=True,
                now=utcnow(),
            )
    return True


def erase_when_graded(
    settings: Settings, db: Database, submission_id: int
) -> Callable[[int, str], None]:
    """A finished-callback: once the demo's erase-me upload is graded, the demo reviewers score
    it, a demo admin rejects the candidate and erases them on their request (nothing happens
    before it is graded). Their figures, scorecards' agreement included, keep counting."""

    def on_finished(finished_id: int, _status: str) -> None:
        if finished_id != submission_id:
            return
        try:
            demo_reviews(settings, db, [submission_id])
        except HarnessError as exc:
            log.warning("demo: scorecards on the erase-me upload failed: %s", exc.message)
        if not _reject(settings, db, submission_id):
            return
        try:
            erase_on_request(db, settings, ERASED_EMAIL, actor="demo", now=utcnow())
        except HarnessError as exc:
            log.warning("demo: could not erase %s yet: %s", ERASED_EMAIL, exc.message)
            return
        log.info("demo: %s erased; the dashboard still counts their figures", ERASED_NAME)

    return on_finished


def _demo_folder(settings: Settings, session: Session, submission_id: int) -> str | None:
    """Which demo solution a submission is (None: not a demo submission)."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        return None
    token_hash = sub.invitation.token_hash
    tokens = _read_tokens(demo_links_path(settings))
    return next(
        (f for f in DEMO_SCORES if f in tokens and hash_token(tokens[f]) == token_hash), None
    )


def demo_reviews(settings: Settings, db: Database, submission_ids: list[int] | None = None) -> int:
    """The demo reviewers' scorecards on graded demo submissions (all of them by default):
    opens each review, then submits the canned scorecard of every open seat a demo reviewer
    holds. Idempotent; returns how many scorecards it submitted."""
    from harness.db.base import utcnow
    from harness.review.seats import open_review
    from harness.review.service import submit_scorecard

    if submission_ids is None:
        with db.session() as session:
            submission_ids = list(
                session.scalars(select(Submission.id).where(Submission.status == "graded"))
            )
    done = 0
    for sid in submission_ids:
        with db.session(write=True) as session:
            folder = _demo_folder(settings, session, sid)
            review = open_review(session, settings, sid, now=utcnow()) if folder else None
            if folder is None or review is None:
                continue
            spec = review.criteria_set.criteria
            for (email, _), (level, rec, comment) in zip(
                DEMO_REVIEWERS, DEMO_SCORES[folder], strict=True
            ):
                reviewer = session.scalar(select(Reviewer).where(Reviewer.email == email))
                open_seat = reviewer is not None and any(
                    c.reviewer_id == reviewer.id and c.status == "assigned"
                    for c in ReviewRepository(session).seats(sid)
                )
                if reviewer is None or not open_seat:
                    continue
                ratings = {c["key"]: min(level, len(c["levels"])) for c in spec}
                submit_scorecard(
                    session,
                    settings,
                    sid,
                    reviewer,
                    ratings=ratings,
                    recommendation=rec,
                    comments=comment,
                    now=utcnow(),
                )
                done += 1
    return done


def demo_review_callback(settings: Settings, db: Database) -> Callable[[int, str], None]:
    """A finished-callback: demo reviewers score a demo submission once it is graded."""

    def scored(submission_id: int, status: str) -> None:
        if status == SubmissionStatus.graded.value:
            try:
                demo_reviews(settings, db, [submission_id])
            except Exception:
                log.exception("demo scorecards for submission %s failed", submission_id)

    return scored
