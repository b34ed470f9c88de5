"""Overall score: rubric-weighted, honest about missing graders."""

from __future__ import annotations

from graders.types import GraderResult, GraderStatus
from harness.grading.overall import compute_overall


def result(name: str, score: float | None, status: GraderStatus = GraderStatus.ok) -> GraderResult:
    return GraderResult(name=name, version="1", status=status, score=score)


WEIGHTS = {"accuracy": 0.4, "tests": 0.2, "quality": 0.2, "writeup": 0.2}


def test_weighted_mean_and_contributions_add_up() -> None:
    results = [result("accuracy", 90), result("tests", 50), result("quality", 70), result("writeup", 30),
               result("notebooks", None, GraderStatus.skipped)]
    overall = compute_overall(results, WEIGHTS)
    assert overall.score == 66.0
    assert sum(overall.contributions.values()) == overall.score
    assert overall.complete and overall.missing == []


def test_failed_grader_counts_as_zero() -> None:
    results = [result("accuracy", 0.0, GraderStatus.failed), result("tests", 100), result("quality", 100),
               result("writeup", 100)]
    assert compute_overall(results, WEIGHTS).score == 60.0


def test_errored_grader_marks_incomplete() -> None:
    results = [result("accuracy", 80), result("tests", None, GraderStatus.error), result("quality", 80),
               result("writeup", 80)]
    overall = compute_overall(results, WEIGHTS)
    assert overall.score == 80.0 and not overall.complete and overall.missing == ["tests"]


def test_nothing_scored() -> None:
    overall = compute_overall([], WEIGHTS)
    assert overall.score is None and not overall.complete


def test_a_grader_that_does_not_apply_is_left_out_and_named() -> None:
    weights = {**WEIGHTS, "serving": 0.1}
    results = [result("accuracy", 90), result("tests", 50), result("quality", 70), result("writeup", 30),
               GraderResult(name="serving", version="1", status=GraderStatus.skipped, summary="Not applicable: no [serve]")]
    overall = compute_overall(results, weights)
    # The same total as a rubric without it: the others are renormalised.
    assert overall.score == compute_overall(results[:4], WEIGHTS).score == 66.0
    assert overall.complete and overall.missing == []
    assert overall.not_applicable == {"serving": "Not applicable: no [serve]"}
    assert "serving" not in overall.contributions


def test_a_grader_that_applies_counts_with_its_weight() -> None:
    """Near miss: a measured server (even a failing one) is part of the overall."""
    weights = {**WEIGHTS, "serving": 0.1}
    base = [result("accuracy", 90), result("tests", 50), result("quality", 70), result("writeup", 30)]
    failed = compute_overall([*base, result("serving", 0.0, GraderStatus.failed)], weights)
    assert failed.score == round(66.0 / 1.1, 2) and failed.not_applicable == {}
    errored = compute_overall([*base, result("serving", None, GraderStatus.error)], weights)
    assert errored.missing == ["serving"] and not errored.complete and errored.not_applicable == {}
