"""Measuring the similarity check on a corpus: planted copies it must find, independent
solutions it must leave alone (``harness similarity evaluate``, ``make similarity-eval``).

The corpus is a folder with ``independent/`` (solutions written separately, one folder each) and
``copies/`` (planted copies, with ``copies/MANIFEST.toml`` naming each one's original:
``independent/<name>`` or ``known:<folder of the assignment>``). Every solution becomes a
submission of its own candidate in a fresh database and goes through the real check
(:func:`harness.integrity.service.check_similarity`), independent solutions first, then the
copies, as they would arrive.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.assignments.loader import Assignment
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.integrity.models import SimilarityMatch
from harness.integrity.service import check_similarity, fingerprint_archive
from harness.invitations.service import create_invitation
from harness.settings import Settings
from harness.submissions.models import Submission, SubmissionStatus
from harness.submissions.repository import SubmissionRepository
from harness.submissions.service import blob_path, store_blob

__all__ = ["DEFAULT_CORPUS", "CopyResult", "CorpusResult", "PairResult", "evaluate_corpus"]

DEFAULT_CORPUS = Path("tests/integrity/corpus")
"""The shipped corpus, relative to the repository root."""


@dataclass(frozen=True)
class CopyResult:
    name: str
    original: str
    disguises: list[str]
    similarity: float
    """Of the match with its original (0 when none was kept)."""
    flagged: bool


@dataclass(frozen=True)
class PairResult:
    first: str
    second: str
    similarity: float
    flagged: bool


@dataclass
class CorpusResult:
    threshold: float
    copies: list[CopyResult] = field(default_factory=list)
    independent: list[str] = field(default_factory=list)
    pairs: list[PairResult] = field(default_factory=list)
    """Matches kept between independent solutions, or with a known solution, strongest first."""
    check_seconds: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(c.flagged for c in self.copies) / len(self.copies) if self.copies else 0.0

    @property
    def false_flags(self) -> list[PairResult]:
        return [p for p in self.pairs if p.flagged]

    @property
    def pair_count(self) -> int:
        n = len(self.independent)
        return n * (n - 1) // 2


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.writestr(path.relative_to(folder).as_posix(), path.read_bytes())
    return buf.getvalue()


def _submit(db: Database, settings: Settings, assignment: Assignment, folder: Path, label: str) -> int:
    """A graded submission of ``folder`` by a candidate of its own; returns its id."""
    data = _zip(folder)
    sha = hashlib.sha256(data).hexdigest()
    part = settings.blobs_dir / "incoming" / f"{sha}.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(data)
    key = store_blob(settings.blobs_dir, part, sha)
    with db.session(write=True) as session:
        invitation, _ = create_invitation(session, assignment.spec, name=label,
                                          email=f"{label.replace('/', '.')}@corpus.example.com",
                                          actor="similarity-evaluation")
        session.flush()
        sub = Submission(invitation_id=invitation.id, version=SubmissionRepository(session).next_version(
            invitation.id), assignment_name=assignment.name, filename=f"{folder.name}.zip", sha256=sha,
            blob_key=key, size_bytes=len(data), status=SubmissionStatus.graded.value, stages={})
        session.add(sub)
        session.flush()
        return sub.id


def _check(db: Database, settings: Settings, assignment: Assignment, submission_id: int) -> float:
    with db.session(write=True) as session:
        sub = session.get(Submission, submission_id)
        assert sub is not None
        code = fingerprint_archive(blob_path(settings, sub), assignment)
        done = check_similarity(session, sub, assignment, code, now=utcnow())
        return done.duration_s


def _matches(db: Database) -> list[SimilarityMatch]:
    with db.session() as session:
        return list(session.query(SimilarityMatch).order_by(SimilarityMatch.similarity.desc()).all())


def _group(parent: Path) -> str:
    """A short name for a folder of solutions (``tests/calibration/corpus`` is ``calibration``)."""
    return parent.parent.name if parent.name == "corpus" else parent.name


def _folders(parent: Path) -> list[Path]:
    return sorted(p for p in parent.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def _one_per_family(parent: Path) -> list[Path]:
    """The solution folders of ``parent``, keeping one of each family its optional
    ``FAMILIES.toml`` names (versions of one solution are not independent of each other)."""
    folders = _folders(parent)
    families_file = parent / "FAMILIES.toml"
    if not families_file.is_file():
        return folders
    families = tomllib.loads(families_file.read_text(encoding="utf-8"))
    later = {name for members in families.values() for name in sorted(members)[1:]}
    return [f for f in folders if f.name not in later]


def evaluate_corpus(corpus: Path, assignment: Assignment, *, also_independent: tuple[Path, ...] = (),
                    work_dir: Path | None = None) -> CorpusResult:
    """Run the similarity check over ``corpus`` in a fresh database and say what it found.
    ``also_independent`` adds folders of further independent solutions (one sub-folder each)."""
    manifest = tomllib.loads((corpus / "copies" / "MANIFEST.toml").read_text(encoding="utf-8"))
    independent = _folders(corpus / "independent")
    for extra in also_independent:
        independent += _one_per_family(extra)
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        settings = Settings(data_dir=Path(tmp))
        url = f"sqlite:///{Path(tmp) / 'corpus.db'}"
        upgrade_head(url)
        db = Database(url)
        try:
            result = CorpusResult(assignment.spec.integrity.similarity_threshold)
            names: dict[int, str] = {}
            for folder in independent:
                label = f"{_group(folder.parent)}/{folder.name}"
                names[_submit(db, settings, assignment, folder, label)] = label
                result.independent.append(label)
            copies = {_submit(db, settings, assignment, corpus / "copies" / name, f"copies/{name}"): name
                      for name in manifest}
            for submission_id in [*names, *copies]:
                result.check_seconds.append(_check(db, settings, assignment, submission_id))
            names.update({i: f"copies/{n}" for i, n in copies.items()})
            _collect(result, _matches(db), names, copies, manifest)
        finally:
            db.dispose()
    return result


def _side(match: SimilarityMatch, names: dict[int, str]) -> str:
    if match.known_solution is not None:
        return f"known:{match.known_solution}"
    return names.get(match.other_submission_id or 0, "?")


def _collect(result: CorpusResult, matches: list[SimilarityMatch], names: dict[int, str],
             copies: dict[int, str], manifest: dict[str, dict[str, object]]) -> None:
    for name in copies.values():
        entry = manifest[name]
        original = str(entry["original"])
        found = next((m for m in matches if {names.get(m.submission_id), _side(m, names)}
                      == {f"copies/{name}", original}), None)
        disguises = entry.get("disguises", [])
        result.copies.append(CopyResult(
            name=name, original=original, disguises=[str(d) for d in disguises] if isinstance(disguises, list) else [],
            similarity=found.similarity if found else 0.0, flagged=bool(found and found.flagged)))
    for match in matches:
        first, second = names.get(match.submission_id, "?"), _side(match, names)
        if first.startswith("copies/") or second.startswith("copies/"):
            continue
        result.pairs.append(PairResult(first, second, match.similarity, match.flagged))
