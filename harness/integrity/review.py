"""What reviewers see of code similarity, and their resolutions.

A match is shown from the side of the submission being read: on an earlier submission, a later
one that resembles it appears too (a link in both directions). The other candidate is named as
anonymous review allows (``Candidate #<invitation>`` until a decision on *their* invitation),
and their archive's file name is hidden with them. A reviewer resolves a match as explained,
copied or a false alarm, with a note; every resolution is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from harness.assignments.loader import load_assignment
from harness.audit.service import Actor, record
from harness.errors import HarnessError, NotFound
from harness.integrity.models import SimilarityMatch
from harness.integrity.repository import IndexRepository
from harness.integrity.schemas import SimilarityOut
from harness.integrity.sources import MAX_READ_BYTES, code_file
from harness.invitations.service import candidate_label, identity_hidden
from harness.settings import Settings
from harness.submissions.browse import read_texts
from harness.submissions.models import Submission
from harness.submissions.service import blob_path

__all__ = [
    "RESOLUTIONS",
    "CodeLine",
    "FragmentView",
    "MatchPage",
    "MatchView",
    "SimilarityView",
    "hide_resolution",
    "match_page",
    "resolve_match",
    "similarity_api",
    "similarity_of",
]

RESOLUTIONS = {"explained": "explained", "copied": "copied", "false_alarm": "false alarm"}
"""A reviewer's resolution of a match, and how it reads."""
CONTEXT_LINES = 2
MAX_SHOWN_LINES = 400


@dataclass(frozen=True)
class FragmentView:
    """A shared stretch of code, from the reader's side: ``file``/``lines`` are this
    submission's, ``other_*`` the other side's."""

    file: str
    lines: tuple[int, int]
    other_file: str
    other_lines: tuple[int, int]
    prints: int


@dataclass(frozen=True)
class MatchView:
    id: int
    direction: Literal["earlier", "later", "known"]
    """``earlier``: this submission resembles an earlier one; ``later``: a later one resembles
    this; ``known``: it resembles a known solution."""
    other_label: str
    other_submission_id: int | None
    other_version: int | None
    other_hidden: bool
    """The other candidate's identity is hidden (anonymous review)."""
    similarity: float
    share_of_this: float
    share_of_other: float
    shared: int
    flagged: bool
    threshold: float
    found_at: datetime
    fragments: list[FragmentView]
    resolution: str | None
    resolution_note: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_hidden: bool = False
    """Another reviewer's resolution is hidden from this reader (blind review:
    ``harness.reviewing.service.blind_similarity``)."""

    @property
    def resolution_label(self) -> str:
        return RESOLUTIONS.get(self.resolution or "", "")


@dataclass(frozen=True)
class SimilarityView:
    """The similarity section of a report page."""

    checked: bool
    """The submission's code was fingerprinted (graded after the check existed)."""
    fingerprints: int = 0
    starter: int = 0
    files: int = 0
    checked_at: datetime | None = None
    matches: list[MatchView] = field(default_factory=list)

    @property
    def flagged(self) -> list[MatchView]:
        return [m for m in self.matches if m.flagged]


def _fragment_views(raw: list[dict[str, Any]], swap: bool) -> list[FragmentView]:
    out = []
    for item in raw:
        mine = (str(item["file"]), (int(item["lines"][0]), int(item["lines"][1])))
        theirs = (str(item["other_file"]), (int(item["other_lines"][0]), int(item["other_lines"][1])))
        if swap:
            mine, theirs = theirs, mine
        out.append(FragmentView(mine[0], mine[1], theirs[0], theirs[1], int(item.get("prints", 0))))
    return out


def _view(session: Session, match: SimilarityMatch, submission_id: int) -> MatchView:
    own_side = match.submission_id == submission_id
    other_id = match.other_submission_id if own_side else match.submission_id
    other = session.get(Submission, other_id) if other_id is not None else None
    if match.known_solution is not None:
        direction: Literal["earlier", "later", "known"] = "known"
        label, hidden = f"known solution {match.known_solution}", False
    else:
        direction = "earlier" if own_side else "later"
        assert other is not None, "a match names an existing submission"
        label, hidden = candidate_label(other.invitation), identity_hidden(other.invitation)
    return MatchView(
        id=match.id, direction=direction, other_label=label, other_submission_id=other_id,
        other_version=other.version if other is not None else None, other_hidden=hidden,
        similarity=match.similarity,
        share_of_this=match.share_of_submission if own_side else match.share_of_other,
        share_of_other=match.share_of_other if own_side else match.share_of_submission,
        shared=match.shared, flagged=match.flagged, threshold=match.threshold,
        found_at=match.found_at, fragments=_fragment_views(match.fragments or [], not own_side),
        resolution=match.resolution, resolution_note=match.resolution_note,
        resolved_by=match.resolved_by.email if match.resolved_by is not None else None,
        resolved_at=match.resolved_at)


def hide_resolution(view: MatchView) -> MatchView:
    """``view`` without its resolution, its note and who gave it (for a reader who must not
    see another reviewer's judgement yet)."""
    return replace(view, resolution=None, resolution_note="", resolved_by=None, resolved_at=None,
                   resolution_hidden=True)


def similarity_of(session: Session, submission_id: int) -> SimilarityView:
    """The similarity section of a submission's report: matches either way, strongest first."""
    repo = IndexRepository(session)
    row = repo.set_of(submission_id)
    if row is None:
        return SimilarityView(checked=False)
    return SimilarityView(
        checked=True, fingerprints=row.fingerprints, starter=row.starter, files=row.files,
        checked_at=row.checked_at,
        matches=[_view(session, m, submission_id) for m in repo.involving(submission_id)])


def similarity_api(session: Session, submission_id: int) -> SimilarityOut:
    """:func:`similarity_of` as the API answers it; 404 for an unknown submission."""
    if session.get(Submission, submission_id) is None:
        raise NotFound("no such submission")
    return SimilarityOut.model_validate(similarity_of(session, submission_id))


def _involving(session: Session, submission_id: int, match_id: int) -> SimilarityMatch:
    match = IndexRepository(session).match(match_id)
    if match is None or submission_id not in (match.submission_id, match.other_submission_id):
        raise NotFound("this submission has no such similarity match")
    return match


@dataclass(frozen=True)
class CodeLine:
    number: int
    text: str
    matched: bool


@dataclass(frozen=True)
class SidePiece:
    file: str
    first: int
    last: int
    lines: list[CodeLine]
    """The matched lines with a little context; empty when the file could not be read."""


@dataclass(frozen=True)
class MatchPage:
    """One match, its fragments side by side."""

    submission: Submission
    match: MatchView
    other_filename: str | None
    """The other archive's name; None while anonymous review hides its candidate."""
    pairs: list[tuple[SidePiece, SidePiece, int]]


def _submission_texts(settings: Settings, submission: Submission, paths: set[str]) -> dict[str, list[str]]:
    out = {}
    for path, text in read_texts(blob_path(settings, submission), paths.__contains__, max_bytes=MAX_READ_BYTES):
        code = code_file(path, text)
        if code is not None:
            out[path] = code.text.splitlines()
    return out


def _known_texts(settings: Settings, submission: Submission, name: str, paths: set[str]) -> dict[str, list[str]]:
    assignment = load_assignment(submission.assignment_name, settings)
    root = (assignment.root / name).resolve()
    out = {}
    for path in paths:
        target = (root / path).resolve()
        if target.is_relative_to(root) and target.is_file() and not target.is_symlink():
            code = code_file(path, target.read_text(encoding="utf-8", errors="replace"))
            if code is not None:
                out[path] = code.text.splitlines()
    return out


def _piece(texts: dict[str, list[str]], file: str, lines: tuple[int, int]) -> SidePiece:
    source = texts.get(file, [])
    first, last = lines
    start, end = max(1, first - CONTEXT_LINES), min(len(source), last + CONTEXT_LINES, first + MAX_SHOWN_LINES)
    shown = [CodeLine(n, source[n - 1], first <= n <= last) for n in range(start, end + 1)]
    return SidePiece(file, first, last, shown)


def match_page(session: Session, settings: Settings, submission_id: int, match_id: int) -> MatchPage:
    """The fragments of one match, both sides' lines read from their archives (or the known
    solution's folder), shown from ``submission_id``'s side."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound("no such submission")
    match = _involving(session, submission_id, match_id)
    view = _view(session, match, submission_id)
    mine = _submission_texts(settings, submission, {f.file for f in view.fragments})
    other_paths = {f.other_file for f in view.fragments}
    other = session.get(Submission, view.other_submission_id) if view.other_submission_id else None
    if other is not None:
        theirs = _submission_texts(settings, other, other_paths)
    elif match.known_solution is not None:
        theirs = _known_texts(settings, submission, match.known_solution, other_paths)
    else:
        theirs = {}
    pairs = [(_piece(mine, f.file, f.lines), _piece(theirs, f.other_file, f.other_lines), f.prints)
             for f in sorted(view.fragments, key=lambda f: (f.file, f.lines))]
    return MatchPage(submission=submission, match=view, pairs=pairs,
                     other_filename=None if other is None or view.other_hidden else other.filename)


def resolve_match(session: Session, submission_id: int, match_id: int, *, actor: Actor, resolution: str,
                  note: str, now: datetime) -> SimilarityMatch:
    """Record a reviewer's resolution of a match (``explained``, ``copied``, ``false_alarm``),
    with a note; audited. A later resolution replaces an earlier one (both stay in the log)."""
    if resolution not in RESOLUTIONS:
        raise HarnessError(f"resolution must be one of {', '.join(RESOLUTIONS)}", status_code=422)
    note = note.strip()
    if len(note) > 2000:
        raise HarnessError("the note is longer than 2,000 characters", status_code=422)
    match = _involving(session, submission_id, match_id)
    before = match.resolution
    match.resolution, match.resolution_note = resolution, note
    match.resolved_by_id, match.resolved_at = actor.id, now
    record(session, "similarity.resolve", actor=actor, object_type="similarity_match", object_id=match.id,
           submission_id=match.submission_id, other_submission_id=match.other_submission_id,
           known_solution=match.known_solution, similarity=match.similarity, resolution=resolution,
           previous=before, note=note[:500])
    return match
