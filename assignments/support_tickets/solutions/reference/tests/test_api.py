"""The HTTP service, called through its ASGI interface (no network, no extra test client)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI

from ticketclf.api import MAX_BODY_BYTES, create_app
from ticketclf.model import ModelConfig, predict, train


def call(app: FastAPI, method: str, path: str, body: bytes = b"") -> tuple[int, Any]:
    """One request through the app's ASGI interface: (status, decoded JSON body)."""
    sent: list[dict[str, Any]] = []
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "query_string": b"",
             "http_version": "1.1", "scheme": "http", "server": ("test", 80), "client": ("test", 1),
             "root_path": ""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(payload)


@pytest.fixture(scope="module")
def fitted() -> tuple[FastAPI, Any]:
    from .factories import make_tickets

    model = train(make_tickets(), ModelConfig())
    return create_app(model), model


def ticket(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "T-1", "subject": "refund please", "body": "I want my money back",
                               "channel": "email", "customer_plan": "starter", "product_area": "",
                               "created_at": "2024-05-01T10:00:00Z"}
    return {**base, **changes}


def test_health_lists_the_labels(fitted: tuple[FastAPI, Any]) -> None:
    status, body = call(fitted[0], "GET", "/health")
    assert status == 200 and body["status"] == "ok" and "refund" in body["labels"]


def test_one_ticket_gets_the_models_label(fitted: tuple[FastAPI, Any]) -> None:
    app, model = fitted
    status, body = call(app, "POST", "/predict", json.dumps(ticket()).encode())
    expected = predict(model, pd.DataFrame([ticket()]))[0]
    assert status == 200 and body == {"id": "T-1", "label": expected}


def test_a_batch_is_answered_in_order(fitted: tuple[FastAPI, Any]) -> None:
    batch = [ticket(id="a"), ticket(id="b", subject="locked out", body="cannot log in")]
    status, body = call(fitted[0], "POST", "/predict", json.dumps(batch).encode())
    assert status == 200 and [p["id"] for p in body] == ["a", "b"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"subject": "x", ', 422),
        (b"42", 422),
        (json.dumps({"id": "T-1"}).encode(), 422),
        (json.dumps(ticket(subject=5, body=["a"])).encode(), 422),
        (json.dumps(ticket(subject=" ", body="")).encode(), 422),
        (b'{"subject": "caf\xe9", "body": "x"}', 400),
        (json.dumps([]).encode(), 422),
    ],
    ids=["malformed", "not-a-ticket", "missing", "wrong-types", "empty", "not-utf8", "empty-batch"],
)
def test_what_is_not_a_ticket_is_refused_with_a_reason(
    fitted: tuple[FastAPI, Any], body: bytes, status: int
) -> None:
    got, answer = call(fitted[0], "POST", "/predict", body)
    assert got == status and answer["detail"]


def test_a_body_over_the_cap_is_refused_before_it_is_read(fitted: tuple[FastAPI, Any]) -> None:
    big = json.dumps(ticket(body="x" * MAX_BODY_BYTES)).encode()
    status, answer = call(fitted[0], "POST", "/predict", big)
    assert status == 413 and "over" in answer["detail"]
