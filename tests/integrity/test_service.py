"""The similarity check on a real database: what it flags, what it discounts, what it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from harness.assignments.loader import Assignment
from harness.audit.models import AuditEvent
from harness.db.engine import Database
from harness.errors import HarnessError, NotFound
from harness.integrity.models import CodeFingerprint, CodeFingerprintSet, SimilarityMatch
from harness.integrity.review import match_page, resolve_match, similarity_of
from harness.integrity.service import COMMON_MIN, erase_submission
from harness.settings import Settings
from harness.submissions.models import Submission
from harness.submissions.service import record_decision
from tests.db.factories import make_reviewer
from tests.integrity.helpers import (
    REFERENCE,
    files_of,
    solution,
    submit,
    submit_and_check,
    tiny_assignment,
)
from tests.integrity.helpers import check as run_check


@pytest.fixture
def assignment(tmp_path: Path, settings: Settings) -> Assignment:
    return tiny_assignment(tmp_path / "tiny", settings)


def test_a_copy_is_flagged_and_both_submissions_show_the_match(db: Database, settings: Settings,
                                                               assignment: Assignment) -> None:
    first, _ = submit_and_check(db, settings, assignment, solution("independent/lr_pipeline"), "Ada Lovelace")
    second, done = submit_and_check(db, settings, assignment, solution("copies/renamed_pipeline"), "Bob Byron")
    assert done.flagged == 1 and done.best >= 0.9 and done.population == 1
    with db.session() as session:
        later = similarity_of(session, second)
        earlier = similarity_of(session, first)
    (match,) = later.matches
    assert match.direction == "earlier" and match.flagged and match.other_submission_id == first
    assert match.other_label.startswith("Candidate #") and match.other_hidden
    assert match.fragments and {f.file for f in match.fragments} <= {"model_def.py", "train.py", "predict.py"}
    (back,) = earlier.matches
    assert back.id == match.id and back.direction == "later" and back.other_submission_id == second
    assert {f.file for f in back.fragments} <= {"pipeline.py", "train.py", "predict.py"}
    assert back.share_of_this == match.share_of_other


def test_independent_tfidf_logistic_regressions_are_not_flagged(db: Database, settings: Settings,
                                                                 assignment: Assignment) -> None:
    for n, name in enumerate(["lr_minimal", "lr_functions", "lr_gridsearch", "lr_stdlib_csv", "lr_class"]):
        _, done = submit_and_check(db, settings, assignment, solution(f"independent/{name}"), f"Person{n} X")
        assert done.flagged == 0, name
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SimilarityMatch)
                              .where(SimilarityMatch.flagged.is_(True))) == 0


UTILS = (REFERENCE / "ticketclf" / "text.py").read_text() + "\n" + (REFERENCE / "ticketclf" / "data.py").read_text()


def test_code_from_the_starter_kit_is_not_evidence(db: Database, settings: Settings, tmp_path: Path) -> None:
    own = [solution("independent/nb_counts"), solution("independent/stdlib_bayes")]
    with_kit = tiny_assignment(tmp_path / "kit", settings, starter={"ticket_utils.py": UTILS})
    without_kit = tiny_assignment(tmp_path / "nokit", settings)
    results = {}
    for label, assignment in (("kit", with_kit), ("nokit", without_kit)):
        for n, files in enumerate(own):
            _, done = submit_and_check(db, settings, assignment, {**files, "ticket_utils.py": UTILS},
                                       f"Kit{label}{n} Y")
        results[label] = done
    assert results["kit"].flagged == 0 and results["kit"].starter > 50
    assert results["nokit"].flagged == 1 and results["nokit"].starter == 0


def test_fragments_many_candidates_share_are_discounted(db: Database, settings: Settings,
                                                        assignment: Assignment) -> None:
    names = sorted(p.name for p in (Path(__file__).parent / "corpus" / "independent").iterdir())
    for n, name in enumerate(names[:2]):
        submit_and_check(db, settings, assignment, {**solution(f"independent/{name}"), "utils.py": UTILS},
                         f"Early{n} Z")
    # Three candidates with the same module: the third is flagged (two others share it).
    _, few = submit_and_check(db, settings, assignment, {**solution(f"independent/{names[2]}"), "utils.py": UTILS},
                              "Third Z")
    assert few.common == 0 and few.flagged >= 1
    for n, name in enumerate(names[3:3 + COMMON_MIN]):
        submit_and_check(db, settings, assignment, {**solution(f"independent/{name}"), "utils.py": UTILS},
                         f"More{n} Z")
    _, many = submit_and_check(db, settings, assignment,
                               {**solution(f"independent/{names[3 + COMMON_MIN]}"), "utils.py": UTILS}, "Last Z")
    assert many.population >= COMMON_MIN and many.common > 50 and many.flagged == 0


def test_a_candidates_own_versions_are_not_compared_and_only_the_newest_is_indexed(
        db: Database, settings: Settings, assignment: Assignment) -> None:
    files = solution("independent/lr_package")
    with db.session(write=True) as session:
        first = submit(session, settings, assignment, files, candidate="Cleo Vance")
        run_check(session, settings, assignment, first)
        second = submit(session, settings, assignment, files, candidate="Cleo Vance", invitation=first.invitation)
        done = run_check(session, settings, assignment, second)
        assert done.matches == 0 and done.population == 0
        sets = {s.submission_id: s for s in session.scalars(select(CodeFingerprintSet))}
        assert not sets[first.id].indexed and sets[second.id].indexed
        indexed = session.scalar(select(func.count()).select_from(CodeFingerprint))
        assert indexed == sets[second.id].fingerprints
        # Regrading the older version does not push the newer one out of the index.
        run_check(session, settings, assignment, first)
        assert session.get(CodeFingerprintSet, second.id).indexed  # type: ignore[union-attr]
        assert not session.get(CodeFingerprintSet, first.id).indexed  # type: ignore[union-attr]


def test_a_copy_of_a_known_solution_is_flagged(db: Database, settings: Settings, tmp_path: Path) -> None:
    settings = settings.model_copy(update={"assignments_dir": tmp_path})
    assignment = tiny_assignment(tmp_path / "known", settings,
                                 known={"leaked": solution("independent/lr_class")})
    sid, done = submit_and_check(db, settings, assignment, solution("copies/partial_class"), "Dora Known")
    assert done.flagged == 1
    with db.session() as session:
        (match,) = similarity_of(session, sid).matches
        assert match.direction == "known" and match.other_label == "known solution known_solutions/leaked"
        page = match_page(session, settings, sid, match.id)
    this, other, prints = page.pairs[0]
    assert prints > 0 and this.file == "model.py" and other.file == "classifier.py"
    assert any(line.matched for line in other.lines) and "class TicketClassifier" in "".join(
        line.text for p in page.pairs for line in p[1].lines)


def test_an_unrelated_submission_against_a_known_solution_is_not_flagged(
        db: Database, settings: Settings, tmp_path: Path) -> None:
    assignment = tiny_assignment(tmp_path / "known2", settings, known={"leaked": solution("independent/lr_class")})
    _, done = submit_and_check(db, settings, assignment, solution("independent/lr_functions"), "Eve Honest")
    assert done.flagged == 0


def test_resolutions_are_audited_kept_when_checked_again_and_validated(
        db: Database, settings: Settings, assignment: Assignment) -> None:
    first, _ = submit_and_check(db, settings, assignment, solution("independent/svm_char"), "Fay First")
    second, _ = submit_and_check(db, settings, assignment, solution("copies/comments_svm"), "Gus Second")
    with db.session(write=True) as session:
        reviewer = make_reviewer(session, "judge@example.com")
        (match,) = similarity_of(session, second).matches
        with pytest.raises(HarnessError) as bad:
            resolve_match(session, second, match.id, actor=reviewer, resolution="innocent", note="", now=match.found_at)
        assert bad.value.status_code == 422 and "explained, copied, false_alarm" in bad.value.message
        with pytest.raises(NotFound):
            resolve_match(session, second + 100, match.id, actor=reviewer, resolution="copied", note="", now=match.found_at)
        resolve_match(session, first, match.id, actor=reviewer, resolution="copied",
                      note="Same calibration code, comments reworded.", now=match.found_at)
    with db.session(write=True) as session:
        sub = session.get(Submission, second)
        assert sub is not None
        run_check(session, settings, assignment, sub)
    with db.session() as session:
        (again,) = similarity_of(session, second).matches
        assert again.resolution == "copied" and again.resolved_by == "judge@example.com"
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "similarity.resolve")).one()
        assert event.object_id == match.id and event.detail["resolution"] == "copied"
        assert event.actor_label == "judge@example.com"


def test_the_other_candidate_is_named_once_their_review_is_no_longer_anonymous(
        db: Database, settings: Settings, assignment: Assignment) -> None:
    first, _ = submit_and_check(db, settings, assignment, solution("independent/ensemble_meta"), "Hana Original")
    second, _ = submit_and_check(db, settings, assignment, solution("copies/reordered_ensemble"), "Ivo Copy")
    with db.session() as session:
        (match,) = similarity_of(session, second).matches
        assert match.other_label.startswith("Candidate #") and "Hana" not in match.other_label
        assert match_page(session, settings, second, match.id).other_filename is None
    with db.session(write=True) as session:
        record_decision(session, first, make_reviewer(session, "lead@example.com"), "reject", "done")
    with db.session() as session:
        (match,) = similarity_of(session, second).matches
        assert match.other_label == "Hana Original"
        assert match_page(session, settings, second, match.id).other_filename == "hana-solution.zip"


def test_erasing_a_submission_removes_its_fingerprints_and_matches(
        db: Database, settings: Settings, assignment: Assignment) -> None:
    first, _ = submit_and_check(db, settings, assignment, solution("independent/sgd_hashing"), "Jon Source")
    second, _ = submit_and_check(db, settings, assignment, solution("copies/disguised_sgd"), "Kai Copier")
    with db.session(write=True) as session:
        erase_submission(session, first)
    with db.session() as session:
        assert session.get(CodeFingerprintSet, first) is None
        assert session.scalar(select(func.count()).select_from(CodeFingerprint)
                              .where(CodeFingerprint.submission_id == first)) == 0
        assert similarity_of(session, second).matches == []
        assert similarity_of(session, second).checked


def test_notebook_code_cells_are_compared_with_scripts(db: Database, settings: Settings,
                                                       assignment: Assignment) -> None:
    submit_and_check(db, settings, assignment, solution("independent/notebook_lr"), "Lea Notebook")
    second, done = submit_and_check(db, settings, assignment, solution("copies/notebook_script"), "Max Script")
    assert done.flagged == 1
    with db.session() as session:
        page = match_page(session, settings, second, similarity_of(session, second).matches[0].id)
    assert {pair[1].file for pair in page.pairs} == {"triage.ipynb"}
    assert any("TfidfVectorizer" in line.text for pair in page.pairs for line in pair[1].lines)


def test_unreadable_archives_and_reference_folders(db: Database, settings: Settings,
                                                   assignment: Assignment) -> None:
    """A submission without Python code is checked (nothing to index) and matches nothing."""
    sid, done = submit_and_check(db, settings, assignment, {"README.md": "no code here"}, "Ned Empty")
    assert done.fingerprints == 0 and done.matches == 0
    with db.session() as session:
        assert similarity_of(session, sid).checked and similarity_of(session, sid).fingerprints == 0
    assert files_of(REFERENCE)  # the reference exists for the known-solution tests
