"""Code similarity's candidate data in export and erasure (issue 15's holders): the export gives
a candidate their matches without the other candidate; erasing them removes their fingerprints,
their index rows and every match they are part of, and leaves the other candidate's own."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from harness.assignments.loader import Assignment
from harness.db.base import utcnow
from harness.db.engine import Database
from harness.integrity.models import CodeFingerprint, CodeFingerprintSet, SimilarityMatch
from harness.integrity.review import resolve_match, similarity_of
from harness.retention.export import export_candidate
from harness.retention.service import erase_on_request
from harness.settings import Settings
from tests.db.factories import make_reviewer
from tests.integrity.helpers import solution, submit_and_check, tiny_assignment


@pytest.fixture
def assignment(tmp_path: Path, settings: Settings) -> Assignment:
    return tiny_assignment(tmp_path / "tiny", settings)


def _index_rows(db: Database, sid: int) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(CodeFingerprint)
                            .where(CodeFingerprint.submission_id == sid)) or 0)


def _resolved_pair(db: Database, settings: Settings, assignment: Assignment) -> tuple[int, int]:
    first, _ = submit_and_check(db, settings, assignment, solution("independent/lr_pipeline"), "Ada Original")
    second, done = submit_and_check(db, settings, assignment, solution("copies/renamed_pipeline"), "Bob Copier")
    assert done.flagged == 1
    with db.session(write=True) as s:
        match = similarity_of(s, second).matches[0].id
        resolve_match(s, second, match, actor=make_reviewer(s), resolution="copied",
                      note="Same pipeline, names changed.", now=utcnow())
    return first, second


def test_the_export_gives_the_matches_without_the_other_candidate(
        db: Database, settings: Settings, assignment: Assignment, tmp_path: Path) -> None:
    _resolved_pair(db, settings, assignment)
    with db.session() as s:
        export_candidate(s, settings, "bob@example.com", tmp_path / "bob.zip", now=utcnow())
    with zipfile.ZipFile(tmp_path / "bob.zip") as z:
        text = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".json"))
    assert '"similarity_matches"' in text and "Same pipeline, names changed." in text
    assert "another candidate's submission" in text and '"copied"' in text
    assert "Ada" not in text and "ada@example.com" not in text and "ada-solution.zip" not in text


def test_erasing_a_candidate_removes_their_fingerprints_and_matches_and_keeps_the_others(
        db: Database, settings: Settings, assignment: Assignment) -> None:
    first, second = _resolved_pair(db, settings, assignment)
    kept_before = _index_rows(db, first)
    assert kept_before > 0 and _index_rows(db, second) > 0
    erase_on_request(db, settings, "bob@example.com", actor="test", now=utcnow())
    with db.session() as s:
        assert s.get(CodeFingerprintSet, second) is None
        assert s.scalar(select(func.count()).select_from(SimilarityMatch)) == 0
        # Near miss: the other candidate's fingerprints stay, and their check is still there.
        assert s.get(CodeFingerprintSet, first) is not None
        view = similarity_of(s, first)
        assert view.checked and view.matches == []
    assert _index_rows(db, second) == 0 and _index_rows(db, first) == kept_before
