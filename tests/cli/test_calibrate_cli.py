"""``harness calibrate`` as an operator runs it: arguments checked before grading, figures printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "calibration" / "corpus"
JUDGMENTS = REPO / "tests" / "calibration" / "judgments.toml"


def harness(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "calibrate", *args],
        cwd=REPO, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
        env={**os.environ, "HARNESS_DATA_DIR": str(data_dir)},
    )


def test_an_unknown_submission_is_refused_before_grading(tmp_path: Path) -> None:
    done = harness("--only", "no_such_submission", data_dir=tmp_path / "var")
    assert done.returncode == 2
    assert "not in the corpus: no_such_submission" in " ".join(done.stderr.split())


def test_judgments_that_do_not_match_the_corpus_are_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "tiny_script_glue", corpus / "tiny_script_glue")
    (corpus / "unjudged_one").mkdir()
    judgments = tmp_path / "judgments.toml"
    judgments.write_text(JUDGMENTS.read_text(encoding="utf-8"), encoding="utf-8")
    done = harness("--corpus", str(corpus), "--judgments", str(judgments), data_dir=tmp_path / "var")
    assert done.returncode == 2
    message = " ".join(done.stderr.split())  # rich wraps long lines at the terminal width
    assert "no judgment for unjudged_one" in message
    assert "without a corpus folder: below_baseline_nb" in message


@pytest.mark.docker
def test_calibrate_two_submissions_prints_the_figures_and_writes_json(sandbox_image: str, tmp_path: Path) -> None:
    out = tmp_path / "calibration.json"
    done = harness("--only", "tiny_script_glue,keras_lstm_unavailable", "--json", str(out),
                   data_dir=tmp_path / "var")
    assert done.returncode == 0, done.stderr
    assert "tiny_script_glue: overall" in done.stderr  # progress, one line per graded submission
    assert "Agreement with the expert (2 submissions)" in done.stdout
    assert "accuracy ↔ model" in done.stdout and "Largest disagreements" in done.stdout
    figures = json.loads(out.read_text())
    assert set(figures["submissions"]) == {"tiny_script_glue", "keras_lstm_unavailable"}
    overall = next(d for d in figures["dimensions"] if d["dimension"] == "overall")
    assert overall["n"] == 2 and overall["mae"] is not None
    methodology = next(d for d in figures["dimensions"] if d["dimension"] == "methodology")
    if not methodology["graded"]:  # until a methodology grader exists: shown, never a zero
        assert methodology["n"] == 0 and methodology["rho"] is None
        assert "not graded" in done.stdout
    assert figures["submissions"]["keras_lstm_unavailable"]["model"]["expert"] == 0
