"""Prediction canaries and the model-dependence run, end to end with real Docker on the tiny
assignment: the signals catch what they are for and leave honest models clean, and the scores
never change because of them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graders.types import StageName, Verdict
from harness.assignments.loader import load_assignment
from harness.evaluation.model_dependence import Dependence
from harness.grading.features import HeldoutFeatures
from harness.grading.pipeline import grade_path
from harness.reports.schema import Report, ReportStatus
from harness.settings import Settings
from tests.factories import PREDICT_PY, make_assignment, model_submission

pytestmark = pytest.mark.docker

INTEGRITY = '\n[integrity]\ncanaries = {count}\ncanary_text_columns = ["subject", "body"]\nmodel_dependence = {md}\n'


def _tiny(root: Path, *, canaries: int = 40, model_dependence: bool = True) -> Path:
    folder = make_assignment(root, wall_seconds=30, memory_mb=256)
    with (folder / "assignment.toml").open("a") as fh:
        fh.write(INTEGRITY.format(count=canaries, md="true" if model_dependence else "false"))
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny(tmp_path_factory.mktemp("tiny-integrity"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


def grade(source: Path, assignment_dir: Path, settings: Settings) -> Report:
    report = grade_path(source, load_assignment(str(assignment_dir), settings), settings=settings)
    assert report.status is ReportStatus.graded, report.message
    return report


# Predict commands that read the trained model (so they fail without it) but predict badly.
ID_DEPENDENT = PREDICT_PY.replace(
    'writer.writerow([row["id"], votes.most_common(1)[0][0] if votes else "billing"])',
    'labels = sorted({l for c in model.values() for l in c})\n'
    '        writer.writerow([row["id"], labels[sum(map(ord, row["id"])) % len(labels)]])')
RANDOM = PREDICT_PY.replace("import csv, json, sys, collections", "import csv, json, sys, collections, random").replace(
    'writer.writerow([row["id"], votes.most_common(1)[0][0] if votes else "billing"])',
    'writer.writerow([row["id"], random.choice(sorted({l for c in model.values() for l in c}))])')
CASE_SENSITIVE = PREDICT_PY.replace('(row["subject"] + " " + row["body"]).lower().split()',
                                    '(row["subject"] + " " + row["body"]).split()')
KEYWORD_RULES = """
import csv, sys
model_dir, test, out = sys.argv[1], sys.argv[2], sys.argv[3]
RULES = {"refund": "refund", "invoice": "billing", "charge": "billing", "crash": "bug_report"}
with open(test, newline="") as fh, open(out, "w", newline="") as oh:
    writer = csv.writer(oh)
    writer.writerow(["id", "label"])
    for row in csv.DictReader(fh):
        text = (row["subject"] + " " + row["body"]).lower()
        hit = next((label for word, label in RULES.items() if word in text), "billing")
        writer.writerow([row["id"], hit])
"""
SHIPPED_LOOKUP = """
import csv, json, sys
model_dir, test, out = sys.argv[1], sys.argv[2], sys.argv[3]
lookup = json.load(open("answers.json"))
with open(test, newline="") as fh, open(out, "w", newline="") as oh:
    writer = csv.writer(oh)
    writer.writerow(["id", "label"])
    for row in csv.DictReader(fh):
        writer.writerow([row["id"], lookup.get(row["id"], "billing")])
"""


def _flags(report: Report) -> list[str]:
    return report.overall.flags


def test_a_deterministic_model_is_clean_and_depends_on_its_model(
        sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    report = grade(model_submission(tmp_path / "sub"), tiny, settings)
    assert report.integrity is not None and report.integrity.canaries is not None
    canaries = report.integrity.canaries
    assert canaries.exact == 20 and canaries.changed == 20
    assert canaries.exact_disagree == 0 and canaries.changed_disagree == 0
    assert canaries.changed_agreement == 1.0
    dependence = report.integrity.model_dependence
    assert dependence is not None and dependence.result is Dependence.depends
    assert dependence.stage_verdict == "failed" and "did not finish" in dependence.evidence
    assert dependence.cost_s > 0
    nomodel = next(s for s in report.stages if s.name is StageName.predict_nomodel)
    assert nomodel.verdict is Verdict.failed
    assert not [f for f in _flags(report) if "duplicate" in f or "trained model" in f]


@pytest.mark.parametrize("predict_py", [ID_DEPENDENT, RANDOM], ids=["id-dependent", "random"])
def test_id_dependent_and_random_predictions_disagree_on_exact_duplicates(
        sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path, predict_py: str) -> None:
    report = grade(model_submission(tmp_path / "sub", predict_py=predict_py), tiny, settings)
    assert report.integrity is not None and report.integrity.canaries is not None
    canaries = report.integrity.canaries
    assert canaries.exact_disagree >= 5, canaries
    assert canaries.examples and canaries.examples[0].kind.value == "exact"
    assert any(f"{canaries.exact_disagree} of {canaries.exact} exact duplicate" in f for f in _flags(report))
    # Still a model that needs its trained file.
    assert report.integrity.model_dependence is not None
    assert report.integrity.model_dependence.result is Dependence.depends


def test_a_case_sensitive_model_shows_as_a_robustness_figure_not_a_flag(
        sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    report = grade(model_submission(tmp_path / "sub", predict_py=CASE_SENSITIVE), tiny, settings)
    assert report.integrity is not None and report.integrity.canaries is not None
    canaries = report.integrity.canaries
    assert canaries.exact_disagree == 0
    assert canaries.by_kind["case"][1] > 0 and canaries.by_kind["whitespace"][1] == 0
    assert canaries.changed_agreement is not None and canaries.changed_agreement < 1
    assert not any("duplicate" in f for f in _flags(report))


def test_keyword_rules_in_predict_do_not_depend_on_the_trained_model(
        sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    report = grade(model_submission(tmp_path / "sub", predict_py=KEYWORD_RULES), tiny, settings)
    assert report.integrity is not None and report.integrity.model_dependence is not None
    dependence = report.integrity.model_dependence
    assert dependence.result is Dependence.independent
    assert dependence.identical == dependence.compared > 90 and dependence.examples
    assert any(f.startswith("Predictions do not depend on the trained model") for f in _flags(report))
    assert report.integrity.canaries is not None and report.integrity.canaries.exact_disagree == 0


def test_a_predictor_reading_answers_it_shipped_is_caught_twice(
        sandbox_image: str, tiny: Path, settings: Settings, tmp_path: Path) -> None:
    with (tiny / "private" / "heldout_labels.csv").open(newline="") as fh:
        answers = {row["id"]: row["label"] for row in csv.DictReader(fh)}
    sub = model_submission(tmp_path / "sub", predict_py=SHIPPED_LOOKUP,
                           extra={"answers.json": json.dumps(answers)})
    report = grade(sub, tiny, settings)
    assert report.integrity is not None and report.integrity.model_dependence is not None
    assert report.integrity.model_dependence.result is Dependence.independent
    # The canaries' fresh ids are not in the shipped answers either.
    assert report.integrity.canaries is not None and report.integrity.canaries.exact_disagree > 0


def test_the_check_can_be_turned_off_per_assignment(
        sandbox_image: str, settings: Settings, tmp_path: Path) -> None:
    folder = _tiny(tmp_path / "off", model_dependence=False)
    report = grade(model_submission(tmp_path / "sub", predict_py=KEYWORD_RULES), folder, settings)
    nomodel = next(s for s in report.stages if s.name is StageName.predict_nomodel)
    assert nomodel.verdict is Verdict.skipped and "turned off" in nomodel.message
    assert report.integrity is not None and report.integrity.model_dependence is not None
    assert report.integrity.model_dependence.result is Dependence.not_checked


def test_canaries_do_not_change_any_score(sandbox_image: str, settings: Settings, tmp_path: Path) -> None:
    sub = model_submission(tmp_path / "sub")
    with_canaries = grade(sub, _tiny(tmp_path / "with", canaries=60), settings)
    without = grade(sub, _tiny(tmp_path / "without", canaries=0), settings)
    assert with_canaries.scores is not None and without.scores is not None
    assert with_canaries.scores.heldout == without.scores.heldout
    assert with_canaries.scores.shifted == without.scores.shifted
    assert with_canaries.overall.score == without.overall.score
    assert without.integrity is not None and without.integrity.canaries is None


def test_the_second_run_reads_the_same_rows_in_another_order(tiny: Path, settings: Settings,
                                                               tmp_path: Path) -> None:
    from harness.grading.features import reorder_rows

    stored, ids = HeldoutFeatures(settings.features_dir)(load_assignment(str(tiny), settings))
    reordered = tmp_path / "reordered.csv"
    reorder_rows(stored.path, reordered, seed="run-1")
    with stored.path.open(newline="") as a, reordered.open(newline="") as b:
        first, second = list(csv.reader(a)), list(csv.reader(b))
    assert first[0] == second[0] and sorted(first[1:]) == sorted(second[1:])
    assert [r[0] for r in second[1:]] != ids
