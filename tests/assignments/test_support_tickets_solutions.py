"""The shipped solutions run natively (the host .venv has the grading environment's numpy, pandas
and scikit-learn), score what the spec records, and are valid submissions."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assignments.support_tickets.measure import Measurement, measure
from harness.assignments.loader import Assignment
from harness.assignments.spec import BaselineScores
from harness.submissions.contract import NotebookContract, ProjectContract, detect_contract
from sandbox import __file__ as sandbox_init

from .conftest import ASSIGNMENT_DIR

SOLUTIONS = ASSIGNMENT_DIR / "solutions"
LOCK = Path(sandbox_init).parent / "environment.lock"
# Import names of the lock's packages that solutions may use.
IMPORTABLE = {"numpy", "pandas", "sklearn", "scipy", "joblib", "pytest", "fastapi", "pydantic", "uvicorn"}


@pytest.fixture(scope="session")
def measured() -> dict[str, Measurement]:
    return {name: measure(name) for name in ("baseline", "reference")}


def _recorded(assignment: Assignment, name: str) -> BaselineScores:
    scores = assignment.spec.baseline if name == "baseline" else assignment.spec.reference
    assert scores is not None
    return scores


@pytest.mark.parametrize("name", ["baseline", "reference"])
def test_measured_scores_equal_the_recorded_ones(
    name: str, assignment: Assignment, measured: dict[str, Measurement]
) -> None:
    recorded, got = _recorded(assignment, name), measured[name]
    for key in ("heldout_accuracy", "heldout_macro_f1", "shifted_accuracy", "shifted_macro_f1"):
        assert getattr(got, key) == pytest.approx(getattr(recorded, key), abs=1e-4), key
    assert got.per_class_f1 == pytest.approx(recorded.per_class_f1, abs=1e-4)


def test_baseline_lands_in_the_target_band(measured: dict[str, Measurement]) -> None:
    baseline = measured["baseline"]
    assert 0.75 <= baseline.heldout_accuracy <= 0.92
    assert baseline.shifted_accuracy < baseline.heldout_accuracy
    assert baseline.shifted_macro_f1 < baseline.heldout_macro_f1


def test_reference_clearly_beats_the_baseline_and_is_fast(measured: dict[str, Measurement]) -> None:
    baseline, reference = measured["baseline"], measured["reference"]
    assert reference.heldout_macro_f1 - baseline.heldout_macro_f1 >= 0.03
    assert reference.shifted_macro_f1 - baseline.shifted_macro_f1 >= 0.03
    assert reference.train_seconds < 60
    assert reference.predict_seconds < 15


def test_notebook_only_solution_runs_and_predicts_well(assignment: Assignment) -> None:
    result = measure("notebook_only")
    assert result.heldout_accuracy >= 0.75
    assert list(result.per_class_f1) == assignment.spec.labels


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("baseline", ProjectContract),
        ("reference", ProjectContract),
        ("notebook_only", NotebookContract),
    ],
)
def test_each_solution_is_a_valid_submission(name: str, kind: type) -> None:
    assert isinstance(detect_contract(SOLUTIONS / name), kind)


def test_reference_tests_pass_with_the_training_data(tmp_path: Path) -> None:
    work = tmp_path / "reference"
    shutil.copytree(
        SOLUTIONS / "reference", work, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache")
    )
    env = {
        **os.environ,
        "TRAIN_CSV": str(ASSIGNMENT_DIR / "public" / "train.csv"),
        "OMP_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    summary = proc.stdout.strip().splitlines()[-1]
    passed = int(summary.split(" passed")[0].split()[-1])
    assert 10 <= passed <= 40, summary
    assert "skipped" not in summary


def _import_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("name", ["baseline", "reference", "notebook_only"])
def test_solutions_import_only_the_grading_environment(name: str) -> None:
    root = SOLUTIONS / name
    local = {p.stem for p in root.iterdir()}
    allowed = set(sys.stdlib_module_names) | IMPORTABLE | local
    for path in sorted(root.rglob("*.py")):
        outside = _import_roots(path.read_text(encoding="utf-8")) - allowed
        assert not outside, f"{path.relative_to(root)} imports {sorted(outside)}"
    for path in sorted(root.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert not _import_roots(code) - allowed
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), (
            "store notebooks without outputs"
        )


def test_reference_requirements_are_pinned_to_the_environment_lock() -> None:
    lock = dict(
        line.split("==")
        for line in LOCK.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    pins = [
        line
        for line in (SOLUTIONS / "reference" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert len(pins) >= 5
    for pin in pins:
        package, version = pin.split("==")
        assert lock[package] == version, pin


def test_the_reference_ships_a_server_and_the_demo_uploads_it(tmp_path: Path) -> None:
    import zipfile

    from harness.demo import zip_folder

    contract = detect_contract(SOLUTIONS / "reference")
    assert isinstance(contract, ProjectContract) and contract.serve_command is not None
    assert "{port}" in contract.serve_command and "{model_dir}" in contract.serve_command
    archive = zip_folder(SOLUTIONS / "reference", tmp_path / "reference.zip")
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    assert {"serve.py", "ticketclf/api.py", "submission.toml"} <= names
    baseline = detect_contract(SOLUTIONS / "baseline")
    assert isinstance(baseline, ProjectContract) and baseline.serve_command is None
