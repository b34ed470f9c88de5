"""Factory functions for test fixtures: tiny assignments and submissions written to disk."""

from __future__ import annotations

import csv
import random
import textwrap
from pathlib import Path

__all__ = ["TINY_LABELS", "make_assignment", "make_submission", "model_submission", "serving_submission"]

TINY_LABELS = ["billing", "refund", "bug_report"]
_WORDS = {
    "billing": ["invoice", "charge", "card", "payment", "billed"],
    "refund": ["refund", "money", "back", "return", "reimburse"],
    "bug_report": ["crash", "error", "broken", "bug", "fails"],
}


def _rows(n: int, seed: int, prefix: str, labels: list[str]) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = labels[i % len(labels)]
        words = _WORDS.get(label, ["question", "issue", "ticket", "problem"])
        body = " ".join(rng.choice(words) for _ in range(6)) + " " + " ".join(
            rng.choice(["please", "help", "thanks", "today", "account"]) for _ in range(4))
        rows.append({"id": f"{prefix}{seed}{i:05d}", "subject": rng.choice(words), "body": body,
                     "channel": rng.choice(["email", "chat"]), "label": label})
    return rows


def _write(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def make_assignment(
    root: Path,
    *,
    labels: list[str] | None = None,
    heldout_labels: list[str] | None = None,
    n_train: int = 120,
    n_heldout: int = 60,
    n_shifted: int = 30,
    wall_seconds: int = 60,
    memory_mb: int = 512,
    rubric: str = 'accuracy = 0.4\ntests = 0.2\nquality = 0.2\nwriteup = 0.2',
    serving: str | None = None,
    serve_wall_seconds: int = 60,
    mutation: str = "wall_seconds = 45\nbudget_seconds = 20\nmutants = 12",
) -> Path:
    """A small but complete assignment folder (spec, task, data, labels apart). ``serving`` is the
    body of a ``[serving]`` table (``""`` for the defaults); None leaves the assignment without one.
    ``mutation`` is the body of ``[limits.mutation]``: a small sample and budget, so the suite
    stays fast."""
    labels = labels or TINY_LABELS
    columns = ["id", "subject", "body", "channel"]
    _write(root / "public/train.csv", _rows(n_train, 1, "T-", labels), [*columns, "label"])
    held = _rows(n_heldout, 2, "T-", heldout_labels or labels)
    shifted = _rows(n_shifted, 3, "T-", heldout_labels or labels)
    _write(root / "private/heldout_features.csv", held, columns)
    _write(root / "private/heldout_labels.csv", held, ["id", "label"])
    _write(root / "private/shifted_features.csv", shifted, columns)
    _write(root / "private/shifted_labels.csv", shifted, ["id", "label"])
    (root / "TASK.md").write_text("# Tiny task\nClassify tickets.\n")
    all_labels = sorted(set(labels) | set(heldout_labels or []))
    limits = "\n".join(
        f"[limits.{stage}]\nwall_seconds = {wall_seconds}\nmemory_mb = {memory_mb}\ncpus = 1.0\n"
        f"output_mb = 20\ntmpfs_mb = 64\nlog_kb = 16\n"
        for stage in ("tests", "train", "predict", "notebook")
    ) + (
        f"[limits.mutation]\nmemory_mb = {max(memory_mb, 512)}\ncpus = 1.0\noutput_mb = 20\n"
        f"tmpfs_mb = 64\nlog_kb = 16\n{mutation}\n"
    )
    if serving is not None:
        # The server's memory covers uvicorn and FastAPI (about 60 MB) with room to spare.
        limits += (f"[limits.serve]\nwall_seconds = {serve_wall_seconds}\nmemory_mb = 384\ncpus = 1.0\n"
                   "output_mb = 20\ntmpfs_mb = 64\nlog_kb = 16\n[serving]\n" + serving + "\n")
    (root / "assignment.toml").write_text(
        f'name = "tiny"\ntitle = "Tiny tickets"\nsummary = "A tiny test assignment."\n'
        f"labels = {all_labels!r}\ntime_box_hours = 4\nbootstrap_samples = 200\n"
        '[data]\ntrain = "public/train.csv"\nheldout_features = "private/heldout_features.csv"\n'
        'heldout_labels = "private/heldout_labels.csv"\nshifted_features = "private/shifted_features.csv"\n'
        'shifted_labels = "private/shifted_labels.csv"\n'
        f"{limits}"
        f"[rubric]\n{rubric}\n"
        '[pay]\nkind = "flat"\nflat_fee = "200.00"\ncurrency = "EUR"\n'
        "[baseline]\nheldout_accuracy = 0.6\nheldout_macro_f1 = 0.55\nshifted_accuracy = 0.5\nshifted_macro_f1 = 0.45\n"
    )
    return root


def make_submission(root: Path, files: dict[str, str]) -> Path:
    """A submission folder from ``{relative path: text}`` (text is dedented)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


CONTRACT = """
[train]
command = "python train.py {train} {model_dir}"
[predict]
command = "python predict.py {model_dir} {test} {predictions}"
"""

# A keyword model with only the standard library: fast to run, decent on the tiny data.
TRAIN_PY = """
import csv, json, sys, collections
train, model_dir = sys.argv[1], sys.argv[2]
counts = collections.defaultdict(collections.Counter)
with open(train, newline="") as fh:
    for row in csv.DictReader(fh):
        for word in (row["subject"] + " " + row["body"]).lower().split():
            counts[word][row["label"]] += 1
with open(f"{model_dir}/model.json", "w") as fh:
    json.dump({w: dict(c) for w, c in counts.items()}, fh)
"""

PREDICT_PY = """
import csv, json, sys, collections
model_dir, test, out = sys.argv[1], sys.argv[2], sys.argv[3]
model = json.load(open(f"{model_dir}/model.json"))
with open(test, newline="") as fh, open(out, "w", newline="") as oh:
    writer = csv.writer(oh)
    writer.writerow(["id", "label"])
    for row in csv.DictReader(fh):
        votes = collections.Counter()
        for word in (row["subject"] + " " + row["body"]).lower().split():
            votes.update(model.get(word, {}))
        writer.writerow([row["id"], votes.most_common(1)[0][0] if votes else "billing"])
"""


def model_submission(root: Path, *, extra: dict[str, str] | None = None, train_py: str = TRAIN_PY,
                     predict_py: str = PREDICT_PY) -> Path:
    """A working submission for the tiny assignment; ``extra`` adds or replaces files."""
    files = {"submission.toml": CONTRACT, "train.py": train_py, "predict.py": predict_py}
    files.update(extra or {})
    return make_submission(root, files)


SERVE_CONTRACT = CONTRACT + """
[serve]
command = "python serve.py {model_dir} {port}"
"""

# The keyword model behind the serving contract: FastAPI and uvicorn (both in the sandbox), one
# ticket or a batch, 422 for what is not a ticket, 413 past 1 MB.
SERVE_PY = """
import collections, json, sys

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, model_validator

model_dir, port = sys.argv[1], int(sys.argv[2])
model = json.load(open(f"{model_dir}/model.json"))
app = FastAPI()


class Ticket(BaseModel):
    id: str = ""
    subject: str
    body: str
    channel: str = ""

    @model_validator(mode="after")
    def _has_text(self):
        if not (self.subject.strip() or self.body.strip()):
            raise ValueError("subject and body are both empty")
        return self


def label(ticket):
    votes = collections.Counter()
    for word in (ticket.subject + " " + ticket.body).lower().split():
        votes.update(model.get(word, {}))
    return votes.most_common(1)[0][0] if votes else "billing"


@app.middleware("http")
async def limit_size(request: Request, call_next):
    if int(request.headers.get("content-length") or 0) > 1_000_000:
        return JSONResponse({"detail": "request body over 1 MB"}, status_code=413)
    return await call_next(request)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(payload: Ticket | list[Ticket]):
    if isinstance(payload, list):
        return [{"id": t.id, "label": label(t)} for t in payload]
    return {"id": payload.id, "label": label(payload)}


uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
"""


def serving_submission(root: Path, *, serve_py: str = SERVE_PY, extra: dict[str, str] | None = None) -> Path:
    """A working submission with a ``[serve]`` command; ``serve_py`` replaces the server."""
    files = {"submission.toml": SERVE_CONTRACT, "serve.py": serve_py, **(extra or {})}
    return model_submission(root, extra=files)
