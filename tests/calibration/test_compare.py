"""Pairing reports with judgments: not-graded dimensions, thresholds, disagreements, output."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from graders.types import GraderResult, GraderStatus
from harness.calibration.compare import OVERALL, calibration_dict, compare, harness_scores
from harness.calibration.judgments import DIMENSIONS, CalibrationError, Judged, Judgment
from harness.cli.calibrate_cmd import print_calibration
from harness.reports.schema import Overall, Report, ReportStatus, SubmissionInfo

WEIGHTS = {"accuracy": 0.4, "tests": 0.2, "quality": 0.2, "writeup": 0.2}


def judgment(**scores: int) -> Judgment:
    return Judgment(**{d: Judged(score=scores.get(d, 50), why="because") for d in DIMENSIONS})


def report(name: str, overall: float | None, **graders: float | None) -> Report:
    return Report(
        status=ReportStatus.graded, assignment="support-tickets", assignment_version="1",
        submission=SubmissionInfo(filename=name, sha256="0" * 64),
        overall=Overall(score=overall, weights=WEIGHTS),
        graders=[GraderResult(name=g, version="1", status=GraderStatus.ok if s is not None else GraderStatus.skipped,
                              score=s, summary=f"{g} says [train] is {s}") for g, s in graders.items()],
    )


def test_a_grader_missing_from_the_report_is_not_graded_never_zero() -> None:
    seen = harness_scores(report("a", 70, accuracy=80, tests=60, quality=70, writeup=65))
    assert seen["methodology"].score is None and seen["methodology"].state == "not graded"
    assert seen["model"].score == 80 and seen[OVERALL].score == 70
    assert seen[OVERALL].summary == "accuracy 80, tests 60, quality 70, writeup 65"


def test_a_skipped_grader_is_left_out_and_counted_apart() -> None:
    judged = {"a": judgment(), "b": judgment()}
    reports = {"a": report("a", 70, accuracy=80, tests=None, quality=1, writeup=1),
               "b": report("b", 60, accuracy=70, tests=50, quality=1, writeup=1)}
    tests = compare(judged, reports).dimension("tests")
    assert (tests.n, tests.unscored, tests.not_graded) == (1, 1, 0)
    methodology = compare(judged, reports).dimension("methodology")
    assert (methodology.n, methodology.not_graded, methodology.graded) == (0, 2, False)
    assert methodology.rho is None and methodology.mae is None


def test_statistics_and_disagreements_per_dimension() -> None:
    judged = {"a": judgment(model=90, overall=90), "b": judgment(model=60, overall=50),
              "c": judgment(model=10, overall=5)}
    reports = {"a": report("a", 85, accuracy=95, tests=50, quality=50, writeup=50),
               "b": report("b", 80, accuracy=70, tests=50, quality=50, writeup=50),
               "c": report("c", 70, accuracy=40, tests=50, quality=50, writeup=50)}
    calibration = compare(judged, reports, top=3)
    model = calibration.dimension("model")
    assert model.rho == pytest.approx(1.0)
    assert model.mae == pytest.approx((5 + 10 + 30) / 3)
    assert model.bias == pytest.approx((5 + 10 + 30) / 3)
    overall = calibration.dimension(OVERALL)
    assert overall.mae == pytest.approx((5 + 30 + 65) / 3)
    assert [(d.submission, d.dimension) for d in calibration.disagreements] == [
        ("c", "overall"), ("b", "overall"), ("c", "model")]
    assert calibration.disagreements[0].difference == 65
    assert calibration.weighted_graders == ["accuracy", "quality", "tests", "writeup"]


def test_threshold_failures_name_what_is_missed() -> None:
    judged = {s: judgment(**dict.fromkeys(DIMENSIONS, o)) for s, o in (("a", 90), ("b", 50), ("c", 10))}
    good = {s: report(s, o, accuracy=o, tests=o, quality=o, writeup=o)
            for s, o in (("a", 88), ("b", 55), ("c", 12))}
    assert compare(judged, good).failures() == []
    high = {s: report(s, o, accuracy=o, tests=o, quality=100 - o, writeup=o)
            for s, o in (("a", 95), ("b", 80), ("c", 60))}
    failures = compare(judged, high).failures()
    assert "overall MAE 28.3 > 10" in failures
    assert any(f.startswith("quality rho -1.00") for f in failures)
    assert not any(f.startswith("overall rho") for f in failures)


def test_a_harness_error_report_is_not_a_measurement() -> None:
    broken = Report(status=ReportStatus.error, message="Docker is down", assignment="x", assignment_version="1",
                    submission=SubmissionInfo(filename="a", sha256=""))
    with pytest.raises(CalibrationError, match="Docker is down"):
        harness_scores(broken)


def test_a_rejected_submission_has_no_scores_and_says_why() -> None:
    rejected = Report(status=ReportStatus.rejected, message="no submission.toml", assignment="x",
                      assignment_version="1", submission=SubmissionInfo(filename="a", sha256=""))
    seen = harness_scores(rejected)
    assert all(s.score is None and s.state == "rejected" for s in seen.values())


def test_reports_without_a_judgment_are_refused() -> None:
    with pytest.raises(CalibrationError, match="zzz"):
        compare({"a": judgment()}, {"zzz": report("zzz", 1, accuracy=1)})


def test_printed_tables_escape_markup_and_show_not_graded(tmp_path: Path) -> None:
    judged = {"a": judgment(), "b": judgment(writeup=10)}
    reports = {"a": report("a", 70, accuracy=80, tests=60, quality=70, writeup=65),
               "b": report("b", 60, accuracy=70, tests=50, quality=60, writeup=90)}
    console = Console(record=True, width=200)
    calibration = compare(judged, reports)
    print_calibration(calibration, console, submissions=2)
    text = console.export_text()
    assert "methodology ↔ methodology" in text and "not graded" in text
    assert "writeup says [train] is 90" in text  # markup-like text printed verbatim
    assert "Thresholds (issue 9)" in text
    document = calibration_dict(calibration, judged)
    assert document["submissions"]["b"]["writeup"] == {  # type: ignore[index]
        "expert": 10, "harness": 90, "state": "scored", "summary": "writeup says [train] is 90"}


def test_an_optional_grader_that_applied_nowhere_is_not_counted_as_weighted() -> None:
    judgments = {"a": judgment(), "b": judgment()}
    reports = {name: report(name, 70, accuracy=80, tests=60, quality=70, writeup=65) for name in judgments}
    for r in reports.values():
        r.overall = Overall(score=70, weights={**WEIGHTS, "serving": 0.1},
                            not_applicable={"serving": "Not applicable: no [serve]"})
    assert compare(judgments, reports).weighted_graders == ["accuracy", "quality", "tests", "writeup"]
    reports["b"].overall = Overall(score=70, weights={**WEIGHTS, "serving": 0.1})  # b ships a server
    assert "serving" in compare(judgments, reports).weighted_graders
