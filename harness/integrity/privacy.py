"""The candidate data of code similarity: each submission's fingerprints (derived from their
code) and the matches their submissions are part of, with reviewers' resolutions.

An export gives the matches from the candidate's side (similarity, shares, the known solution's
name, the resolution and its note) and how many fingerprints were kept; never the other
candidate's submission or fragments of their code. An erasure removes the fingerprints, the
index rows and every match on either side: the other candidate's report then no longer shows it.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from harness.integrity.models import CodeFingerprintSet, SimilarityMatch
from harness.integrity.repository import IndexRepository
from harness.privacy.holders import ExportPart, FileSink, Holder, Subject
from harness.settings import Settings

__all__ = ["INTEGRITY", "IntegrityData"]


def _match_record(match: SimilarityMatch, submission_ids: frozenset[int]) -> dict[str, object]:
    own = match.submission_id in submission_ids
    return {
        "submission_id": match.submission_id if own else match.other_submission_id,
        "resembles": f"known solution {match.known_solution}" if match.known_solution
        else "another candidate's submission",
        "similarity": match.similarity,
        "share_of_yours": match.share_of_submission if own else match.share_of_other,
        "flagged": match.flagged,
        "found_at": match.found_at.isoformat(),
        "resolution": match.resolution,
        "resolution_note": match.resolution_note,
    }


class IntegrityData(Holder):
    name = "integrity"
    tables = frozenset({"code_fingerprints", "code_fingerprint_sets", "similarity_matches"})

    def export(self, session: Session, subject: Subject, settings: Settings) -> ExportPart:
        ids = subject.submission_ids
        if not ids:
            return ExportPart()
        sets = session.scalars(
            select(CodeFingerprintSet).where(CodeFingerprintSet.submission_id.in_(ids))
            .order_by(CodeFingerprintSet.submission_id))
        matches = session.scalars(select(SimilarityMatch).where(or_(
            SimilarityMatch.submission_id.in_(ids), SimilarityMatch.other_submission_id.in_(ids)))
            .order_by(SimilarityMatch.id))
        return ExportPart(records={
            "code_fingerprints": [{"submission_id": s.submission_id, "fingerprints": s.fingerprints,
                                   "checked_at": s.checked_at.isoformat()}
                                  for s in sets],
            "similarity_matches": [_match_record(m, ids) for m in matches],
        })

    def erase(self, session: Session, subject: Subject, settings: Settings, files: FileSink) -> int:
        repo = IndexRepository(session)
        return sum(repo.erase(sid) for sid in sorted(subject.submission_ids))


INTEGRITY = IntegrityData()
