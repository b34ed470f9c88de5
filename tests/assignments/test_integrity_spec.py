"""The ``[integrity]`` table: defaults, the AI policy stated where candidates read it, checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from harness.assignments.loader import load_assignment
from harness.assignments.spec import AiPolicy, StageLimits, StagesLimits
from harness.assignments.validate import validate_assignment
from harness.errors import AssignmentError
from harness.settings import Settings
from tests.factories import make_assignment


def test_the_shipped_assignment_states_its_policy_everywhere(tmp_path: Path) -> None:
    assignment = load_assignment("support-tickets", Settings(data_dir=tmp_path / "var"))
    integrity = assignment.spec.integrity
    assert integrity.ai_policy is AiPolicy.allowed_with_disclosure and integrity.model_dependence
    assert integrity.canaries == 60 and integrity.canary_text_columns == ["subject", "body"]
    statement = " ".join(integrity.ai_policy.statement.split())
    assert statement in " ".join(assignment.task_markdown().split())
    kit = assignment.starter_kit_zip(tmp_path / "kit.zip")
    with zipfile.ZipFile(kit) as zf:
        rubric = zf.read("support-tickets-starter-kit/RUBRIC.md").decode()
        task = zf.read("support-tickets-starter-kit/TASK.md").decode()
    assert "## AI assistance" in rubric and integrity.ai_policy.statement in rubric
    assert statement in " ".join(task.split())
    assert assignment.view().ai_policy == "allowed_with_disclosure"


def test_the_model_dependence_run_takes_the_predict_limits_unless_given_its_own() -> None:
    limits = StagesLimits.model_validate({"predict": {"wall_seconds": 77, "memory_mb": 512}})
    assert limits.predict_nomodel == limits.predict == StageLimits(wall_seconds=77, memory_mb=512)
    own = StagesLimits.model_validate({"predict": {"wall_seconds": 77, "memory_mb": 512},
                                       "predict_nomodel": {"wall_seconds": 30, "memory_mb": 256}})
    assert own.predict_nomodel.wall_seconds == 30


def _tiny(tmp_path: Path, integrity: str, task: str | None = None) -> Path:
    folder = make_assignment(tmp_path / "tiny")
    with (folder / "assignment.toml").open("a") as fh:
        fh.write("\n[integrity]\n" + integrity)
    if task is not None:
        (folder / "TASK.md").write_text(task)
    return folder


def test_validation_wants_the_policy_in_the_task_text(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    missing = load_assignment(str(_tiny(tmp_path / "a", 'ai_policy = "forbidden"\n')), settings)
    problems = validate_assignment(missing).problems
    assert any("does not state the AI policy 'forbidden'" in p and AiPolicy.forbidden.statement in p for p in problems)
    stated = _tiny(tmp_path / "b", 'ai_policy = "forbidden"\n',
                   task="# Task\n\n## AI assistance\n\n" + AiPolicy.forbidden.statement + "\n")
    assert validate_assignment(load_assignment(str(stated), settings)).ok
    wrong = _tiny(tmp_path / "c", 'ai_policy = "allowed"\n',
                  task="# Task\n\n" + AiPolicy.forbidden.statement + "\n")
    assert not validate_assignment(load_assignment(str(wrong), settings)).ok


def test_validation_refuses_canary_columns_the_features_lack(tmp_path: Path) -> None:
    folder = _tiny(tmp_path, 'ai_policy = "allowed"\ncanary_text_columns = ["summary"]\n',
                   task=AiPolicy.allowed.statement)
    problems = validate_assignment(load_assignment(str(folder), Settings(data_dir=tmp_path / "var"))).problems
    assert problems == ["[integrity] canary_text_columns names columns the held-out features lack: ['summary']"]


@pytest.mark.parametrize("bad", ['ai_policy = "sometimes"', "similarity_threshold = 0", "canaries = -1",
                                 "similarity_threshold = 1.5"])
def test_bad_integrity_settings_are_refused(tmp_path: Path, bad: str) -> None:
    folder = _tiny(tmp_path, bad + "\n")
    with pytest.raises(AssignmentError) as error:
        load_assignment(str(folder), Settings(data_dir=tmp_path / "var"))
    assert "is not a valid assignment spec: integrity." in error.value.message
