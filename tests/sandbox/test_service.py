"""Background runs (``Sandbox.start``) and runs that join a server's network namespace.

All traffic stays on loopback: the joining run reaches the server's port on 127.0.0.1 and reads
the kernel's view of interfaces and routes.
"""

from __future__ import annotations

import textwrap
import time
import uuid
from pathlib import Path

import docker
import pytest

import sandbox
from sandbox import Mount, PeerGone, RunSpec, SandboxError, Verdict
from tests.sandbox.conftest import MiB, make_limits, make_submission, python_spec

SERVER = textwrap.dedent(
    """
    import http.server, sys
    print('serving', flush=True)
    http.server.ThreadingHTTPServer(('127.0.0.1', 8765), http.server.SimpleHTTPRequestHandler).serve_forever()
    """
)

PROBE = textwrap.dedent(
    """
    import os, urllib.request, time
    print('interfaces', sorted(os.listdir('/sys/class/net')))
    print('routes', len(open('/proc/net/route').read().splitlines()[1:]))
    for _ in range(100):
        try:
            print('status', urllib.request.urlopen('http://127.0.0.1:8765/', timeout=2).status)
            break
        except OSError:
            time.sleep(0.05)
    """
)


def _probe(image: str, tmp: Path, peer: str) -> RunSpec:
    return RunSpec(command=["python", "-c", PROBE], image=image, limits=make_limits(wall_seconds=20),
                   copy_in=None, network_of=peer, name_hint="probe",
                   mounts=[Mount(make_submission(tmp), "/submission")])


def test_a_started_server_runs_until_stopped_and_says_so(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    service = box.start(python_spec(sandbox_image, SERVER, tmp=tmp_path, limits=make_limits(wall_seconds=30)))
    assert service.started_at is not None and not service.exited()
    time.sleep(0.5)
    result = service.stop()
    assert result.verdict is Verdict.ok and result.stopped
    assert result.message == "stopped by the harness while it still ran"
    assert "serving" in result.log
    assert not docker_client.api.containers(all=True, filters={"name": result.container_name})


def test_a_server_that_ends_on_its_own_is_not_stopped(box: sandbox.Sandbox, sandbox_image: str,
                                                      tmp_path: Path) -> None:
    service = box.start(python_spec(sandbox_image, "raise SystemExit(3)", tmp=tmp_path))
    assert service.wait(20)
    result = service.stop()
    assert result.verdict is Verdict.failed and not result.stopped and result.exit_code == 3


def test_a_background_run_keeps_its_limits(box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path) -> None:
    hoard = "hoard = []\nwhile True:\n    hoard.append(b'x' * (8 * 1024 * 1024))"
    service = box.start(python_spec(sandbox_image, hoard, tmp=tmp_path,
                                    limits=make_limits(memory_bytes=96 * MiB)))
    assert service.wait(30)
    result = service.stop()
    assert result.verdict is Verdict.out_of_memory and not result.stopped
    sleeper = box.start(python_spec(sandbox_image, "import time\ntime.sleep(60)", tmp=tmp_path,
                                    limits=make_limits(wall_seconds=1)))
    assert sleeper.wait(20)
    assert sleeper.stop().verdict is Verdict.timed_out


def test_a_joining_run_sees_the_servers_loopback_and_nothing_else(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    service = box.start(python_spec(sandbox_image, SERVER, tmp=tmp_path, limits=make_limits(wall_seconds=30)))
    try:
        result = box.run(_probe(sandbox_image, tmp_path, service.container_id))
    finally:
        service.stop()
    assert result.verdict is Verdict.ok, result.log
    assert "interfaces ['lo']" in result.log and "routes 0" in result.log
    assert "status 200" in result.log


def test_an_ordinary_run_cannot_reach_a_servers_port(box: sandbox.Sandbox, sandbox_image: str,
                                                     tmp_path: Path) -> None:
    """Near miss: without ``network_of`` the same probe has a loopback of its own, empty."""
    service = box.start(python_spec(sandbox_image, SERVER, tmp=tmp_path, limits=make_limits(wall_seconds=30)))
    try:
        spec = _probe(sandbox_image, tmp_path, service.container_id)
        alone = RunSpec(**{**spec.__dict__, "network_of": None, "limits": make_limits(wall_seconds=8)})
        result = box.run(alone)
    finally:
        service.stop()
    assert "interfaces ['lo']" in result.log and "status 200" not in result.log


def test_joining_a_container_that_is_not_a_networkless_sandbox_is_refused(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    foreign = docker_client.api.create_container(
        sandbox_image, command=["sleep", "30"], network_disabled=True,
        host_config=docker_client.api.create_host_config(network_mode="none"),
        name=f"takehome-test-foreign-{uuid.uuid4().hex[:8]}")
    docker_client.api.start(foreign["Id"])
    try:
        with pytest.raises(SandboxError, match="only a container of this sandbox with no network"):
            box.run(_probe(sandbox_image, tmp_path, foreign["Id"]))
        # A container of this sandbox that itself joined another namespace is refused too.
        service = box.start(python_spec(sandbox_image, SERVER, tmp=tmp_path, limits=make_limits(wall_seconds=30)))
        joined = box.start(_probe(sandbox_image, tmp_path, service.container_id))
        try:
            with pytest.raises(SandboxError, match="network mode is 'container:"):
                box.run(_probe(sandbox_image, tmp_path, joined.container_id))
        finally:
            joined.stop()
            service.stop()
    finally:
        docker_client.api.remove_container(foreign["Id"], force=True)


def test_joining_a_server_that_exited_is_peer_gone(box: sandbox.Sandbox, sandbox_image: str,
                                                   tmp_path: Path) -> None:
    service = box.start(python_spec(sandbox_image, "pass", tmp=tmp_path))
    assert service.wait(20)
    try:
        with pytest.raises(PeerGone):
            box.run(_probe(sandbox_image, tmp_path, service.container_id))
    finally:
        service.stop()
