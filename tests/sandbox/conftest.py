"""Factories and fixtures for the sandbox tests: real Docker, small limits, fast runs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import pytest

import sandbox
from sandbox import Limits, Mount, RunResult, RunSpec

MiB = 1024 * 1024


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    return docker.from_env()


@pytest.fixture(scope="session")
def test_label() -> str:
    """A label of this test session only, so cleanup tests never touch other people's runs."""
    return f"takehome-harness.sandbox.test-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def box(docker_client: docker.DockerClient, test_label: str) -> Iterator[sandbox.Sandbox]:
    runner = sandbox.Sandbox(docker_client, label=test_label)
    yield runner
    runner.cleanup_leftovers()


def make_limits(**overrides: Any) -> Limits:
    """Small limits so hostile cases end in seconds."""
    values: dict[str, Any] = {
        "wall_seconds": 5.0,
        "memory_bytes": 256 * MiB,
        "cpus": 1.0,
        "pids": 64,
        "output_bytes": 16 * MiB,
        "tmpfs_bytes": 32 * MiB,
        "log_bytes": 16 * 1024,
    }
    values.update(overrides)
    return Limits(**values)


def make_submission(root: Path, files: dict[str, str] | None = None) -> Path:
    """A submission folder readable by the sandbox user."""
    folder = root / f"submission-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    for name, content in (files or {"main.py": "print('hello')\n"}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    folder.chmod(0o755)
    return folder


def make_output(root: Path, name: str = "out") -> Path:
    folder = root / f"{name}-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    return folder


def python_spec(
    image: str, code: str, *, tmp: Path, limits: Limits | None = None, **kwargs: Any
) -> RunSpec:
    """A spec running ``python -c code`` with a small submission mounted and copied in."""
    kwargs.setdefault("mounts", [Mount(make_submission(tmp), "/submission")])
    return RunSpec(
        command=["python", "-c", code],
        image=image,
        limits=limits or make_limits(),
        name_hint="test",
        **kwargs,
    )


def container_gone(client: docker.DockerClient, result: RunResult) -> bool:
    return not client.api.containers(all=True, filters={"name": result.container_name})
