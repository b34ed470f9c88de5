"""The similarity check runs where a graded report is stored (both modes pass there), and its
failure never costs the report."""

from __future__ import annotations

from pathlib import Path

from harness.db.engine import Database
from harness.integrity.models import CodeFingerprintSet
from harness.integrity.review import similarity_of
from harness.jobs.lifecycle import Outcome
from harness.jobs.runtime import GradingRuntime
from harness.settings import Settings
from harness.submissions.models import Submission
from tests.db.factories import make_invitation, make_submission
from tests.integrity.helpers import solution, tiny_assignment
from tests.jobs.helpers import RecordingGrader, grade_now, runtime


def _queue(db: Database, settings: Settings, spec_name: str, corpus: list[str]) -> list[int]:
    ids = []
    with db.session(write=True) as s:
        for n, name in enumerate(corpus):
            inv, _ = make_invitation(s, name=f"Person {n}", email=f"p{n}@example.com")
            inv.assignment_name = spec_name
            ids.append(make_submission(s, settings, inv, files=solution(name)).id)
    return ids


def test_a_graded_copy_is_matched_when_its_report_is_stored(db: Database, settings: Settings,
                                                            tmp_path: Path) -> None:
    assignment = tiny_assignment(tmp_path / "store", settings)
    first, second = _queue(db, settings, assignment.name, ["independent/svm_char", "copies/comments_svm"])
    rt = GradingRuntime(settings=settings, db=db, grade_fn=RecordingGrader(),
                        load_assignment=lambda name, s: assignment)
    assert grade_now(rt, first) == Outcome.graded and grade_now(rt, second) == Outcome.graded
    with db.session() as s:
        view = similarity_of(s, second)
        assert view.checked and view.fingerprints > 0
        (match,) = view.matches
        assert match.flagged and match.other_submission_id == first
        assert similarity_of(s, first).matches[0].direction == "later"


def test_a_failing_check_leaves_the_report_stored(db: Database, settings: Settings) -> None:
    # The recording runtime's assignment is a stand-in without a folder: the check fails on it.
    (sid,) = _queue(db, settings, "support-tickets", ["independent/lr_minimal"])
    assert grade_now(runtime(settings, db, RecordingGrader()), sid) == Outcome.graded
    with db.session() as s:
        sub = s.get(Submission, sid)
        assert sub is not None and sub.status == "graded" and sub.overall_score == 70.0
        assert s.get(CodeFingerprintSet, sid) is None


def test_the_check_can_be_left_out_of_a_runtime(db: Database, settings: Settings, tmp_path: Path) -> None:
    assignment = tiny_assignment(tmp_path / "off", settings)
    (sid,) = _queue(db, settings, assignment.name, ["independent/lr_minimal"])
    rt = GradingRuntime(settings=settings, db=db, grade_fn=RecordingGrader(),
                        load_assignment=lambda name, s: assignment, similarity=False)
    assert grade_now(rt, sid) == Outcome.graded
    with db.session() as s:
        assert s.get(CodeFingerprintSet, sid) is None
