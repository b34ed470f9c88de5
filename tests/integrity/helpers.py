"""Submissions of corpus code for the similarity tests: real rows, real archives, real checks."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from harness.assignments.loader import Assignment, load_assignment
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.integrity.service import Check, check_similarity, fingerprint_archive
from harness.invitations.models import Invitation
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.service import blob_path
from tests.db.factories import make_invitation, make_submission
from tests.factories import make_assignment

CORPUS = Path(__file__).resolve().parent / "corpus"
REFERENCE = Path(__file__).resolve().parents[2] / "assignments" / "support_tickets" / "solutions" / "reference"


def files_of(folder: Path) -> dict[str, str | bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def solution(name: str) -> dict[str, str | bytes]:
    """A corpus solution: ``independent/<name>`` or ``copies/<name>``."""
    return files_of(CORPUS / name)


def tiny_assignment(root: Path, settings: Settings, *, starter: dict[str, str] | None = None,
                    known: dict[str, dict[str, str | bytes]] | None = None) -> Assignment:
    folder = make_assignment(root)
    # Named after its folder: fingerprints are keyed by assignment, and pages find it by name
    # (with ``assignments_dir`` set to the folder's parent).
    toml = folder / "assignment.toml"
    toml.write_text(toml.read_text().replace('name = "tiny"', f'name = "{root.name}"', 1))
    for rel, text in (starter or {}).items():
        (folder / "starter_kit" / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / "starter_kit" / rel).write_text(text)
    for name, files in (known or {}).items():
        for rel, data in files.items():
            path = folder / "known_solutions" / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return load_assignment(str(folder), settings)


def submit(session: Session, settings: Settings, assignment: Assignment, files: dict[str, str | bytes], *,
           candidate: str, invitation: Invitation | None = None, anonymous: bool = True) -> Submission:
    if invitation is None:
        invitation, _ = make_invitation(session, name=candidate, email=f"{candidate.split()[0].lower()}@example.com",
                                        spec=assignment.spec, anonymous=anonymous)
        session.flush()
    return make_submission(session, settings, invitation, status=SubmissionStatus.graded, files=files,
                           filename=f"{candidate.split()[0].lower()}-solution.zip")


def check(session: Session, settings: Settings, assignment: Assignment, submission: Submission) -> Check:
    code = fingerprint_archive(blob_path(settings, submission), assignment)
    return check_similarity(session, submission, assignment, code, now=utcnow())


def submit_and_check(db: Database, settings: Settings, assignment: Assignment, files: dict[str, str | bytes],
                     candidate: str, **kw: object) -> tuple[int, Check]:
    with db.session(write=True) as session:
        sub = submit(session, settings, assignment, files, candidate=candidate, **kw)  # type: ignore[arg-type]
        return sub.id, check(session, settings, assignment, sub)
