"""The grader registry: built-ins, entry-point plug-ins checked at registration, error isolation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graders.registry import GraderRegistrationError, GraderRegistry, default_registry, run_grader
from graders.types import AssignmentView, GraderResult, GraderStatus, GradingContext


def ctx(tmp_path: Path) -> GradingContext:
    return GradingContext(workspace=tmp_path, assignment=AssignmentView(name="x", title="X", labels=["a", "b"]))


class Good:
    name = "good"
    version = "1"

    def grade(self, ctx: GradingContext) -> GraderResult:
        return GraderResult(name=self.name, version=self.version, status=GraderStatus.ok, score=80.0)


class Boom:
    name = "boom"
    version = "1"

    def grade(self, ctx: GradingContext) -> GraderResult:
        raise RuntimeError("disk on fire")


class OutOfRange(Good):
    name = "outofrange"

    def grade(self, ctx: GradingContext) -> GraderResult:
        return GraderResult(name=self.name, version="1", status=GraderStatus.ok, score=140.0)


def test_builtins_are_registered_in_order() -> None:
    names = default_registry(plugins=False).names()
    assert names[:5] == ["accuracy", "tests", "quality", "notebooks", "writeup"]


def test_grader_that_raises_is_an_error_status_and_others_unaffected(tmp_path: Path) -> None:
    registry = GraderRegistry()
    registry.register(Good)
    registry.register(Boom())
    results = [run_grader(g, ctx(tmp_path)) for g in registry]
    assert [r.status for r in results] == [GraderStatus.ok, GraderStatus.error]
    assert results[0].score == 80.0
    assert results[1].score is None and "RuntimeError: disk on fire" in results[1].summary
    assert all(r.duration_s is not None for r in results)


def test_out_of_range_score_is_an_error(tmp_path: Path) -> None:
    result = run_grader(OutOfRange(), ctx(tmp_path))
    assert result.status == GraderStatus.error and "outside 0-100" in result.summary


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [
        (object(), "is not a grader"),
        (type("NoVersion", (), {"name": "nov", "version": "", "grade": lambda self, c: None}), "non-empty version"),
        (type("BadName", (), {"name": "Bad Name", "version": "1", "grade": lambda self, c: None}), "invalid name"),
        (type("Broken", (), {"__init__": lambda self: 1 / 0}), "cannot be created"),
    ],
)
def test_invalid_graders_refused_at_registration(obj: object, fragment: str) -> None:
    with pytest.raises(GraderRegistrationError, match=fragment):
        GraderRegistry().register(obj)


def test_duplicate_name_refused() -> None:
    registry = GraderRegistry()
    registry.register(Good())
    with pytest.raises(GraderRegistrationError, match="already registered"):
        registry.register(Good())


def _install_plugin(tmp_path: Path, module_source: str, target: str) -> None:
    """A real installed distribution on sys.path, with an entry point in harness.graders."""
    (tmp_path / "fake_plugin_mod.py").write_text(module_source)
    dist = tmp_path / "fake_harness_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-harness-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[harness.graders]\nfake = {target}\n")


def test_entry_point_plugin_registers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, (
        "from graders.types import GraderResult, GraderStatus\n"
        "class Plugin:\n"
        "    name = 'plugin'\n    version = '0.1'\n"
        "    def grade(self, ctx):\n"
        "        return GraderResult(name='plugin', version='0.1', status=GraderStatus.ok, score=50.0)\n"
    ), "fake_plugin_mod:Plugin")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = default_registry()
    assert "plugin" in registry
    sys.modules.pop("fake_plugin_mod", None)


def test_broken_entry_point_refused_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, "class NotAGrader:\n    pass\n", "fake_plugin_mod:NotAGrader")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(GraderRegistrationError, match="entry point fake"):
        default_registry()
    sys.modules.pop("fake_plugin_mod", None)
