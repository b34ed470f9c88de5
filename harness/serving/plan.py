"""What the load client is asked to do: the plan the harness writes for it, as JSON.

The tickets are held-out *features* (the predict stage reads the same ones), never labels: the
first ``sample`` rows of the features file, which is already shuffled with the assignment's seed,
so the sample is the same on every run and on every worker. The bad requests are built from the
first of those tickets; what a good answer to each is lives with the grader
(:data:`graders.serving.measures.BAD_REQUESTS`).
"""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

from graders.serving.measures import BAD_REQUESTS
from harness.assignments.spec import ServingSpec

__all__ = ["CONTROL_FILE", "HEALTH_TIMEOUT_S", "build_plan", "client_budget_s", "read_sample"]

CONTROL_FILE = "/control/server-exited"
"""Where, in the client container, the host signals that the server exited (a read-only mount)."""
HEALTH_TIMEOUT_S = 2.0
"""Longest wait for one health answer (readiness polls and the checks after each bad request)."""
_MAX_SAMPLE_BYTES = 4 * 1024 * 1024


def read_sample(features_csv: Path, count: int) -> list[dict[str, str]]:
    """The first ``count`` tickets of the held-out features file, every column as text."""
    tickets: list[dict[str, str]] = []
    size = 0
    with features_csv.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ticket = {str(k): v if isinstance(v, str) else "" for k, v in row.items() if k is not None}
            size += sum(len(v) for v in ticket.values())
            if len(tickets) >= count or size > _MAX_SAMPLE_BYTES:
                break
            tickets.append(ticket)
    return tickets


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _bad_requests(spec: ServingSpec, template: dict[str, str], id_column: str) -> list[dict[str, Any]]:
    """Each case of :data:`BAD_REQUESTS` as the bytes (or the recipe) the client sends."""
    text = spec.text_fields
    ticket_id = template.get(id_column, "T-000000")
    missing = {k: v for k, v in template.items() if k not in text}
    wrong = dict(template)
    for index, field in enumerate(text):
        wrong[field] = 12345 if index % 2 == 0 else ["not", "a", "string"]  # type: ignore[assignment]
    empty = {**template, **{field: "" for field in text}}
    non_utf8 = (
        b'{"' + id_column.encode() + b'": "' + ticket_id.encode() + b'", "'
        + text[0].encode() + b'": "caf\xe9 \xff\xfe bad bytes"}'
    )
    bodies: dict[str, dict[str, Any]] = {
        "malformed_json": {"body_b64": _b64(json.dumps(template).encode()[:-1])},
        "not_a_ticket": {"body_b64": _b64(b"42")},
        "missing_fields": {"body_b64": _b64(json.dumps(missing).encode())},
        "wrong_types": {"body_b64": _b64(json.dumps(wrong).encode())},
        "empty_text": {"body_b64": _b64(json.dumps(empty).encode())},
        "non_utf8": {"body_b64": _b64(non_utf8)},
        "long_text": {"json": template, "pad": {"field": text[-1], "chars": spec.long_text_chars}},
        "oversized": {"json": template, "pad": {"field": text[-1], "chars": spec.oversized_bytes}},
    }
    return [{"case": case.name, "content_type": "application/json", **bodies[case.name]}
            for case in BAD_REQUESTS]


def client_budget_s(wall_seconds: int) -> float:
    """Seconds the client may measure for: the stage's wall clock less the time its own
    container takes to start and stop, so the server's limit is never what ends the stage."""
    return max(2.0, wall_seconds - 8.0)


def build_plan(
    spec: ServingSpec,
    tickets: list[dict[str, str]],
    *,
    id_column: str,
    server_started_at: float,
    wall_seconds: int,
) -> dict[str, Any]:
    """The JSON plan of one serving stage (see :mod:`harness.serving.loadclient`)."""
    template = tickets[0] if tickets else {id_column: "T-000000", **{f: "" for f in spec.text_fields}}
    return {
        "port": spec.port,
        "health_path": spec.health_path,
        "predict_path": spec.predict_path,
        "id_column": id_column,
        "server_started_at": server_started_at,
        "ready_seconds": spec.ready_seconds,
        "request_timeout_s": spec.request_timeout_s,
        "health_timeout_s": min(HEALTH_TIMEOUT_S, spec.request_timeout_s),
        "budget_s": client_budget_s(wall_seconds),
        "max_response_bytes": spec.max_response_kb * 1024,
        "sample": tickets,
        "concurrency": spec.concurrency,
        "concurrent_requests": spec.concurrent_requests,
        "batch_size": spec.batch_size,
        "batches": spec.batches,
        "bad_requests": _bad_requests(spec, template, id_column),
        "control": CONTROL_FILE,
    }
