"""The serving stage's one verdict, from the server's run, the client's run and the client's report.

By precedence: what the kernel or the sandbox did to the server (memory, log flood), a client
that could not report (the harness's trouble), a server that never became ready, a server that
exited while measured, answers past the response cap, answers too slow to measure, then ``ok``.
Each verdict comes with a message that says what happened in a reviewer's words and, where the
candidate can fix it, how.
"""

from __future__ import annotations

from dataclasses import dataclass

import sandbox
from graders.serving.measures import BAD_REQUESTS
from graders.types import Verdict
from harness.assignments.spec import ServingSpec
from harness.serving.report import ClientReport

__all__ = ["StageFacts", "judge"]


@dataclass(frozen=True)
class StageFacts:
    """What the serving stage knows once both containers are gone."""

    server: sandbox.RunResult
    client: sandbox.RunResult | None
    """None when the client never ran (the server exited before it could join)."""
    report: ClientReport | None
    report_problem: str = ""


def _server_gone(server: sandbox.RunResult) -> str:
    if server.exit_code == 0:
        return "exited with code 0 (a server must stay in the foreground, not daemonise)"
    return f"exited ({server.message})"


def _not_ready(spec: ServingSpec, facts: StageFacts, report: ClientReport | None) -> tuple[Verdict, str]:
    where = f"GET {spec.health_path} on port {spec.port} ({{port}})"
    if report is None or facts.server.stopped is False:
        return Verdict.failed, f"the server {_server_gone(facts.server)} before answering {where}"
    ready = report.ready
    if ready.server_exited:
        return Verdict.failed, f"the server {_server_gone(facts.server)} before answering {where}"
    others = [p for p in ready.listening if p != spec.port]
    if ready.last_status is not None:
        return Verdict.failed, (
            f"{where} answered {ready.last_status} for {spec.ready_seconds} s; it must answer 2xx "
            "once the model is loaded"
        )
    if others and spec.port not in ready.listening:
        shown = ", ".join(str(p) for p in others[:5])
        return Verdict.failed, (
            f"nothing listens on port {spec.port}; the server listens on {shown}: start it on the "
            "port the harness passes as {port}"
        )
    if ready.last_error == "timeout":
        return Verdict.timed_out, (
            f"{where} never answered within {spec.ready_seconds} s (connections were accepted, no "
            "answer came)"
        )
    return Verdict.failed, f"nothing answered {where} within {spec.ready_seconds} s"


def _measured(spec: ServingSpec, facts: StageFacts, report: ClientReport) -> tuple[Verdict, str]:
    server = facts.server
    answered = [r for r in report.single.requests if r.status is not None]
    if not server.stopped:
        total = len(answered) + sum(1 for r in report.concurrent.requests if r.status is not None)
        return Verdict.failed, (
            f"the server {_server_gone(server)} while being measured, after answering {total} "
            "request(s)"
        )
    errors = [r.error for r in report.single.requests] + [r.error for r in report.concurrent.requests]
    errors += [r.error for r in report.batch.requests] + [r.error for r in report.bad_requests]
    floods = errors.count("too_large")
    if floods:
        return Verdict.output_too_large, (
            f"{floods} answer(s) passed the {spec.max_response_kb} KiB response cap and were cut off"
        )
    timeouts = sum(1 for r in report.single.requests if r.error == "timeout")
    if report.single.requests and not answered and timeouts:
        return Verdict.timed_out, (
            f"the server answers too slowly: {timeouts} single-ticket request(s) took longer than "
            f"{spec.request_timeout_s:g} s ({report.single.stopped_early or 'none answered'})"
        )
    return Verdict.ok, _summary(report)


def _summary(report: ClientReport) -> str:
    ok = [r.ms for r in report.single.requests if r.status is not None and 200 <= r.status < 300]
    ok.sort()
    median = f", median {ok[len(ok) // 2]:.1f} ms" if ok else ""
    label_ok = {case.name for case in BAD_REQUESTS if case.accepts_label}
    handled = sum(1 for r in report.bad_requests if r.status is not None and (
        400 <= r.status < 500 or (r.case in label_ok and 200 <= r.status < 300)))
    ready = report.ready.after_s or 0.0
    return (
        f"ready in {ready:.1f} s; {len(ok)}/{len(report.single.requests)} single-ticket requests "
        f"answered 2xx{median}; {handled}/{len(report.bad_requests)} bad requests answered as asked"
    )


def judge(spec: ServingSpec, facts: StageFacts) -> tuple[Verdict, str]:
    """The stage's verdict and message."""
    server, client, report = facts.server, facts.client, facts.report
    if server.verdict is sandbox.Verdict.out_of_memory:
        if server.stopped:  # a process of it was killed; the server itself went on
            return Verdict.out_of_memory, f"the server ran out of memory: {server.message}"
        return Verdict.out_of_memory, f"the server was killed: {server.message}"
    if server.verdict is sandbox.Verdict.output_too_large:
        return Verdict.output_too_large, f"the server {server.message}"
    if server.verdict is sandbox.Verdict.timed_out:
        return Verdict.timed_out, f"the serving stage {server.message}"
    if client is not None and report is None:
        if client.verdict is sandbox.Verdict.timed_out:
            return Verdict.timed_out, f"the measurements did not finish: the load client was {client.message}"
        return Verdict.infra_error, (
            f"the harness's load client failed ({client.message}; {facts.report_problem}); the "
            "serving measurements are missing"
        )
    if report is None or not report.ready.ok:
        return _not_ready(spec, facts, report)
    return _measured(spec, facts, report)
