"""``harness grade`` and ``harness assignment`` as operators run them: output, JSON, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.factories import make_assignment, make_submission, model_submission

pytestmark = pytest.mark.docker
REPO = Path(__file__).resolve().parents[2]


def harness(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        cwd=REPO, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        env={**os.environ, "HARNESS_DATA_DIR": str(data_dir), **(env or {})},
    )


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_assignment(tmp_path_factory.mktemp("tiny"))


def test_grade_zip_prints_progress_summary_and_writes_the_json(sandbox_image: str, tiny: Path, tmp_path: Path) -> None:
    sub = model_submission(tmp_path / "sub")
    archive = Path(shutil.make_archive(str(tmp_path / "submission"), "zip", sub))
    out = tmp_path / "reports" / "report.json"
    done = harness("grade", str(archive), "--assignment", str(tiny), "--json", str(out), data_dir=tmp_path / "var")
    assert done.returncode == 0, done.stderr
    assert "training: ok" in done.stderr and "prediction: ok" in done.stderr  # progress, stage by stage
    assert "Overall:" in done.stdout and "accuracy" in done.stdout
    report = json.loads(out.read_text())
    assert report["status"] == "graded" and 0 <= report["overall"]["score"] <= 100
    accuracy = next(g for g in report["graders"] if g["name"] == "accuracy")
    assert set(accuracy) >= {"name", "status", "score", "summary", "metrics", "findings"}
    assert 0 <= accuracy["metrics"]["accuracy"] <= 1 and 0 <= accuracy["metrics"]["macro_f1"] <= 1
    assert {s["name"] for s in report["stages"]} >= {"static", "tests", "train", "predict", "score"}
    assert all({"verdict", "duration_s", "log_tail"} <= set(s) for s in report["stages"])


def test_a_rejected_submission_still_exits_0_with_the_reason(sandbox_image: str, tiny: Path, tmp_path: Path) -> None:
    sub = make_submission(tmp_path / "sub", {"model.py": "x = 1\n"})
    out = tmp_path / "report.json"
    done = harness("grade", str(sub), "--assignment", str(tiny), "--json", str(out), data_dir=tmp_path / "var")
    assert done.returncode == 0
    assert "REJECTED" in done.stdout and "submission.toml" in done.stdout
    assert json.loads(out.read_text())["status"] == "rejected"


def test_a_malformed_archive_is_rejected_with_a_clear_message(tiny: Path, tmp_path: Path) -> None:
    bad = tmp_path / "evil.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../../etc/cron.d/evil", "* * * * * root boom")
    done = harness("grade", str(bad), "--assignment", str(tiny), data_dir=tmp_path / "var")
    assert done.returncode == 0
    assert "outside the archive" in done.stdout
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "/nonexistent/sub.zip", "--assignment", "support-tickets"], "does not exist"),
        (["grade", "{sub}", "--assignment", "no-such-assignment"], "No assignment 'no-such-assignment'"),
    ],
)
def test_usage_errors_exit_2_with_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    sub = model_submission(tmp_path / "sub")
    done = harness(*[a.replace("{sub}", str(sub)) for a in args], data_dir=tmp_path / "var")
    assert done.returncode == 2 and message in done.stderr


def test_docker_down_exits_3_and_blames_no_one(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = harness("grade", str(model_submission(tmp_path / "sub")), "--assignment", str(tiny), "--json", str(out),
                   data_dir=tmp_path / "var", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == 3
    report = json.loads(out.read_text())
    assert report["status"] == "error" and report["graders"] == []


def test_assignment_validate_says_what_is_wrong(tmp_path: Path) -> None:
    broken = make_assignment(tmp_path / "broken")
    # Leak labels into the held-out features: validation must refuse it.
    features = broken / "private" / "heldout_features.csv"
    labels = broken / "private" / "heldout_labels.csv"
    rows = [f.split(",") for f in features.read_text().splitlines()]
    label_rows = labels.read_text().splitlines()
    features.write_text("\n".join(",".join([*r, lab.split(",")[1]]) for r, lab in zip(rows, label_rows, strict=True)) + "\n")
    done = harness("assignment", "validate", str(broken), "--no-run", data_dir=tmp_path / "var")
    assert done.returncode == 1
    assert "must not carry labels" in done.stdout


def test_shipped_assignment_validates_statically(tmp_path: Path) -> None:
    done = harness("assignment", "validate", "support-tickets", "--no-run", data_dir=tmp_path / "var")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "support-tickets is valid" in done.stdout


def test_starter_kit_command(tmp_path: Path) -> None:
    kit = tmp_path / "kit.zip"
    done = harness("assignment", "kit", "support-tickets", "--out", str(kit), data_dir=tmp_path / "var")
    assert done.returncode == 0, done.stderr
    names = zipfile.ZipFile(kit).namelist()
    assert "support-tickets-starter-kit/data/train.csv" in names
    assert "support-tickets-starter-kit/RUBRIC.md" in names and "support-tickets-starter-kit/ENVIRONMENT.txt" in names
    assert not any("heldout" in n or "shifted" in n or "private" in n for n in names)


def test_the_summary_names_a_grader_that_does_not_apply_and_shows_applied_weights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    from harness.cli import grade_cmd
    from harness.reports.schema import Overall
    from tests.db.factories import make_report

    report = make_report(serving=True)
    report.overall = Overall(score=70.0, weights={"accuracy": 0.45, "tests": 0.45, "serving": 0.1},
                             not_applicable={"serving": "Not applicable: no [serve] in submission.toml."})
    console = Console(record=True, width=200)
    monkeypatch.setattr(grade_cmd, "out", console)
    grade_cmd.print_summary(report)
    text = console.export_text()
    assert "serving: Not applicable: no [serve] in submission.toml. It is left out of the overall" in text
    rows = {line.split("│")[1].strip(): line for line in text.splitlines() if line.count("│") > 4}
    assert "50%" in rows["accuracy"] and "n/a" in rows["serving"]
