"""The ``serving`` grader: every criterion with a true positive and a near miss, and when it does
not apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graders.serving.grader import ServingGrader, bad_request_credit, percentile
from graders.serving.measures import BAD_REQUESTS, BadRequestRow, Phase, ServingEvidence
from graders.types import (
    AssignmentView,
    GraderResult,
    GraderStatus,
    GradingContext,
    StageName,
    StageOutcome,
    Verdict,
)

GRADER = ServingGrader()


def rows(status: int = 422, message: str = "bad", alive: bool | None = True) -> list[BadRequestRow]:
    return [BadRequestRow(case=c.name, description=c.description, expect=c.expect, status=status,
                          message=message, alive_after=alive) for c in BAD_REQUESTS]


def evidence(**overrides: Any) -> ServingEvidence:
    values: dict[str, Any] = {
        "port": 8765, "health_path": "/health", "predict_path": "/predict", "request_timeout_s": 5.0,
        "concurrency": 4, "ready": True, "ready_s": 2.0, "ready_limit_s": 60.0, "batch_size": 4,
        "single": Phase(planned=10, sent=10, answered=10, latencies_ms=[10.0] * 10),
        "concurrent": Phase(planned=8, sent=8, answered=8, latencies_ms=[40.0] * 8, wall_s=0.1),
        "batch": Phase(planned=2, sent=2, answered=2, latencies_ms=[30.0, 30.0]),
        "valid_labels": 10, "has_predictions": True, "compared": 10, "agreeing": 10, "scored": 10,
        "correct": 9, "batch_tickets": 8, "batch_agreeing": 8, "bad_requests": rows(), "alive_at_end": True,
    }
    values.update(overrides)
    return ServingEvidence(**values)


def stage(verdict: Verdict = Verdict.ok, message: str = "ready in 2.0 s") -> StageOutcome:
    return StageOutcome(name=StageName.serve, verdict=verdict, message=message, peak_memory_bytes=80 << 20)


def grade(tmp_path: Path, ev: ServingEvidence | None, outcome: StageOutcome | None = None,
          mode: str = "optional", options: dict[str, Any] | None = None) -> GraderResult:
    view = AssignmentView(name="t", title="T", labels=["billing", "refund"], serving=mode,  # type: ignore[arg-type]
                          grader_options={"serving": options or {}})
    stages = {StageName.serve: outcome} if outcome is not None else {}
    return GRADER.grade(GradingContext(workspace=tmp_path, assignment=view, stages=stages, serving=ev))


def points(result: GraderResult, start: str) -> float:
    return next(c.points for c in result.breakdown if c.criterion.startswith(start))


def test_a_server_that_does_everything_asked_scores_full_marks(tmp_path: Path) -> None:
    result = grade(tmp_path, evidence(), stage())
    assert result.status is GraderStatus.ok and result.score == 100.0
    assert sum(c.max_points for c in result.breakdown) == 100
    assert result.metrics["served_accuracy"] == 0.9 and result.metrics["agreement"] == 1.0
    assert result.metrics["throughput_rps"] == 80.0 and result.metrics["peak_memory_mb"] == 80.0
    assert result.details["latencies_ms"]["single"] == [10.0] * 10
    assert len(result.details["bad_requests"]) == len(BAD_REQUESTS) and result.findings == []


def test_without_serve_an_optional_server_is_not_applicable(tmp_path: Path) -> None:
    result = grade(tmp_path, None, None, mode="optional")
    assert result.status is GraderStatus.skipped and result.score is None
    assert "no [serve] in submission.toml" in result.summary
    none = grade(tmp_path, None, stage(Verdict.skipped, "not run: this assignment asks for no model server"), mode="none")
    assert none.status is GraderStatus.skipped


def test_without_serve_a_required_server_fails(tmp_path: Path) -> None:
    result = grade(tmp_path, None, None, mode="required")
    assert result.status is GraderStatus.failed and result.score == 0.0
    assert result.findings[0].rule == "serving:missing" and result.findings[0].file == "submission.toml"


def test_a_server_not_run_because_training_failed_scores_nothing(tmp_path: Path) -> None:
    result = grade(tmp_path, None, stage(Verdict.skipped, "not run: training did not succeed"))
    assert result.status is GraderStatus.failed and result.score == 0.0


def test_the_harness_failing_to_measure_is_an_error_not_a_zero(tmp_path: Path) -> None:
    result = grade(tmp_path, evidence(client_problem="the load client wrote no report"),
                   stage(Verdict.infra_error, "the harness's load client failed"))
    assert result.status is GraderStatus.error and result.score is None


def test_a_server_that_never_got_ready_fails_with_the_reason(tmp_path: Path) -> None:
    never = evidence(ready=False, ready_s=None, single=Phase(planned=10), concurrent=Phase(planned=8),
                     batch=Phase(planned=2), valid_labels=0, compared=0, agreeing=0, batch_tickets=0,
                     batch_agreeing=0, bad_requests=rows(alive=None))
    result = grade(tmp_path, never, stage(Verdict.failed, "nothing listens on port 8765; the server listens on 8000"))
    assert result.status is GraderStatus.failed and result.score == 0.0
    assert result.findings[0].rule == "serving:failed" and "listens on 8000" in result.findings[0].message


def test_time_to_ready_scales_past_the_full_marks(tmp_path: Path) -> None:
    assert points(grade(tmp_path, evidence(ready_s=5.0), stage()), "Time to ready") == 5.0
    assert points(grade(tmp_path, evidence(ready_s=32.5), stage()), "Time to ready") == 2.5
    assert points(grade(tmp_path, evidence(ready_s=60.0), stage()), "Time to ready") == 0.0


def test_agreement_counts_planned_tickets_never_answered(tmp_path: Path) -> None:
    half = evidence(single=Phase(planned=10, sent=5, answered=5, latencies_ms=[10.0] * 5), valid_labels=5,
                    compared=5, agreeing=5)
    result = grade(tmp_path, half, stage())
    assert points(result, "Served labels agree") == 15.0 and points(result, "Single-ticket") == 5.0


def test_disagreeing_labels_lose_points_and_say_so(tmp_path: Path) -> None:
    result = grade(tmp_path, evidence(agreeing=7), stage())
    assert points(result, "Served labels agree") == 21.0
    assert any(f.rule == "serving:disagrees" and "3 of 10" in f.message for f in result.findings)


def test_without_batch_predictions_agreement_is_left_out(tmp_path: Path) -> None:
    result = grade(tmp_path, evidence(has_predictions=False, compared=0, agreeing=0), stage())
    assert not any(c.criterion.startswith("Served labels agree") for c in result.breakdown)
    assert sum(c.max_points for c in result.breakdown) == 70 and result.score == 100.0


@pytest.mark.parametrize(("p95", "share"), [(50.0, 1.0), (1000.0, 0.0), (223.6, 0.5)])
def test_latency_earns_on_a_log_scale(tmp_path: Path, p95: float, share: float) -> None:
    result = grade(tmp_path, evidence(single=Phase(planned=10, sent=10, answered=10, latencies_ms=[p95] * 10)), stage())
    assert points(result, "Latency one at a time") == pytest.approx(10 * share, abs=0.02)


def test_latency_options_of_the_assignment_apply(tmp_path: Path) -> None:
    slowish = evidence(single=Phase(planned=10, sent=10, answered=10, latencies_ms=[200.0] * 10))
    assert points(grade(tmp_path, slowish, stage()), "Latency one at a time") < 10
    lenient = grade(tmp_path, slowish, stage(), options={"single_p95_full_ms": 250})
    assert points(lenient, "Latency one at a time") == 10.0


def test_concurrent_latency_counts_only_answered_requests(tmp_path: Path) -> None:
    failing = evidence(concurrent=Phase(planned=8, sent=8, answered=4, latencies_ms=[40.0] * 8, wall_s=0.1))
    assert points(grade(tmp_path, failing, stage()), "Latency at 4 concurrent") == 2.5


@pytest.mark.parametrize(
    ("case", "status", "message", "alive", "credit"),
    [
        ("empty_text", 422, "subject and body are empty", True, 1.0),
        ("empty_text", 422, "  ", True, 0.5),
        ("empty_text", 200, '{"label": "billing"}', True, 0.0),
        ("long_text", 200, '{"label": "billing"}', True, 1.0),
        ("long_text", 413, "too long", True, 1.0),
        ("oversized", 500, "Internal Server Error", True, 0.0),
        ("oversized", 413, "too large", False, 0.0),
        ("malformed_json", None, "", True, 0.0),
    ],
    ids=["4xx-message", "4xx-empty", "2xx-for-empty", "label-for-long", "4xx-for-long", "5xx", "died-after",
         "no-answer"],
)
def test_bad_request_credit(case: str, status: int | None, message: str, alive: bool, credit: float) -> None:
    row = BadRequestRow(case=case, description="", expect="", status=status, message=message, alive_after=alive)
    assert bad_request_credit(row) == credit


def test_bad_requests_that_were_not_handled_are_findings(tmp_path: Path) -> None:
    mixed = rows()
    mixed[0] = mixed[0].model_copy(update={"status": 500, "message": "Traceback"})
    result = grade(tmp_path, evidence(bad_requests=mixed), stage())
    assert points(result, "Bad requests") == 17.5
    finding = next(f for f in result.findings if f.rule == "serving:bad-request:malformed_json")
    assert "status 500" in finding.message and "expected 4xx" in finding.message


def test_percentile_interpolates() -> None:
    assert percentile([], 95) is None
    assert percentile([10.0], 99) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 95) == pytest.approx(4.8)
