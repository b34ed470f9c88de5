"""The classifier as an HTTP service: ``GET /health`` and ``POST /predict``.

``/predict`` takes one ticket (a JSON object with the CSV's columns) and answers
``{"id": ..., "label": ...}``, or a JSON array of tickets and answers an array in the same order.
Requests that are not tickets get a 4xx with a ``detail`` saying why: 422 for malformed JSON,
the wrong shape or types and empty text (FastAPI's validation), 400 for bytes that are not
UTF-8, 413 for a body over 1 MB. The model is loaded before the server listens, so ``/health`` answering means
``/predict`` can.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

import pandas as pd
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, model_validator
from sklearn.pipeline import Pipeline

from .model import load_model, predict

__all__ = ["MAX_BATCH", "MAX_BODY_BYTES", "Prediction", "Ticket", "create_app", "main"]

MAX_BODY_BYTES = 1_000_000
"""Larger requests are refused with 413 before they are read."""
MAX_BATCH = 1000
"""Most tickets in one batch request."""

log = logging.getLogger("ticketclf.api")


class Ticket(BaseModel):
    """One ticket, with the columns of the CSV files (``label`` is not needed, and is ignored)."""

    model_config = ConfigDict(extra="ignore")

    id: StrictStr = ""
    subject: StrictStr
    body: StrictStr
    channel: StrictStr = ""
    customer_plan: StrictStr = ""
    product_area: StrictStr = ""
    created_at: StrictStr = ""

    @model_validator(mode="after")
    def _has_text(self) -> Ticket:
        if not (self.subject.strip() or self.body.strip()):
            raise ValueError("a ticket needs a subject or a body")
        return self


class Prediction(BaseModel):
    """The queue predicted for one ticket."""

    id: str
    label: str


Batch = Annotated[list[Ticket], Field(min_length=1, max_length=MAX_BATCH)]


def predict_tickets(model: Pipeline, tickets: list[Ticket]) -> list[Prediction]:
    """Labels for ``tickets``, in order (one call to the model for the whole list)."""
    frame = pd.DataFrame([t.model_dump() for t in tickets])
    labels = predict(model, frame)
    return [Prediction(id=t.id, label=label) for t, label in zip(tickets, labels, strict=True)]


async def _limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return JSONResponse({"detail": f"request body over {MAX_BODY_BYTES} bytes"}, status_code=413)
    return await call_next(request)


def create_app(model: Pipeline) -> FastAPI:
    """The web app around a loaded model."""
    app = FastAPI(title="ticketclf", version="1.0.0")
    app.middleware("http")(_limit_body)
    labels = [str(c) for c in model.classes_]

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "labels": labels}

    @app.post("/predict")
    def predict_endpoint(payload: Ticket | Batch) -> Prediction | list[Prediction]:
        if isinstance(payload, list):
            return predict_tickets(model, payload)
        return predict_tickets(model, [payload])[0]

    return app


def main(argv: list[str] | None = None) -> int:
    """``serve.py --model-dir DIR --port N``: load the model, then serve it on 127.0.0.1."""
    parser = argparse.ArgumentParser(description="Serve the ticket classifier over HTTP.")
    parser.add_argument("--model-dir", required=True, help="folder train.py wrote")
    parser.add_argument("--port", type=int, required=True, help="port to listen on")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    app = create_app(load_model(args.model_dir))
    log.info("model loaded from %s; serving on %s:%d", args.model_dir, args.host, args.port)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
