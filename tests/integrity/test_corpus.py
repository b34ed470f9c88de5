"""The issue's acceptance figures: every planted copy found, no independent pair flagged, at the
shipped default threshold, through the real check on a real database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from harness.assignments.loader import load_assignment
from harness.integrity.corpus import evaluate_corpus
from harness.settings import Settings

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "integrity" / "corpus"
CALIBRATION = REPO / "tests" / "calibration" / "corpus"


def test_every_planted_copy_is_found_and_no_independent_solution_is_flagged(tmp_path: Path) -> None:
    assignment = load_assignment("support-tickets", Settings(data_dir=tmp_path / "var"))
    result = evaluate_corpus(CORPUS, assignment, also_independent=(CALIBRATION,), work_dir=tmp_path)
    assert len(result.copies) == 8 and result.recall == 1.0, [(c.name, c.similarity) for c in result.copies]
    assert len(result.independent) >= 10 + 26
    tfidf_lr = [n for n in result.independent if n.startswith("independent/lr_")]
    assert len(tfidf_lr) >= 5  # several near-identical TF-IDF + logistic regression solutions
    assert result.false_flags == [], result.false_flags
    # Margins, not just verdicts: copies well above the threshold, independent work well below.
    assert min(c.similarity for c in result.copies) >= result.threshold + 0.1
    assert max((p.similarity for p in result.pairs), default=0.0) <= result.threshold - 0.15


def harness(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness.cli.main", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL,
                          env={**os.environ, "HARNESS_DATA_DIR": str(data_dir), "COLUMNS": "200"})


def test_the_command_prints_recall_and_false_flags(tmp_path: Path) -> None:
    done = harness("similarity", "evaluate", "--check", data_dir=tmp_path / "var")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Recall on planted copies: 8 of 8 (100%)" in done.stdout
    assert "Independent solutions: 14 (91 pairs" in done.stdout and "0 flagged" in done.stdout


def test_a_missed_copy_fails_the_check(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "independent", corpus / "independent")
    (corpus / "copies" / "not_a_copy").mkdir(parents=True)
    shutil.copy(CORPUS / "independent" / "stdlib_bayes" / "bayes.py", corpus / "copies" / "not_a_copy")
    (corpus / "copies" / "MANIFEST.toml").write_text(
        '[not_a_copy]\noriginal = "independent/lr_minimal"\ndisguises = ["none: unrelated code"]\n')
    done = harness("similarity", "evaluate", "--corpus", str(corpus), "--check", data_dir=tmp_path / "var")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "MISSED" in done.stdout and "Recall on planted copies: 0 of 1 (0%)" in done.stdout


def test_a_corpus_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    done = harness("similarity", "evaluate", "--corpus", str(tmp_path / "nope"), data_dir=tmp_path / "var")
    assert done.returncode == 2 and "not found" in done.stderr and "nope" in done.stderr


def test_versions_of_one_solution_count_once_as_independent_work(tmp_path: Path) -> None:
    from harness.integrity.corpus import _one_per_family

    for name in ("alpha", "suite_a", "suite_b", "zeta"):
        (tmp_path / name).mkdir()
    assert [p.name for p in _one_per_family(tmp_path)] == ["alpha", "suite_a", "suite_b", "zeta"]
    (tmp_path / "FAMILIES.toml").write_text('one = ["suite_b", "suite_a"]\n', encoding="utf-8")
    assert [p.name for p in _one_per_family(tmp_path)] == ["alpha", "suite_a", "zeta"]
