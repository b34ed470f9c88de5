"""Infrastructure failures raise InfrastructureError, never a verdict; leftovers are cleaned."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import docker
import pytest

import sandbox
from sandbox import ImageRecipe, InfrastructureError, RunSpec, SandboxError
from tests.sandbox.conftest import make_limits, python_spec


def unreachable_client() -> docker.DockerClient:
    # A fixed API version: otherwise the SDK itself fails in the constructor, asking the version.
    return docker.DockerClient(base_url="unix:///nonexistent.sock", version="1.41", timeout=5)


def test_unreachable_daemon_at_construction() -> None:
    with pytest.raises(InfrastructureError, match=r"ensure-docker\.sh"):
        sandbox.Sandbox(unreachable_client())


def test_daemon_gone_during_use_raises_infrastructure_error(
    sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    box = sandbox.Sandbox(
        docker_client, label=f"takehome-harness.sandbox.test-{uuid.uuid4().hex[:6]}"
    )
    box.client = unreachable_client()
    with pytest.raises(InfrastructureError):
        box.run(python_spec(sandbox_image, "print(1)", tmp=tmp_path))
    with pytest.raises(InfrastructureError):
        box.cleanup_leftovers()


def test_ensure_image_with_unreachable_daemon() -> None:
    with pytest.raises(InfrastructureError):
        sandbox.ensure_image(ImageRecipe(), client=unreachable_client())


def test_missing_image_is_infrastructure_error(box: sandbox.Sandbox, tmp_path: Path) -> None:
    spec = python_spec("takehome-sandbox:does-not-exist", "print(1)", tmp=tmp_path)
    with pytest.raises(InfrastructureError, match="harness sandbox build"):
        box.run(spec)


def test_unusable_spec_is_a_caller_error(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    with pytest.raises(SandboxError, match="does not exist"):
        box.run(
            python_spec(
                sandbox_image,
                "1",
                tmp=tmp_path,
                mounts=[sandbox.Mount(tmp_path / "nope", "/x")],
                copy_in=None,
            )
        )
    with pytest.raises(SandboxError, match="copy_in"):
        box.run(python_spec(sandbox_image, "1", tmp=tmp_path, mounts=[]))


def test_cleanup_leftovers_removes_only_labelled_containers(
    sandbox_image: str, docker_client: docker.DockerClient
) -> None:
    label = f"takehome-harness.sandbox.test-{uuid.uuid4().hex[:6]}"
    box = sandbox.Sandbox(docker_client, label=label)
    ours = [
        docker_client.api.create_container(sandbox_image, ["sleep", "60"], labels={label: "1"})[
            "Id"
        ]
        for _ in range(2)
    ]
    docker_client.api.start(ours[0])  # one running, one never started: both are leftovers
    other = docker_client.api.create_container(
        sandbox_image, ["true"], labels={f"{label}-other": "1"}
    )["Id"]
    try:
        assert box.cleanup_leftovers() == 2
        assert docker_client.api.containers(all=True, filters={"label": label}) == []
        assert docker_client.api.inspect_container(other)["Id"] == other
        assert box.cleanup_leftovers() == 0
    finally:
        docker_client.api.remove_container(other, force=True)
        for container in ours:
            with contextlib.suppress(docker.errors.NotFound):
                docker_client.api.remove_container(container, force=True)


def test_cleanup_spares_live_owners_and_removes_dead_ones(
    sandbox_image: str, docker_client: docker.DockerClient
) -> None:
    """Two workers on one host: starting one must not kill the other's running containers."""
    import socket
    import subprocess

    label = f"takehome-harness.sandbox.test-{uuid.uuid4().hex[:6]}"
    box = sandbox.Sandbox(docker_client, label=label)
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = socket.gethostname()
    owners = {"live": f"{host}:{os.getpid()}", "dead": f"{host}:{dead.pid}", "elsewhere": "other-host:1"}
    ids = {
        key: docker_client.api.create_container(
            sandbox_image, ["sleep", "60"], labels={label: "1", f"{label}.owner": owner}
        )["Id"]
        for key, owner in owners.items()
    }
    try:
        assert box.cleanup_leftovers() == 1
        left = {c["Id"] for c in docker_client.api.containers(all=True, filters={"label": label})}
        assert left == {ids["live"], ids["elsewhere"]}
        assert box.cleanup_leftovers(all_owners=True) == 2
    finally:
        for container in ids.values():
            with contextlib.suppress(docker.errors.NotFound):
                docker_client.api.remove_container(container, force=True)


def test_run_spec_contract_defaults() -> None:
    spec = RunSpec(command=["true"], image="x", limits=make_limits())
    assert spec.workdir == "/work" and spec.copy_in == "/submission"
    assert spec.mounts == [] and spec.outputs == {} and spec.env == {} and spec.labels == {}
    limits = sandbox.Limits(wall_seconds=1, memory_bytes=64 << 20)
    assert limits.output_bytes == 200 << 20 and limits.tmpfs_bytes == 512 << 20
    assert limits.log_bytes == 256 << 10 and limits.effective_fsize == limits.output_bytes
    assert [v.value for v in sandbox.Verdict] == [
        "ok",
        "failed",
        "timed_out",
        "out_of_memory",
        "output_too_large",
        "infra_error",
    ]
