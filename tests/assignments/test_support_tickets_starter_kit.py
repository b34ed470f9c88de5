"""The starter kit: its files exist, the kit zip holds no held-out data, the examples work, and
TASK.md agrees with the spec and the grading environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from harness.assignments.loader import Assignment
from harness.submissions.contract import ProjectContract, detect_contract
from sandbox import __file__ as sandbox_init

from .conftest import ASSIGNMENT_DIR

KIT = ASSIGNMENT_DIR / "starter_kit"
KIT_FILES = ["README.md", "CHECKLIST.md", "submission.toml", "tests/test_example.py", "serve_example.py"]
LOCK = Path(sandbox_init).parent / "environment.lock"


@pytest.fixture(scope="module")
def kit_zip(assignment: Assignment, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    path = assignment.starter_kit_zip(tmp_path_factory.mktemp("kit") / "kit.zip")
    with zipfile.ZipFile(path) as zf:
        return {name.split("/", 1)[1]: zf.read(name) for name in zf.namelist()}


def test_kit_files_exist() -> None:
    for rel in KIT_FILES:
        assert (KIT / rel).is_file(), rel


def test_kit_zip_has_the_task_the_training_data_and_the_examples(kit_zip: dict[str, bytes]) -> None:
    assert sorted(kit_zip) == sorted(
        ["TASK.md", "RUBRIC.md", "ENVIRONMENT.txt", "data/train.csv", *KIT_FILES]
    )
    assert kit_zip["data/train.csv"] == (ASSIGNMENT_DIR / "public" / "train.csv").read_bytes()
    assert kit_zip["TASK.md"] == (ASSIGNMENT_DIR / "TASK.md").read_bytes()


def test_kit_holds_no_heldout_ticket(
    kit_zip: dict[str, bytes], frames: dict[str, pd.DataFrame]
) -> None:
    secret_ids = set(frames["heldout_features"]["id"]) | set(frames["shifted_features"]["id"])
    secret_bodies = set(frames["heldout_features"]["body"]) | set(
        frames["shifted_features"]["body"]
    )
    for name, data in kit_zip.items():
        text = data.decode("utf-8")
        assert not set(re.findall(r"T-\d{6}", text)) & secret_ids, name
        if name == "data/train.csv":
            # Near-duplicates never cross splits, so no held-out body appears in the training file.
            assert not set(frames["train"]["body"]) & secret_bodies
        else:
            assert not any(body in text for body in list(secret_bodies)[:200]), name


def test_example_submission_toml_is_a_valid_contract(tmp_path: Path) -> None:
    shutil.copy(KIT / "submission.toml", tmp_path / "submission.toml")
    contract = detect_contract(tmp_path)
    assert isinstance(contract, ProjectContract)
    assert "{model_dir}" in contract.train_command and "{predictions}" in contract.predict_command


def test_example_test_passes_with_the_training_data(tmp_path: Path) -> None:
    shutil.copytree(KIT / "tests", tmp_path / "tests")
    env = {**os.environ, "TRAIN_CSV": str(ASSIGNMENT_DIR / "public" / "train.csv")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "4 passed" in proc.stdout


def test_task_lists_every_package_of_the_grading_environment() -> None:
    task = " ".join((ASSIGNMENT_DIR / "TASK.md").read_text(encoding="utf-8").split())
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            package, version = line.strip().split("==")
            assert f"{package} {version}" in task, line


def test_task_agrees_with_the_spec(assignment: Assignment) -> None:
    task = (ASSIGNMENT_DIR / "TASK.md").read_text(encoding="utf-8")
    spec = assignment.spec
    for grader, weight in spec.core_rubric_weights().items():
        assert f"| `{grader}` | {weight:.0%} |" in task, grader
    core_total = sum(spec.rubric[g] for g in spec.core_rubric_weights())
    assert spec.optional_graders() == {"serving"}
    assert f"| `serving` | optional, +{spec.rubric['serving'] / core_total:.0%} |" in task
    assert f"every weight is divided by {(core_total + spec.rubric['serving']) / core_total:g}" in task
    assert f"**{spec.time_box_hours} hours**" in task
    assert f"**{spec.pay.hourly_rate} {spec.pay.currency} per hour**" in task
    for stage, label in (
        ("tests", "your tests"),
        ("train", "train command"),
        ("predict", "predict command"),
        ("serve", "server (`[serve]`: start-up and every measurement)"),
    ):
        limits = getattr(spec.limits, stage)
        row = f"| {label} | {limits.wall_seconds} s | {limits.memory_mb // 1024} GiB | {limits.cpus:g} |"
        assert row in task, row
    for label in spec.labels:
        assert f"| `{label}` |" in task, label
    assert "50 MiB" in task and "2,000 files" in task


def test_task_quotes_the_serving_settings(assignment: Assignment) -> None:
    task = " ".join((ASSIGNMENT_DIR / "TASK.md").read_text(encoding="utf-8").split())
    serving = assignment.spec.serving
    assert serving is not None and not serving.required
    assert f"`GET {serving.health_path}`" in task and f"`POST {serving.predict_path}`" in task
    assert f"(at most {serving.ready_seconds} s)" in task and f"each of {serving.sample} held-out" in task
    assert f"{serving.concurrency} at a time" in task and f"at most {serving.request_timeout_s:g} s" in task
    assert f"at most {serving.max_response_kb} KiB" in task and f"batches of {serving.batch_size}" in task
    assert f"{serving.long_text_chars:,} characters" in task


def test_the_kits_serve_example_is_a_valid_contract(tmp_path: Path) -> None:
    text = (KIT / "submission.toml").read_text(encoding="utf-8")
    assert detect_contract(_written(tmp_path / "as-shipped", text)).serve_command is None  # type: ignore[union-attr]
    enabled = text.replace("# [serve]", "[serve]").replace('# command = "python serve_example', 'command = "python serve_example')
    contract = detect_contract(_written(tmp_path / "enabled", enabled))
    assert isinstance(contract, ProjectContract) and contract.serve_command is not None
    assert "{port}" in contract.serve_command and "{model_dir}" in contract.serve_command


def _written(folder: Path, toml: str) -> Path:
    folder.mkdir()
    (folder / "submission.toml").write_text(toml, encoding="utf-8")
    return folder


def test_the_kits_example_server_answers_the_contract(tmp_path: Path) -> None:
    import importlib.util
    import json

    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from tests.serving.asgi import call_asgi

    train = pd.read_csv(ASSIGNMENT_DIR / "public" / "train.csv", dtype=str, keep_default_na=False).head(800)
    model = make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500))
    model.fit(train["subject"] + "\n" + train["body"], train["label"])
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = importlib.util.spec_from_file_location("serve_example", KIT / "serve_example.py")
    assert loaded is not None and loaded.loader is not None
    example = importlib.util.module_from_spec(loaded)
    sys.modules["serve_example"] = example  # pydantic resolves the module's annotations through it
    try:
        loaded.loader.exec_module(example)
    finally:
        del sys.modules["serve_example"]
    app = example.create_app(example.load_model(str(tmp_path)))

    ticket = train.drop(columns=["label"]).iloc[0].to_dict()
    expected = model.predict([ticket["subject"] + "\n" + ticket["body"]])[0]
    assert call_asgi(app, "GET", "/health")[0] == 200
    assert call_asgi(app, "POST", "/predict", json.dumps(ticket).encode()) == (
        200, {"id": ticket["id"], "label": expected})
    status, batch = call_asgi(app, "POST", "/predict", json.dumps([ticket, ticket]).encode())
    assert status == 200 and [b["label"] for b in batch] == [expected, expected]
    for bad, code in ((b"{", 422), (b"42", 422), (json.dumps({**ticket, "subject": "", "body": " "}).encode(), 422),
                      (b'{"subject": "caf\xe9", "body": "x"}', 400),
                      (json.dumps({**ticket, "body": "x" * 1_100_000}).encode(), 413)):
        status, answer = call_asgi(app, "POST", "/predict", bad)
        assert status == code and answer["detail"], bad[:40]
