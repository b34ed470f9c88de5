"""The serving stage's evidence for the grader, built on the host: the held-out labels stay here.

The load client's report says what the server answered; this module compares those answers with
the held-out labels (served accuracy) and with the predict stage's batch predictions (does the
server give the same answers as the batch model?), and turns each phase into counts and latencies.
Ids the server was never sent, or that are not held-out tickets, count for nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from graders.serving.measures import BAD_REQUESTS, BadRequestRow, Phase, ServingEvidence
from harness.assignments.spec import ServingSpec
from harness.serving.report import BatchRecord, ClientReport, RequestRecord

__all__ = ["build_evidence", "missing_evidence"]


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _phase(records: Iterable[RequestRecord | BatchRecord], planned: int, wall_s: float, stopped: str,
           timeout_ms: float, shape_ok: Iterable[bool]) -> Phase:
    phase = Phase(planned=planned, wall_s=wall_s, stopped_early=stopped)
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    for record, good in zip(records, shape_ok, strict=True):
        phase.sent += 1
        if record.status is not None:
            statuses[_status_class(record.status)] += 1
            latencies.append(record.ms)
            if 200 <= record.status < 300:
                if good:
                    phase.answered += 1
                else:
                    errors["bad_answer"] += 1
        else:
            errors[record.error or "no_answer"] += 1
            if record.error == "timeout":
                latencies.append(timeout_ms)
    phase.statuses, phase.errors, phase.latencies_ms = dict(statuses), dict(errors), latencies
    return phase


def _bad_rows(report: ClientReport) -> list[BadRequestRow]:
    by_case = {r.case: r for r in report.bad_requests}
    rows = []
    for case in BAD_REQUESTS:
        got = by_case.get(case.name)
        row = BadRequestRow(case=case.name, description=case.description, expect=case.expect)
        if got is None:
            row.error = "not_sent"
        else:
            row.status, row.error, row.message = got.status, got.error, got.message
            row.ms, row.alive_after = got.ms, got.alive_after
        rows.append(row)
    return rows


def _not_ready_because(report: ClientReport) -> str:
    ready = report.ready
    if ready.ok:
        return ""
    if ready.server_exited:
        return "the server exited"
    if ready.last_status is not None:
        return f"the health path answered {ready.last_status}"
    return {"refused": "nothing listened on the port", "timeout": "connections got no answer"}.get(
        ready.last_error, ready.last_error or "no answer")


def _base(spec: ServingSpec) -> ServingEvidence:
    return ServingEvidence(
        port=spec.port, health_path=spec.health_path, predict_path=spec.predict_path,
        request_timeout_s=spec.request_timeout_s, concurrency=spec.concurrency, ready=False,
        ready_limit_s=float(spec.ready_seconds), batch_size=spec.batch_size,
    )


def missing_evidence(spec: ServingSpec, problem: str) -> ServingEvidence:
    """Evidence of a stage whose client could not report: nothing measured, and why."""
    return _base(spec).model_copy(update={"client_problem": problem, "not_ready_because": problem})


def build_evidence(
    spec: ServingSpec,
    report: ClientReport,
    *,
    labels: list[str],
    truth: dict[str, str],
    predictions: dict[str, str],
) -> ServingEvidence:
    """Counts, latencies and correctness of one serving stage.

    ``truth`` holds the held-out labels (host only); ``predictions`` the predict stage's batch
    predictions (empty when it produced none).
    """
    known = set(labels)
    timeout_ms = spec.request_timeout_s * 1000
    single = report.single.requests
    evidence = _base(spec).model_copy(update={
        "ready": report.ready.ok,
        "ready_s": report.ready.after_s,
        "not_ready_because": _not_ready_because(report),
        "listening": list(report.ready.listening),
        "single": _phase(single, report.single.planned, report.single.wall_s, report.single.stopped_early, timeout_ms,
                         (r.label is not None for r in single)),
        "concurrent": _phase(report.concurrent.requests, report.concurrent.planned,
                             report.concurrent.wall_s,
                             report.concurrent.stopped_early, timeout_ms,
                             (True for _ in report.concurrent.requests)),
        "batch": _phase(report.batch.requests, report.batch.planned, report.batch.wall_s,
                        report.batch.stopped_early,
                        timeout_ms, (not r.detail and len(r.labels) == len(r.ids)
                                     for r in report.batch.requests)),
        "bad_requests": _bad_rows(report),
        "has_predictions": bool(predictions),
        "alive_at_end": report.alive_at_end,
        "server_exited": report.server_exited,
    })
    served: dict[str, str] = {}
    unknown: list[str] = []
    for record in single:
        if record.label is None or not record.id or record.status is None or record.status >= 300:
            continue
        if record.label in known:
            served.setdefault(record.id, record.label)
            evidence.valid_labels += 1
        elif record.label not in unknown:
            unknown.append(record.label)
    evidence.unknown_labels = unknown[:5]
    _correctness(evidence, served, truth, predictions)
    _batch_consistency(evidence, report.batch.requests, served, predictions)
    return evidence


def _correctness(evidence: ServingEvidence, served: dict[str, str], truth: dict[str, str],
                 predictions: dict[str, str]) -> None:
    for ticket, label in served.items():
        if ticket in predictions:
            evidence.compared += 1
            evidence.agreeing += predictions[ticket] == label
        if ticket in truth:
            evidence.scored += 1
            evidence.correct += truth[ticket] == label


def _batch_consistency(evidence: ServingEvidence, batches: list[BatchRecord], served: dict[str, str],
                       predictions: dict[str, str]) -> None:
    """Every ticket sent in a batch counts; it agrees only when its batch was answered 2xx with
    one label per ticket and its label is the one the server gave it alone (or the batch model)."""
    for batch in batches:
        usable = (batch.status is not None and 200 <= batch.status < 300
                  and len(batch.labels) == len(batch.ids))
        for index, ticket in enumerate(batch.ids):
            reference = served.get(ticket, predictions.get(ticket))
            if reference is None:
                continue
            evidence.batch_tickets += 1
            evidence.batch_agreeing += usable and batch.labels[index] == reference
