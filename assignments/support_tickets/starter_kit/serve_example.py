"""A small working model server for the optional ``[serve]`` contract (see TASK.md).

    python serve_example.py --model-dir model/ --port 8000

It loads ``model.joblib`` from the model folder: a scikit-learn pipeline that predicts from the
subject and body joined by a newline (as a TF-IDF + logistic regression baseline would). Adapt
``load_model`` and ``predict_labels`` to what your train command saves; keep the rest. FastAPI
answers 422 (with a ``detail``) for JSON that is not a ticket, 400 for bytes that are not UTF-8;
the middleware answers 413 for a body over 1 MB.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Annotated, Any

import joblib
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictStr, model_validator

MAX_BODY_BYTES = 1_000_000


class Ticket(BaseModel):
    """One ticket: the columns of the CSV files (``id``, ``subject``, ``body`` and metadata)."""

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


def load_model(model_dir: str) -> Any:
    """What your train command saved. Adapt to your model's files."""
    return joblib.load(Path(model_dir) / "model.joblib")


def predict_labels(model: Any, tickets: list[Ticket]) -> list[str]:
    """One label per ticket, in order. Adapt to your model's features."""
    texts = [f"{t.subject}\n{t.body}" for t in tickets]
    return [str(label) for label in model.predict(texts)]


def create_app(model: Any) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return JSONResponse({"detail": "request body over 1 MB"}, status_code=413)
        return await call_next(request)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/predict")
    def predict(payload: Ticket | Annotated[list[Ticket], Field(min_length=1)]) -> Any:
        tickets = payload if isinstance(payload, list) else [payload]
        labels = predict_labels(model, tickets)
        answers = [{"id": t.id, "label": label} for t, label in zip(tickets, labels, strict=True)]
        return answers if isinstance(payload, list) else answers[0]

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the ticket classifier.")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Load the model before listening: /health then means /predict can answer.
    app = create_app(load_model(args.model_dir))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
