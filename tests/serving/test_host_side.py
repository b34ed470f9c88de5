"""The host's side of the serving stage: the plan it writes, the report it reads back (bounded),
the verdict it gives and the evidence it scores with the held-out labels."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

import sandbox
from graders.serving.measures import BAD_REQUESTS
from graders.types import Verdict
from harness.assignments.spec import ServingSpec
from harness.serving.evidence import build_evidence
from harness.serving.plan import build_plan, read_sample
from harness.serving.report import MAX_REPORT_BYTES, ClientReport, read_client_report
from harness.serving.verdict import StageFacts, judge
from tests.serving.conftest import TICKETS, small_spec, write_features

SPEC = small_spec()


def run_result(verdict: sandbox.Verdict = sandbox.Verdict.ok, *, stopped: bool = True,
               exit_code: int | None = 137, message: str = "stopped by the harness while it still ran") -> sandbox.RunResult:
    return sandbox.RunResult(verdict=verdict, exit_code=exit_code, duration_s=3.0, peak_memory_bytes=50 << 20,
                             log="", log_truncated=False, message=message, stopped=stopped)


def request(ticket: str, label: str | None = "billing", status: int | None = 200, ms: float = 5.0,
            error: str = "") -> dict[str, Any]:
    return {"id": ticket, "label": label, "status": status, "ms": ms, "error": error}


def report(**overrides: Any) -> ClientReport:
    body: dict[str, Any] = {
        "version": 1,
        "ready": {"ok": True, "after_s": 1.5, "attempts": 3},
        "single": {"planned": 3, "wall_s": 0.1, "requests": [request("T-1"), request("T-2"), request("T-3", "refund")]},
        "concurrent": {"planned": 2, "wall_s": 0.05, "requests": [{"status": 200, "ms": 8.0}, {"status": 500, "ms": 9.0}]},
        "batch": {"planned": 1, "requests": [{"status": 200, "ms": 12.0, "ids": ["T-1", "T-3"],
                                              "labels": ["billing", "billing"]}]},
        "bad_requests": [{"case": c.name, "status": 422, "message": "bad", "alive_after": True} for c in BAD_REQUESTS],
        "alive_at_end": True,
    }
    body.update(overrides)
    return ClientReport.model_validate(body)


# --- the plan -----------------------------------------------------------------------------------

def test_the_plan_sends_the_first_features_rows_and_every_bad_request(tmp_path: Path) -> None:
    features = write_features(tmp_path / "f.csv")
    tickets = read_sample(features, 5)
    assert [t["id"] for t in tickets] == [t["id"] for t in TICKETS[:5]] and "label" not in tickets[0]
    plan = build_plan(SPEC, tickets, id_column="id", server_started_at=100.0, wall_seconds=40)
    assert plan["port"] == SPEC.port and plan["sample"] == tickets and plan["budget_s"] == 32.0
    cases = {c["case"]: c for c in plan["bad_requests"]}
    assert list(cases) == [c.name for c in BAD_REQUESTS]
    body = lambda name: base64.b64decode(cases[name]["body_b64"])  # noqa: E731
    with pytest.raises(ValueError):
        json.loads(body("malformed_json"))
    assert json.loads(body("not_a_ticket")) == 42
    assert "subject" not in json.loads(body("missing_fields")) and "body" not in json.loads(body("missing_fields"))
    assert json.loads(body("wrong_types"))["subject"] == 12345
    assert {json.loads(body("empty_text"))[f] for f in ("subject", "body")} == {""}
    with pytest.raises(UnicodeDecodeError):
        body("non_utf8").decode("utf-8")
    assert cases["oversized"]["pad"] == {"field": "body", "chars": SPEC.oversized_bytes}


# --- reading the report -------------------------------------------------------------------------

def test_a_report_that_fits_is_read(tmp_path: Path) -> None:
    path = tmp_path / "serving.json"
    path.write_text(report().model_dump_json())
    got, problem = read_client_report(path)
    assert got is not None and problem == "" and len(got.single.requests) == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"x" * (MAX_REPORT_BYTES + 1), "larger than 4 MiB"),
        (b"{not json", "does not fit its schema"),
        (json.dumps({"version": 1, "ready": {"ok": True}, "single": {"requests": [{"id": "x" * 301}]}}).encode(),
         "single.requests.0.id"),
        (json.dumps({"version": 1, "ready": {"ok": True, "after_s": -1}}).encode(), "ready.after_s"),
    ],
    ids=["too-large", "not-json", "overlong-string", "negative-time"],
)
def test_a_report_that_does_not_fit_is_refused_with_the_reason(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "serving.json"
    path.write_bytes(content)
    got, why = read_client_report(path)
    assert got is None and problem in why


def test_links_and_fifos_are_not_read(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text(report().model_dump_json())
    os.symlink(tmp_path / "real.json", tmp_path / "link.json")
    os.mkfifo(tmp_path / "fifo.json")
    assert "cannot be opened" in read_client_report(tmp_path / "link.json")[1]
    assert "not a regular file" in read_client_report(tmp_path / "fifo.json")[1]
    assert read_client_report(None) == (None, "the load client wrote no report")


# --- the verdict --------------------------------------------------------------------------------

def facts(server: sandbox.RunResult | None = None, got: ClientReport | None = None, **kw: Any) -> StageFacts:
    """Without a report and unless told otherwise, the client never ran (the server was gone)."""
    ran = run_result(stopped=False, exit_code=0, message="exit code 0")
    client = kw.pop("client", ran if got is not None else None)
    return StageFacts(server or run_result(), client, got, **kw)


def test_a_measured_server_is_ok_with_a_summary() -> None:
    verdict, message = judge(SPEC, facts(got=report()))
    assert verdict is Verdict.ok
    assert message == ("ready in 1.5 s; 3/3 single-ticket requests answered 2xx, median 5.0 ms; "
                       "8/8 bad requests answered as asked")


@pytest.mark.parametrize(
    ("server", "got", "verdict", "message"),
    [
        (run_result(sandbox.Verdict.out_of_memory, stopped=False, message="out of memory (limit 96 MiB)"),
         report(), Verdict.out_of_memory, "the server was killed: out of memory (limit 96 MiB)"),
        (run_result(sandbox.Verdict.out_of_memory, message="a process was killed for memory (limit 96 MiB)"),
         report(), Verdict.out_of_memory, "the server ran out of memory: a process was killed"),
        (run_result(sandbox.Verdict.output_too_large, stopped=False, message="printed more than 1 MiB"),
         report(), Verdict.output_too_large, "the server printed more than 1 MiB"),
        (run_result(sandbox.Verdict.failed, stopped=False, exit_code=1, message="exit code 1"),
         None, Verdict.failed, "the server exited (exit code 1) before answering GET /health"),
        (run_result(sandbox.Verdict.failed, stopped=False, exit_code=3, message="exit code 3"),
         report(), Verdict.failed, "the server exited (exit code 3) while being measured, after answering 5"),
        (None, report(ready={"ok": False, "last_status": 404}), Verdict.failed, "answered 404 for 8 s"),
        (None, report(ready={"ok": False, "last_error": "refused", "listening": [5000]}), Verdict.failed,
         "nothing listens on port 8765; the server listens on 5000"),
        (None, report(ready={"ok": False, "last_error": "timeout"}), Verdict.timed_out,
         "never answered within 8 s (connections were accepted"),
        (None, report(ready={"ok": False, "last_error": "refused"}), Verdict.failed, "nothing answered GET /health"),
        (None, report(single={"planned": 3, "requests": [request("T-1", None, None, 1000.0, "timeout")] * 3,
                              "stopped_early": "3 requests in a row timed out"}),
         Verdict.timed_out, "the server answers too slowly: 3 single-ticket request(s)"),
        (None, report(concurrent={"requests": [{"status": None, "error": "too_large"}]}), Verdict.output_too_large,
         "1 answer(s) passed the 64 KiB response cap"),
    ],
    ids=["oom-killed", "oom-process", "log-flood", "exit-before-ready", "exit-while-measured", "health-404",
         "other-port", "hangs", "nothing", "too-slow", "flood"],
)
def test_each_way_a_server_fails_has_its_verdict(server: sandbox.RunResult | None, got: ClientReport | None,
                                                 verdict: Verdict, message: str) -> None:
    got_verdict, got_message = judge(SPEC, facts(server, got))
    assert got_verdict is verdict and message in got_message, got_message


def test_near_misses_of_the_failures_stay_ok() -> None:
    # The server listens on its port too (an extra admin port is fine): not "another port".
    assert judge(SPEC, facts(got=report()))[0] is Verdict.ok
    # One slow request among answered ones is a latency finding, not a timed-out stage.
    slow_one = report(single={"planned": 3, "requests": [request("T-1"), request("T-2", None, None, 1000.0, "timeout")]})
    assert judge(SPEC, facts(got=slow_one))[0] is Verdict.ok
    ready = report(ready={"ok": False, "last_error": "refused", "listening": [8765, 9000]})
    assert "another" not in judge(SPEC, facts(got=ready))[1] and "listens on 9000" not in judge(SPEC, facts(got=ready))[1]


def test_a_client_without_a_report_is_the_harness_s_trouble() -> None:
    client = run_result(sandbox.Verdict.failed, stopped=False, exit_code=1, message="exit code 1")
    verdict, message = judge(SPEC, facts(client=client, report_problem="the load client wrote no report"))
    assert verdict is Verdict.infra_error and "the harness's load client failed" in message
    timed = run_result(sandbox.Verdict.timed_out, stopped=False, exit_code=137, message="killed after 37 s")
    assert judge(SPEC, facts(client=timed))[0] is Verdict.timed_out


# --- the evidence -------------------------------------------------------------------------------

def test_evidence_compares_served_labels_with_the_batch_model_and_the_labels() -> None:
    evidence = build_evidence(SPEC, report(), labels=["billing", "refund"],
                              truth={"T-1": "billing", "T-2": "refund", "T-3": "refund"},
                              predictions={"T-1": "billing", "T-2": "billing", "T-3": "billing"})
    assert (evidence.valid_labels, evidence.compared, evidence.agreeing) == (3, 3, 2)
    assert (evidence.scored, evidence.correct) == (3, 2)
    assert evidence.batch_tickets == 2 and evidence.batch_agreeing == 1  # T-3 alone said refund
    assert evidence.concurrent.statuses == {"2xx": 1, "5xx": 1} and evidence.concurrent.answered == 1
    assert evidence.ready and evidence.ready_s == 1.5 and evidence.has_predictions


def test_unknown_labels_ids_and_timeouts_count_for_nothing_but_are_kept() -> None:
    got = report(single={"planned": 3, "requests": [request("T-1", "Billing"), request("T-9"),
                                                    request("T-2", None, None, 1000.0, "timeout")]})
    evidence = build_evidence(SPEC, got, labels=["billing", "refund"], truth={"T-1": "billing"},
                              predictions={})
    assert evidence.unknown_labels == ["Billing"] and evidence.valid_labels == 1
    assert (evidence.compared, evidence.scored) == (0, 0) and not evidence.has_predictions
    assert evidence.single.latencies_ms == [5.0, 5.0, 1000.0]  # the timeout counts at the timeout
    assert evidence.single.errors == {"timeout": 1}


def test_a_batch_with_the_wrong_count_agrees_on_nothing() -> None:
    got = report(batch={"planned": 1, "requests": [{"status": 200, "ids": ["T-1", "T-2"], "labels": ["billing"],
                                                    "detail": "1 answers for 2 tickets"}]})
    evidence = build_evidence(SPEC, got, labels=["billing"], truth={}, predictions={"T-1": "billing", "T-2": "billing"})
    assert (evidence.batch_tickets, evidence.batch_agreeing) == (2, 0)
    assert evidence.batch.errors == {"bad_answer": 1}


def test_every_bad_request_case_gets_a_row_even_unsent() -> None:
    evidence = build_evidence(SPEC, report(bad_requests=[]), labels=["billing"], truth={}, predictions={})
    assert [r.case for r in evidence.bad_requests] == [c.name for c in BAD_REQUESTS]
    assert {r.error for r in evidence.bad_requests} == {"not_sent"}
    assert next(r for r in evidence.bad_requests if r.case == "long_text").expect == "2xx or 4xx"


def test_the_spec_refuses_unusable_serving_settings() -> None:
    with pytest.raises(ValueError, match="health_path"):
        ServingSpec(health_path="health")
    with pytest.raises(ValueError, match="port"):
        ServingSpec(port=80)
    with pytest.raises(ValueError, match="extra"):
        ServingSpec.model_validate({"health": "/h"})
    assert ServingSpec(health_path="/v1/health-check").health_path == "/v1/health-check"
