"""Code similarity: index a graded submission's fingerprints, compare it through the index with
the other candidates' submissions of the assignment and with its known solutions, and keep the
matches as evidence for reviewers (never as a verdict, never in a score).

It runs on the host, on the stored archive (candidate code is read, never executed), after the
report is stored, in the same transaction (``harness.jobs.lifecycle``), because it needs the
database: both modes pass through there, so both are covered; ``harness grade`` on the command
line has no database and does not check similarity.

One check, for submission S of invitation I:

1. S's fingerprints, without the starter kit's, are stored in its set; if S is I's newest graded
   version they replace I's older version in the index (one indexed version per invitation, so
   a fragment's count is a count of candidates).
2. Fragments common to many indexed submissions (:data:`COMMON_MIN` of them, or
   :data:`COMMON_SHARE` of the population if more) are left out of the comparison.
3. The index names the submissions holding most of S's remaining fingerprints; the strongest
   (:data:`CANDIDATES`, other candidates only) are compared exactly, and so is every known
   solution.
4. Matches above :data:`SHOW_FLOOR` are stored with the fragments found on both sides; those
   above the assignment's threshold (with at least :data:`MIN_SHARED_TO_FLAG` fingerprints) are
   flagged. A match a reviewer resolved keeps its resolution when it is found again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from harness.assignments.loader import Assignment
from harness.integrity.compare import Fragment, Overlap, fragments, overlap
from harness.integrity.fingerprint import SCHEME, CodeFile, Fingerprinted, fingerprint
from harness.integrity.known import known_solutions, starter_hashes
from harness.integrity.models import CodeFingerprintSet, SimilarityMatch
from harness.integrity.repository import IndexRepository, pack_prints, unpack_prints
from harness.integrity.sources import code_from_archive
from harness.submissions.models import Submission

__all__ = [
    "CANDIDATES",
    "COMMON_MIN",
    "COMMON_SHARE",
    "MIN_SHARED_TO_FLAG",
    "SHOW_FLOOR",
    "Check",
    "check_similarity",
    "erase_submission",
    "fingerprint_archive",
    "index_submission",
]

log = logging.getLogger(__name__)

COMMON_MIN = 8
"""A fragment held by at least this many other candidates' submissions is common..."""
COMMON_SHARE = 0.05
"""...or by this share of them, when that is more."""
CANDIDATES = 20
"""Submissions compared exactly, the strongest the index names."""
SHOW_FLOOR = 0.2
"""Matches below this similarity are not kept."""
MIN_SHARED_TO_FLAG = 15
"""A match is flagged only with at least this many shared fingerprints (about 15 lines of code),
however small the other side: a few shared lines are not evidence."""
MAX_MATCHES = 5
"""Matches kept per check, of submissions and of known solutions each."""

@dataclass(frozen=True)
class Check:
    """What one similarity check found."""

    fingerprints: int
    starter: int
    """Fingerprints left out because the starter kit has them."""
    common: int
    """Fingerprints left out because many submissions have them."""
    population: int
    """Other candidates' submissions in the index."""
    matches: int
    flagged: int
    best: float
    duration_s: float


@dataclass(frozen=True)
class _Found:
    overlap: Overlap
    other: Submission | None = None
    known: str | None = None
    code: Fingerprinted | None = None


def fingerprint_archive(blob: Path, assignment: Assignment) -> Fingerprinted:
    """The fingerprints of a stored submission's code (read from the archive, not executed)."""
    return fingerprint(code_from_archive(blob), assignment.name)


def _update_index(repo: IndexRepository, submission: Submission, assignment: Assignment,
                  hashes: list[int], code: Fingerprinted, starter: frozenset[int], now: datetime) -> None:
    row = repo.set_of(submission.id)
    if row is not None and row.indexed:
        repo.unindex(row)
    siblings = [s for s in repo.sets_of_invitation(submission.invitation_id)
                if s.submission_id != submission.id]
    newest = all(s.submission_id < submission.id for s in siblings)
    if newest:
        for sibling in siblings:
            if sibling.indexed:
                repo.unindex(sibling)
        repo.index(submission.id, hashes)
    if row is None:
        row = CodeFingerprintSet(submission_id=submission.id)
        repo.session.add(row)
    row.assignment_name, row.invitation_id, row.scheme = assignment.name, submission.invitation_id, SCHEME
    row.prints = pack_prints(p for p in code.prints if p.hash not in starter)
    row.paths, row.fingerprints, row.indexed = [f.path for f in code.files], len(hashes), newest
    row.starter, row.files = len(code.hashes & starter), len(code.files)
    row.tokens, row.checked_at = code.tokens, now


def _common(repo: IndexRepository, hashes: list[int], exclude: list[int], population: int) -> set[int]:
    floor = max(COMMON_MIN, COMMON_SHARE * population)
    return {h for h, n in repo.frequencies(hashes, exclude).items() if n >= floor}


def _compare_submissions(repo: IndexRepository, submission: Submission, mine: frozenset[int],
                         kept: list[int], ignore: set[int], exclude: list[int]) -> list[_Found]:
    ranked = repo.holders(kept, exclude).most_common(CANDIDATES * 2)
    found: list[_Found] = []
    for other_id, _ in ranked:
        other = repo.session.get(Submission, other_id)
        row = repo.set_of(other_id)
        if other is None or row is None or row.scheme != SCHEME:
            continue
        if other.invitation.candidate_id == submission.invitation.candidate_id:
            continue  # the same person's other application: not copying
        stored = _stored_code(row)
        found.append(_Found(overlap(mine, stored.hashes, ignore), other=other, code=stored))
        if len(found) >= CANDIDATES:
            break
    return found


def _stored_code(row: CodeFingerprintSet) -> Fingerprinted:
    """A stored submission's fingerprints and where they are (its code is not read again)."""
    return Fingerprinted(files=tuple(CodeFile(path, "") for path in row.paths),
                         prints=tuple(unpack_prints(row.prints)), tokens=row.tokens)


def _keep(found: list[_Found]) -> list[_Found]:
    shown = [f for f in found if f.overlap.similarity >= SHOW_FLOOR and f.overlap.shared >= 5]
    return sorted(shown, key=lambda f: -f.overlap.similarity)[:MAX_MATCHES]


def _fragment_dicts(pieces: list[Fragment], swap: bool) -> list[dict[str, object]]:
    out = []
    for piece in pieces:
        mine = {"file": piece.own_file, "lines": list(piece.own_lines)}
        theirs = {"file": piece.other_file, "lines": list(piece.other_lines)}
        first, second = (theirs, mine) if swap else (mine, theirs)
        out.append({"file": first["file"], "lines": first["lines"], "other_file": second["file"],
                    "other_lines": second["lines"], "prints": piece.prints})
    return out


def _row_for(repo: IndexRepository, submission: Submission, found: _Found) -> tuple[SimilarityMatch, bool]:
    """The match's row (found before, or new) and whether ``submission`` is its own side: a
    pair of submissions has one row, the later one's side first, whichever check found it."""
    if found.other is None:
        assert found.known is not None
        row = repo.known(submission.id, found.known)
        if row is None:
            row = SimilarityMatch(submission_id=submission.id, known_solution=found.known)
            repo.session.add(row)
        return row, True
    later = found.other.id < submission.id
    hi, lo = (submission.id, found.other.id) if later else (found.other.id, submission.id)
    row = repo.pair(hi, lo)
    if row is None:
        row = SimilarityMatch(submission_id=hi, other_submission_id=lo)
        repo.session.add(row)
    return row, later


def _store_match(repo: IndexRepository, submission: Submission, found: _Found, code: Fingerprinted,
                 ignore: set[int], threshold: float, now: datetime) -> SimilarityMatch:
    pieces = fragments(code, found.code, ignore) if found.code is not None else []
    row, own_side = _row_for(repo, submission, found)
    mine, theirs = found.overlap.share_of_own, found.overlap.share_of_other
    row.assignment_name = submission.assignment_name
    row.similarity = round(found.overlap.similarity, 4)
    row.share_of_submission = round(mine if own_side else theirs, 4)
    row.share_of_other = round(theirs if own_side else mine, 4)
    row.shared, row.threshold, row.found_at = found.overlap.shared, threshold, now
    row.flagged = found.overlap.similarity >= threshold and found.overlap.shared >= MIN_SHARED_TO_FLAG
    row.fragments = _fragment_dicts(pieces, swap=not own_side)
    return row


def check_similarity(session: Session, submission: Submission, assignment: Assignment,
                     code: Fingerprinted, *, now: datetime) -> Check:
    """Index ``submission``'s fingerprints (``code``) and store what it shares with the other
    candidates' submissions and the known solutions. The caller commits."""
    started = time.perf_counter()
    repo = IndexRepository(session)
    starter = starter_hashes(assignment)
    mine = code.hashes - starter
    hashes = sorted(mine)
    same_invitation = [s.submission_id for s in repo.sets_of_invitation(submission.invitation_id)]
    exclude = sorted({*same_invitation, submission.id})
    population = repo.population(assignment.name, SCHEME, submission.invitation_id)
    common = _common(repo, hashes, exclude, population)
    ignore = common | set(starter)
    kept = [h for h in hashes if h not in common]
    found = _keep(_compare_submissions(repo, submission, mine, kept, ignore, exclude))
    known = _keep([_Found(overlap(mine, k.code.hashes - starter, ignore), known=k.name, code=k.code)
                   for k in known_solutions(assignment)])
    _update_index(repo, submission, assignment, hashes, code, starter, now)
    threshold = assignment.spec.integrity.similarity_threshold
    stored = [_store_match(repo, submission, f, code, ignore, threshold, now)
              for f in [*found, *known]]
    session.flush()
    kept_ids = {id(row) for row in stored}
    for stale in repo.found_by(submission.id):
        if id(stale) not in kept_ids and stale.resolution is None:
            session.delete(stale)
    return Check(fingerprints=len(hashes), starter=len(code.hashes & starter), common=len(common),
                 population=population, matches=len(stored), flagged=sum(r.flagged for r in stored),
                 best=max((r.similarity for r in stored), default=0.0),
                 duration_s=round(time.perf_counter() - started, 3))


def index_submission(session: Session, submission: Submission, assignment: Assignment,
                     code: Fingerprinted, *, now: datetime) -> None:
    """Store ``submission``'s fingerprints in the index without comparing it with anything
    (loading earlier submissions in bulk, e.g. for ``make bench-integrity``)."""
    starter = starter_hashes(assignment)
    hashes = sorted(code.hashes - starter)
    _update_index(IndexRepository(session), submission, assignment, hashes, code, starter, now)


def erase_submission(session: Session, submission_id: int) -> None:
    """Remove a submission's fingerprints and every match it is part of (erasure on request)."""
    IndexRepository(session).erase(submission_id)
