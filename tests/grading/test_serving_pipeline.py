"""The serving stage through the one grading path, with real Docker, on a tiny assignment.

The tiny model is a keyword counter trained by the standard library; its server is FastAPI and
uvicorn, as the sandbox has them. Labels stay on the host: the report's served accuracy is
computed there from the labels the client brought back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graders.types import GraderStatus, StageName, Verdict
from harness.assignments.loader import load_assignment
from harness.grading.pipeline import grade_path
from harness.reports.schema import Report
from harness.settings import Settings
from tests.factories import SERVE_PY, make_assignment, model_submission, serving_submission

pytestmark = pytest.mark.docker

RUBRIC = "accuracy = 0.4\ntests = 0.2\nquality = 0.2\nwriteup = 0.2\nserving = 0.1"
SERVING = "sample = 40\nconcurrent_requests = 40\nbatches = 3\nbatch_size = 8"


@pytest.fixture(scope="module")
def optional(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_assignment(tmp_path_factory.mktemp("optional"), wall_seconds=30, memory_mb=512,
                           rubric=RUBRIC, serving=SERVING)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


def grade(source: Path, assignment_dir: Path, settings: Settings) -> Report:
    return grade_path(source, load_assignment(str(assignment_dir), settings), settings=settings)


def stage_of(report: Report, name: StageName) -> object | None:
    return next((s for s in report.stages if s.name == name), None)


def test_a_served_model_is_measured_and_scored(sandbox_image: str, optional: Path, settings: Settings,
                                               tmp_path: Path) -> None:
    report = grade(serving_submission(tmp_path / "sub"), optional, settings)
    serve = stage_of(report, StageName.serve)
    assert serve is not None and serve.verdict is Verdict.ok, serve.message  # type: ignore[attr-defined]
    grader = report.grader("serving")
    assert grader is not None and grader.status is GraderStatus.ok
    assert grader.score is not None and grader.score >= 70, grader.breakdown
    assert grader.metrics["agreement"] == 1.0 and grader.metrics["valid_answers"] == 40
    assert isinstance(grader.metrics["served_accuracy"], float)
    assert grader.metrics["bad_requests_handled"] == 8
    assert report.overall.weights["serving"] == pytest.approx(0.1 / 1.1, abs=1e-4)
    assert "serving" in report.overall.contributions and report.overall.not_applicable == {}
    stored = json.loads(report.model_dump_json())
    serve_json = next(s for s in stored["stages"] if s["name"] == "serve")
    assert serve_json["outputs"] == ["serving.json"] and "files" not in serve_json
    assert not any(settings.work_dir.iterdir())


def test_without_serve_the_optional_grader_is_not_applicable(sandbox_image: str, optional: Path,
                                                             settings: Settings, tmp_path: Path) -> None:
    report = grade(model_submission(tmp_path / "sub"), optional, settings)
    assert stage_of(report, StageName.serve) is None
    grader = report.grader("serving")
    assert grader is not None and grader.status is GraderStatus.skipped
    assert set(report.overall.not_applicable) == {"serving"} and report.overall.complete
    # The overall is exactly the weighted mean of the other four.
    weights = {"accuracy": 0.4, "tests": 0.2, "quality": 0.2, "writeup": 0.2}
    expected = sum(w * (report.grader(n).score or 0.0) for n, w in weights.items())  # type: ignore[union-attr]
    assert report.overall.score == pytest.approx(expected, abs=0.02)


def test_a_required_server_that_is_missing_fails(sandbox_image: str, settings: Settings, tmp_path: Path) -> None:
    required = make_assignment(tmp_path / "required", wall_seconds=30, memory_mb=512, rubric=RUBRIC,
                               serving=SERVING + "\nrequired = true")
    report = grade(model_submission(tmp_path / "sub"), required, settings)
    grader = report.grader("serving")
    assert grader is not None and grader.status is GraderStatus.failed and grader.score == 0.0
    assert report.overall.not_applicable == {} and "serving" in report.overall.contributions


def test_a_server_that_serves_another_model_disagrees(sandbox_image: str, optional: Path, settings: Settings,
                                                      tmp_path: Path) -> None:
    constant = SERVE_PY.replace('    return votes.most_common(1)[0][0] if votes else "billing"',
                                '    return "refund"')
    report = grade(serving_submission(tmp_path / "sub", serve_py=constant), optional, settings)
    grader = report.grader("serving")
    assert grader is not None and grader.status is GraderStatus.ok
    assert grader.metrics["agreement"] is not None and grader.metrics["agreement"] < 0.6  # type: ignore[operator]
    assert any(f.rule == "serving:disagrees" for f in grader.findings)
    served = next(c for c in grader.breakdown if c.criterion.startswith("Served labels agree"))
    assert served.points < 0.6 * served.max_points


def test_no_server_is_started_when_training_fails(sandbox_image: str, optional: Path, settings: Settings,
                                                  tmp_path: Path) -> None:
    sub = serving_submission(tmp_path / "sub", extra={"train.py": "raise SystemExit('no model today')\n"})
    report = grade(sub, optional, settings)
    serve = stage_of(report, StageName.serve)
    assert serve is not None and serve.verdict is Verdict.skipped  # type: ignore[attr-defined]
    assert "training did not succeed" in serve.message  # type: ignore[attr-defined]
    grader = report.grader("serving")
    assert grader is not None and grader.status is GraderStatus.failed and grader.score == 0.0


def test_an_assignment_without_a_serving_api_ignores_serve(sandbox_image: str, settings: Settings,
                                                           tmp_path: Path) -> None:
    plain = make_assignment(tmp_path / "plain", wall_seconds=30, memory_mb=512)
    report = grade(serving_submission(tmp_path / "sub"), plain, settings)
    serve = stage_of(report, StageName.serve)
    assert serve is not None and serve.verdict is Verdict.skipped  # type: ignore[attr-defined]
    assert serve.message == "not run: this assignment asks for no model server"  # type: ignore[attr-defined]
    grader = report.grader("serving")
    assert grader is not None and grader.status is GraderStatus.skipped
    assert "serving" not in report.overall.weights
