"""Measure a solution natively (outside the sandbox) and score it like the grader does.

Used to fill in the ``baseline`` and ``reference`` tables of ``assignment.toml`` and by the tests
that check those numbers. Run from the repository root::

    python -m assignments.support_tickets.measure baseline reference   # prints TOML tables
    python -m assignments.support_tickets.measure baseline --json

Each solution is copied to a scratch folder (as the sandbox copies the read-only submission to a
writable work folder), trained on ``public/train.csv`` and asked to predict the held-out and
shifted tickets concatenated into one file, as the harness does. A notebook-only solution is run as
the script of its code cells with the four environment variables set (the sandbox runs it with
nbclient; the code is the same). Threads are pinned to one, so the numbers are repeatable.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measurement", "measure", "score", "solution_dir"]

ASSIGNMENT_DIR = Path(__file__).resolve().parent
SPLITS = {
    "heldout": ("private/heldout_features.csv", "private/heldout_labels.csv"),
    "shifted": ("private/shifted_features.csv", "private/shifted_labels.csv"),
}
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Measurement:
    """Scores of one solution, rounded to four decimals as recorded in the spec."""

    heldout_accuracy: float
    heldout_macro_f1: float
    shifted_accuracy: float
    shifted_macro_f1: float
    per_class_f1: dict[str, float]
    """Held-out F1 per label."""
    train_seconds: float
    predict_seconds: float


def solution_dir(name: str) -> Path:
    """The folder of a solution shipped with the assignment (``baseline``, ``reference``, ...)."""
    path = ASSIGNMENT_DIR / "solutions" / name
    if not path.is_dir():
        raise FileNotFoundError(f"no solution folder {path}")
    return path


def _labels() -> list[str]:
    with (ASSIGNMENT_DIR / "assignment.toml").open("rb") as fh:
        return list(tomllib.load(fh)["labels"])


def _read_labels(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row["label"] for row in csv.DictReader(fh)}


def _concat_features(out: Path) -> None:
    """Held-out and shifted features in one CSV, as the predict stage receives them."""
    with out.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst, lineterminator="\n")
        for n, (features, _) in enumerate(SPLITS.values()):
            with (ASSIGNMENT_DIR / features).open(encoding="utf-8", newline="") as src:
                reader = csv.reader(src)
                header = next(reader)
                if n == 0:
                    writer.writerow(header)
                writer.writerows(reader)


def _env(paths: dict[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONHASHSEED"] = "0"
    for var in _THREAD_VARS:
        env[var] = "1"
    env.update(
        {
            "TRAIN_CSV": str(paths["train"]),
            "TEST_CSV": str(paths["test"]),
            "MODEL_DIR": str(paths["model_dir"]),
            "PREDICTIONS_CSV": str(paths["predictions"]),
        }
    )
    return env


def _run(command: str, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        shlex.split(command),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"`{command}` failed with exit code {proc.returncode}:\n{proc.stderr[-3000:]}"
        )
    return time.perf_counter() - started


def _notebook_script(notebook: Path, out: Path) -> None:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
        if c["cell_type"] == "code"
    ]
    out.write_text("\n\n".join(code) + "\n", encoding="utf-8")


def _run_solution(src: Path, scratch: Path) -> tuple[dict[str, str], float, float]:
    work = scratch / "work"
    shutil.copytree(src, work, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    paths = {
        "train": ASSIGNMENT_DIR / "public/train.csv",
        "test": scratch / "test_features.csv",
        "model_dir": scratch / "model",
        "predictions": scratch / "out" / "predictions.csv",
    }
    paths["model_dir"].mkdir()
    paths["predictions"].parent.mkdir()
    _concat_features(paths["test"])
    env = _env(paths)
    spec_file = work / "submission.toml"
    if spec_file.is_file():
        with spec_file.open("rb") as fh:
            spec = tomllib.load(fh)
        fill = {k: shlex.quote(str(v)) for k, v in paths.items()}
        train_s = _run(spec["train"]["command"].format(**fill), work, env)
        predict_s = _run(spec["predict"]["command"].format(**fill), work, env)
    else:
        notebooks = sorted(work.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise RuntimeError(
                f"{src}: no submission.toml and {len(notebooks)} notebooks at the root"
            )
        script = scratch / "notebook_as_script.py"
        _notebook_script(notebooks[0], script)
        train_s = _run(f"python {shlex.quote(str(script))}", work, env)
        predict_s = 0.0
    return _read_labels(paths["predictions"]), train_s, predict_s


def score(
    predicted: dict[str, str], labels: list[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Accuracy and macro-F1 per split, and held-out F1 per class (scikit-learn's definitions),
    rounded to four decimals."""
    from sklearn.metrics import accuracy_score, f1_score

    metrics: dict[str, float] = {}
    per_class: dict[str, float] = {}
    for split, (_, label_file) in SPLITS.items():
        truth = _read_labels(ASSIGNMENT_DIR / label_file)
        missing = [i for i in truth if i not in predicted]
        if missing:
            raise ValueError(f"{len(missing)} {split} ids have no prediction, first: {missing[0]}")
        y_true = list(truth.values())
        y_pred = [predicted[i] for i in truth]
        metrics[f"{split}_accuracy"] = round(float(accuracy_score(y_true, y_pred)), 4)
        metrics[f"{split}_macro_f1"] = round(
            float(f1_score(y_true, y_pred, labels=labels, average="macro")), 4
        )
        if split == "heldout":
            values = f1_score(y_true, y_pred, labels=labels, average=None)
            per_class = {c: round(float(v), 4) for c, v in zip(labels, values, strict=True)}
    return metrics, per_class


def measure(name_or_path: str) -> Measurement:
    """Train and predict with a solution natively and score its predictions."""
    src = Path(name_or_path) if os.sep in name_or_path else solution_dir(name_or_path)
    with tempfile.TemporaryDirectory(prefix="measure-") as tmp:
        predicted, train_s, predict_s = _run_solution(src, Path(tmp))
    metrics, per_class = score(predicted, _labels())
    return Measurement(
        **metrics,
        per_class_f1=per_class,
        train_seconds=round(train_s, 2),
        predict_seconds=round(predict_s, 2),
    )


def _toml_table(table: str, m: Measurement) -> str:
    lines = [f"[{table}]"]
    for key in ("heldout_accuracy", "heldout_macro_f1", "shifted_accuracy", "shifted_macro_f1"):
        lines.append(f"{key} = {getattr(m, key)}")
    lines.append(f"\n[{table}.per_class_f1]")
    lines += [f"{label} = {value}" for label, value in m.per_class_f1.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure the named solutions and print TOML tables (or JSON)."""
    parser = argparse.ArgumentParser(description="Measure assignment solutions natively.")
    parser.add_argument("solutions", nargs="+", help="solution names under solutions/ or folders")
    parser.add_argument("--json", action="store_true", help="print JSON instead of TOML")
    args = parser.parse_args(argv)
    results = {name: measure(name) for name in args.solutions}
    if args.json:
        print(json.dumps({k: v.__dict__ for k, v in results.items()}, indent=2))
    else:
        for name, m in results.items():
            print(_toml_table(name, m))
            print(f"# train {m.train_seconds}s, predict {m.predict_seconds}s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
