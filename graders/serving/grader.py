"""The ``serving`` grader: the candidate's model server, started in the sandbox and measured.

Points (100 in all; a criterion that cannot apply is left out of the denominator):

- ready (10): the health path answers 2xx within the assignment's limit;
- time to ready (5): full within ``ready_full_s`` (5 s), none at the limit, linear between;
- valid answers (10): share of the sample's single-ticket requests answered 2xx with a known label;
- agreement with the batch model (30): share of the sample whose served label equals the predict
  stage's prediction for the same ticket (left out when there are no valid batch predictions);
- batch requests (10): share of the tickets sent in batches answered with the label the server
  gives the same ticket alone (left out when the assignment sends no batches);
- latency one at a time (10): p95 of the sequential requests, full at ``single_p95_full_ms``
  (50 ms) or less, none at ``single_p95_zero_ms`` (1000 ms) or more, log-linear between;
- latency under load (5): p95 at the assignment's concurrency, full at 250 ms, none at 2500 ms
  (left out when the assignment sends no concurrent requests);
- bad requests (20): per case, a 4xx with a message and the server alive afterwards earns the
  case's share, a 4xx without a message half of it (a label is as good as a refusal where the
  case says so); anything else, nothing.

Requests planned but never sent (the server died, or answered too slowly) count as failures.
Served accuracy against the held-out labels, throughput and the server's peak memory are
reported as metrics, not scored: the accuracy grader already judges the model, the machine sets
throughput. "Not applicable" (skipped, left out of the overall) when the submission has no
``[serve]`` and the assignment makes it optional; ``failed`` when the assignment requires one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from graders.serving.measures import BAD_REQUESTS, BadRequestRow, ServingEvidence
from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    GradingContext,
    MetricValue,
    ScoreComponent,
    Severity,
    StageName,
    StageOutcome,
    Verdict,
    score_from_breakdown,
)

__all__ = ["ServingGrader", "bad_request_credit", "percentile"]

_DEFAULTS = {
    "ready_full_s": 5.0,
    "single_p95_full_ms": 50.0,
    "single_p95_zero_ms": 1000.0,
    "concurrent_p95_full_ms": 250.0,
    "concurrent_p95_zero_ms": 2500.0,
}
_CASES = {case.name: case for case in BAD_REQUESTS}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _log_share(value: float | None, full: float, zero: float) -> float:
    """1 at ``full`` or below, 0 at ``zero`` or above, linear in the logarithm between."""
    if value is None:
        return 0.0
    if value <= full:
        return 1.0
    if value >= zero:
        return 0.0
    return (math.log(zero) - math.log(value)) / (math.log(zero) - math.log(full))


def bad_request_credit(row: BadRequestRow) -> float:
    """What one bad request earns: 1, 0.5 for a 4xx without a message, or 0."""
    case = _CASES.get(row.case)
    if row.status is None or row.alive_after is not True or case is None:
        return 0.0
    if case.accepts_label and 200 <= row.status < 300:
        return 1.0
    if 400 <= row.status < 500:
        return 1.0 if row.message.strip() else 0.5
    return 0.0


def _share(part: int, whole: int) -> float:
    return min(1.0, part / whole) if whole > 0 else 0.0


class _Scorer:
    """The breakdown, metrics and findings of one measured server."""

    def __init__(self, evidence: ServingEvidence, options: dict[str, float]) -> None:
        self.ev = evidence
        self.opt = options
        self.breakdown: list[ScoreComponent] = []
        self.findings: list[Finding] = []

    def add(self, criterion: str, share: float, max_points: float, basis: str) -> None:
        self.breakdown.append(ScoreComponent(criterion=criterion, points=round(max_points * share, 2),
                                             max_points=max_points, basis=basis))

    def readiness(self) -> None:
        ev = self.ev
        self.add(f"Answers GET {ev.health_path} within {ev.ready_limit_s:g} s", float(ev.ready), 10,
                 "metrics.ready_s")
        full = self.opt["ready_full_s"]
        share = 0.0
        if ev.ready and ev.ready_s is not None:
            span = max(ev.ready_limit_s - full, 1e-9)
            share = 1.0 if ev.ready_s <= full else max(0.0, (ev.ready_limit_s - ev.ready_s) / span)
        self.add(f"Time to ready (full within {full:g} s)", share, 5, "metrics.ready_s")

    def correctness(self) -> None:
        ev = self.ev
        planned = ev.single.planned
        self.add("Single-ticket requests answered with a known label", _share(ev.valid_labels, planned),
                 10, "metrics.valid_answers")
        if ev.unknown_labels:
            self.findings.append(Finding(
                rule="serving:unknown-label", severity=Severity.warning,
                message=f"The server answered labels that are not in the label set: "
                        f"{', '.join(repr(x) for x in ev.unknown_labels)}."))
        if ev.has_predictions:
            self.add("Served labels agree with the batch predictions", _share(ev.agreeing, planned), 30,
                     "metrics.agreement")
            if ev.compared and ev.agreeing < ev.compared:
                self.findings.append(Finding(
                    rule="serving:disagrees", severity=Severity.warning,
                    message=f"{ev.compared - ev.agreeing} of {ev.compared} served labels differ from the "
                            "predict command's labels for the same tickets: the server does not "
                            "apply the same model or preprocessing."))
        if ev.batch.planned:
            self.add(f"Batch requests ({ev.batch_size} tickets each) agree with single answers",
                     _share(ev.batch_agreeing, ev.batch.planned * ev.batch_size), 10,
                     "metrics.batch_agreement")

    def latency(self) -> None:
        ev = self.ev
        p95 = percentile(ev.single.latencies_ms, 95)
        full, zero = self.opt["single_p95_full_ms"], self.opt["single_p95_zero_ms"]
        self.add(f"Latency one at a time, p95 (full at {full:g} ms)", _log_share(p95, full, zero), 10,
                 "metrics.single_p95_ms")
        if ev.concurrent.planned:
            p95c = percentile(ev.concurrent.latencies_ms, 95)
            full, zero = self.opt["concurrent_p95_full_ms"], self.opt["concurrent_p95_zero_ms"]
            self.add(f"Latency at {ev.concurrency} concurrent requests, p95 (full at {full:g} ms)",
                     _log_share(p95c, full, zero) * _share(ev.concurrent.answered, ev.concurrent.planned),
                     5, "metrics.concurrent_p95_ms")

    def bad_requests(self) -> None:
        rows = self.ev.bad_requests
        credit = sum(bad_request_credit(row) for row in rows)
        self.add("Bad requests answered 4xx with a message, server alive after",
                 credit / len(rows) if rows else 0.0, 20, "details.bad_requests")
        for row in rows:
            if bad_request_credit(row) < 1.0:
                self.findings.append(Finding(rule=f"serving:bad-request:{row.case}", severity=Severity.warning,
                                             message=_bad_request_message(row)))


def _bad_request_message(row: BadRequestRow) -> str:
    sent = f"Sent {row.description}"
    if row.status is None:
        got = f"no answer ({row.error or 'none'})"
    else:
        got = f"status {row.status}" + ("" if row.message.strip() else " with an empty body")
    alive = "" if row.alive_after is not False else "; the server stopped answering its health path afterwards"
    return f"{sent}: {got}, expected {row.expect} with a message{alive}."


def _metrics(ev: ServingEvidence, stage: StageOutcome) -> dict[str, MetricValue]:
    single, conc = ev.single.latencies_ms, ev.concurrent.latencies_ms
    throughput = ev.concurrent.answered / ev.concurrent.wall_s if ev.concurrent.wall_s > 0 else None
    metrics: dict[str, MetricValue] = {
        "ready_s": ev.ready_s,
        "valid_answers": ev.valid_labels,
        "agreement": round(ev.agreement, 4) if ev.agreement is not None else None,
        "served_accuracy": round(ev.served_accuracy, 4) if ev.served_accuracy is not None else None,
        "batch_agreement": round(ev.batch_agreeing / ev.batch_tickets, 4) if ev.batch_tickets else None,
        "throughput_rps": round(throughput, 1) if throughput is not None else None,
        "bad_requests_handled": sum(1 for r in ev.bad_requests if bad_request_credit(r) > 0),
        "alive_at_end": ev.alive_at_end,
        "peak_memory_mb": round(stage.peak_memory_bytes / (1024 * 1024), 1) if stage.peak_memory_bytes else None,
    }
    for name, values in (("single", single), ("concurrent", conc)):
        for q in (50, 95, 99):
            value = percentile(values, q)
            metrics[f"{name}_p{q}_ms"] = round(value, 2) if value is not None else None
    return metrics


def _details(ev: ServingEvidence) -> dict[str, Any]:
    return {
        "latencies_ms": {"single": ev.single.latencies_ms, "concurrent": ev.concurrent.latencies_ms},
        "phases": {name: getattr(ev, name).model_dump(exclude={"latencies_ms"})
                   for name in ("single", "concurrent", "batch")},
        "bad_requests": [row.model_dump() for row in ev.bad_requests],
        "concurrency": ev.concurrency,
        "request_timeout_s": ev.request_timeout_s,
        "listening": ev.listening,
        "port": ev.port,
    }


class ServingGrader:
    """Scores what the serving stage measured; see the module docstring for the points."""

    name = "serving"
    version = "1"

    def grade(self, ctx: GradingContext) -> GraderResult:
        stage = ctx.stage(StageName.serve)
        mode = ctx.assignment.serving
        if mode == "none" or stage is None:
            return self._without_server(mode)
        if stage.verdict is Verdict.skipped:
            return self._result(GraderStatus.failed, f"The server was {stage.message}.", score=0.0,
                                findings=[Finding(rule="serving:not-run", severity=Severity.error,
                                                  message=f"The serve stage was {stage.message}.")])
        if stage.verdict is Verdict.infra_error or ctx.serving is None or ctx.serving.client_problem:
            problem = ctx.serving.client_problem if ctx.serving is not None else ""
            return self._result(GraderStatus.error, f"The harness could not measure the server: "
                                f"{problem or stage.message}")
        return self._measured(ctx.serving, stage, ctx)

    def _without_server(self, mode: str) -> GraderResult:
        if mode == "required":
            message = "The assignment asks for a model server, but submission.toml has no [serve] command."
            return self._result(GraderStatus.failed, message, score=0.0,
                                findings=[Finding(rule="serving:missing", severity=Severity.error,
                                                  message=message, file="submission.toml")])
        if mode == "optional":
            return self._result(GraderStatus.skipped, "Not applicable: no [serve] in submission.toml "
                                "(a server is optional for this assignment).")
        return self._result(GraderStatus.skipped, "Not applicable: this assignment asks for no model server.")

    def _measured(self, ev: ServingEvidence, stage: StageOutcome, ctx: GradingContext) -> GraderResult:
        options = {**_DEFAULTS, **{k: float(v) for k, v in ctx.options(self.name).items() if k in _DEFAULTS}}
        scorer = _Scorer(ev, options)
        scorer.readiness()
        scorer.correctness()
        scorer.latency()
        scorer.bad_requests()
        ok = stage.verdict is Verdict.ok
        findings = scorer.findings
        if not ok:
            findings.insert(0, Finding(rule=f"serving:{stage.verdict.value}", severity=Severity.error,
                                       message=f"The server {stage.verdict.value.replace('_', ' ')}: "
                                               f"{stage.message}."))
        metrics = _metrics(ev, stage)
        summary = stage.message[:1].upper() + stage.message[1:] + "." if stage.message else ""
        return self._result(GraderStatus.ok if ok else GraderStatus.failed, summary,
                            score=score_from_breakdown(scorer.breakdown), findings=findings,
                            breakdown=scorer.breakdown, metrics=metrics, details=_details(ev))

    def _result(self, status: GraderStatus, summary: str, *, score: float | None = None,
                findings: list[Finding] | None = None, breakdown: list[ScoreComponent] | None = None,
                metrics: dict[str, MetricValue] | None = None,
                details: dict[str, Any] | None = None) -> GraderResult:
        return GraderResult(name=self.name, version=self.version, status=status, score=score,
                            summary=summary, findings=findings or [], breakdown=breakdown or [],
                            metrics=metrics or {}, details=details or {})
