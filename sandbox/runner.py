"""Running one untrusted command in a fresh, locked-down container.

Every run gets a new container with no network, a read-only root, size-capped tmpfs scratch, the
inputs mounted read-only, only the declared output folders writable, a non-root user with no
capabilities, and kernel limits on memory, CPU, processes, open files and file size. The harness
enforces the wall clock and the output caps itself, and the container is killed and removed in a
``finally`` whatever happens.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import signal
import socket
import ssl
import struct
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker
import docker.errors
import docker.types

from sandbox.client import DOCKER_ERRORS, connect, ping
from sandbox.errors import InfrastructureError, PeerGone, SandboxError
from sandbox.logbuffer import BoundedLog
from sandbox.service import Service
from sandbox.spec import Limits, RunResult, RunSpec, Verdict
from sandbox.user import SANDBOX_GID, SANDBOX_HOME, SANDBOX_UID
from sandbox.walk import human_bytes
from sandbox.watch import MemoryProbe, OutputMeter

__all__ = ["DEFAULT_LABEL", "Sandbox"]

log = logging.getLogger(__name__)

DEFAULT_LABEL = "takehome-harness.sandbox"

_MEMORY_EVERY_S = 0.05
_OUTPUTS_EVERY_S = 0.25
_STOP_GRACE_S = 15.0
"""How long a killed container may take to go away before the engine is deemed broken."""
_PATH = "/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Copies the read-only submission into the writable workdir, then becomes the command.
_COPY_IN = 'cp -R -- "$1"/. "$2"/ && shift 2 && exec "$@"'
_HEADER = struct.Struct(">BxxxL")


def _owner_is_gone(owner: str) -> bool:
    """Whether the process named by an owner label (``host:pid``) no longer runs on this host."""
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Sandbox:
    """Runs :class:`RunSpec` commands in hardened containers on one Docker engine.

    Thread-safe: several runs may go on at once from different threads.
    """

    def __init__(
        self, client: docker.DockerClient | None = None, *, label: str = DEFAULT_LABEL
    ) -> None:
        if client is None:
            client = connect()
        else:
            ping(client)
        self.client = client
        self.label = label
        """Every container this sandbox creates carries this label (value ``"1"``)."""
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        """Also on every container (label ``<label>.owner``), so cleanup can tell a crashed
        process's leftovers from the live containers of another process on the same host."""

    def run(self, spec: RunSpec) -> RunResult:
        """Run ``spec.command`` to the end, or until a limit stops it, and say how it ended.

        A submission's failure is a verdict, never an exception. Raises
        :class:`InfrastructureError` when the engine fails or the image is missing,
        :class:`SandboxError` when the spec itself is unusable (a caller's bug), and
        :class:`PeerGone` when the container named by ``spec.network_of`` is not running.
        """
        container_id, name = self._create(spec)
        try:
            return self._run_created(container_id, name, spec)
        finally:
            self._dispose(container_id)

    def start(self, spec: RunSpec) -> Service:
        """Start ``spec.command`` in the background (a server) under the same limits and
        isolation as :meth:`run`; returns once the container runs. Every limit is enforced as in
        :meth:`run`; :meth:`Service.stop` ends it and says how it went (``stopped`` is then set
        unless it had ended on its own). Raises like :meth:`run`."""
        container_id, name = self._create(spec)

        def body(stop: threading.Event, on_start: Callable[[], None]) -> RunResult:
            return self._run_created(container_id, name, spec, stop=stop, on_start=on_start)

        service = Service(container_id, name, body, lambda: self._dispose(container_id))
        try:
            service.begin()
        except BaseException:
            self._dispose(container_id)
            raise
        return service

    def _create(self, spec: RunSpec) -> tuple[str, str]:
        _check_spec(spec)
        if spec.network_of is not None:
            self._check_peer(spec.network_of)
        _open_outputs_to_sandbox_user(spec.outputs.values())
        name = _container_name(spec.name_hint)
        api = self.client.api
        try:
            created = api.create_container(
                image=spec.image,
                command=_command(spec),
                user=f"{SANDBOX_UID}:{SANDBOX_GID}",
                environment=_environment(spec),
                working_dir=spec.workdir,
                labels={**spec.labels, self.label: "1", f"{self.label}.owner": self.owner},
                name=name,
                # A joined namespace keeps its owner's host name (Docker refuses to set one).
                hostname="sandbox" if spec.network_of is None else None,
                network_disabled=spec.network_of is None,
                host_config=_host_config(api, spec),
            )
        except docker.errors.ImageNotFound as exc:
            raise InfrastructureError(
                f"sandbox image {spec.image} is missing: build it with `harness sandbox build`"
            ) from exc
        except DOCKER_ERRORS as exc:
            if spec.network_of is not None and not self._is_running(spec.network_of):
                raise PeerGone(f"container {spec.network_of[:12]} stopped before {name} joined it") from exc
            raise InfrastructureError(
                f"Docker could not create the container {name}: {exc}"
            ) from exc
        return str(created["Id"]), name

    def _check_peer(self, container_id: str) -> None:
        """Refuse to join any namespace but a running, network-less container of this sandbox."""
        try:
            info = self.client.api.inspect_container(container_id)
        except docker.errors.NotFound as exc:
            raise PeerGone(f"container {container_id[:12]} is gone") from exc
        except DOCKER_ERRORS as exc:
            raise InfrastructureError(f"Docker could not inspect {container_id[:12]}: {exc}") from exc
        labels = (info.get("Config") or {}).get("Labels") or {}
        network = (info.get("HostConfig") or {}).get("NetworkMode")
        if labels.get(self.label) != "1" or network != "none":
            raise SandboxError(
                f"refusing to join the network of container {container_id[:12]}: only a container "
                f"of this sandbox with no network may be joined (its network mode is {network!r})"
            )
        if not (info.get("State") or {}).get("Running"):
            raise PeerGone(f"container {container_id[:12]} is not running")

    def _is_running(self, container_id: str) -> bool:
        try:
            return bool(self.client.api.inspect_container(container_id)["State"].get("Running"))
        except DOCKER_ERRORS:
            return False

    def cleanup_leftovers(self, *, all_owners: bool = False) -> int:
        """Remove containers carrying this sandbox's label that were left by a crashed run.

        A container is a leftover when the process that created it is gone: its owner label names
        this host and a pid that no longer runs, or it has no owner label. Containers of another
        live process (a second worker on the same host) are left alone, as are those of other
        hosts sharing the daemon, unless ``all_owners``. Call it when the harness starts. Returns
        how many were removed.
        """
        api = self.client.api
        try:
            found = api.containers(all=True, filters={"label": self.label})
        except DOCKER_ERRORS as exc:
            raise InfrastructureError(f"Docker could not list containers: {exc}") from exc
        removed = 0
        for container in found:
            owner = (container.get("Labels") or {}).get(f"{self.label}.owner", "")
            if not all_owners and owner and not _owner_is_gone(owner):
                continue
            try:
                api.remove_container(container["Id"], force=True)
                removed += 1
            except docker.errors.NotFound:
                pass
            except DOCKER_ERRORS as exc:
                raise InfrastructureError(
                    f"Docker could not remove leftover container {container['Id'][:12]}: {exc}"
                ) from exc
        return removed

    def _run_created(
        self,
        container_id: str,
        name: str,
        spec: RunSpec,
        *,
        stop: threading.Event | None = None,
        on_start: Callable[[], None] | None = None,
    ) -> RunResult:
        limits = spec.limits
        logbuf = BoundedLog(limits.log_bytes)
        meter = OutputMeter(spec.outputs.values(), limits.output_bytes)
        attached, stream = self._attach_and_start(container_id, name, spec)
        started = time.monotonic()
        if on_start is not None:
            on_start()
        probe = MemoryProbe(container_id)
        try:
            watch = _LimitWatch(spec, logbuf, meter, started, stop)
            killed_for, kill_reason = self._pump(container_id, stream, watch, logbuf, probe)
            duration = time.monotonic() - started
            probe.sample()
            exit_code, oom_killed = self._exit_status(container_id, name)
        finally:
            probe.close()
            _close_quietly(attached)
        if killed_for is None and meter.over_cap():
            # Written faster than the periodic check, just before exiting.
            killed_for = Verdict.output_too_large
            kill_reason = (
                f"wrote more than {human_bytes(limits.output_bytes)} to its output folders"
            )
        verdict, message = _judge(
            limits, killed_for, kill_reason, exit_code, oom_killed, probe.peak
        )
        return RunResult(
            verdict=verdict,
            exit_code=exit_code,
            duration_s=round(duration, 3),
            peak_memory_bytes=probe.peak,
            log=logbuf.text(),
            log_truncated=logbuf.truncated,
            message=message,
            log_bytes_total=logbuf.total,
            container_name=name,
            stopped=killed_for is Verdict.ok,
        )

    def _attach_and_start(self, container_id: str, name: str, spec: RunSpec) -> tuple[Any, Any]:
        """Attach to the container's output, then start it: (what to close, the raw stream)."""
        api = self.client.api
        try:
            # Attached before start so not a byte of output is missed.
            attached = api.attach_socket(
                container_id, params={"stdout": 1, "stderr": 1, "stream": 1, "logs": 0}
            )
        except DOCKER_ERRORS as exc:
            raise InfrastructureError(
                f"Docker could not attach to the container {name}: {exc}"
            ) from exc
        try:
            stream = _raw_socket(attached)
            api.start(container_id)
        except BaseException as exc:
            _close_quietly(attached)
            if isinstance(exc, DOCKER_ERRORS):
                if spec.network_of is not None and not self._is_running(spec.network_of):
                    raise PeerGone(
                        f"container {spec.network_of[:12]} stopped before {name} started"
                    ) from exc
                raise InfrastructureError(
                    f"Docker could not start the container {name}: {exc}"
                ) from exc
            raise
        return attached, stream

    def _pump(
        self,
        container_id: str,
        stream: Any,
        watch: _LimitWatch,
        logbuf: BoundedLog,
        probe: MemoryProbe,
    ) -> tuple[Verdict | None, str]:
        """Read the output until the container closes it, enforcing the limits meanwhile.

        Returns why the harness killed it, if it did (``Verdict.ok``: the caller stopped it).
        """
        frames = _FrameParser(logbuf)
        killed_for: Verdict | None = None
        reason = ""
        killed_at = 0.0
        killer: _Killer | None = None
        next_memory = watch.started
        while True:
            now = time.monotonic()
            if now >= next_memory:
                probe.sample()
                next_memory = now + _MEMORY_EVERY_S
            if killed_for is None:
                killed_for, reason = watch.breach(now)
                if killed_for is not None:
                    killed_at = time.monotonic()
                    killer = self._start_kill(container_id)
            elif killer is not None and killer.error is not None:
                raise killer.error
            elif now - killed_at > _STOP_GRACE_S:
                raise InfrastructureError(
                    f"container {container_id[:12]} was killed {_STOP_GRACE_S:g} s ago but has "
                    "not stopped; the Docker engine is not responding properly"
                )
            wake = min(next_memory, watch.next_check() if killed_for is None else now + 0.5)
            timeout = max(0.0, wake - time.monotonic())
            if _pending(stream) or select.select([stream], [], [], timeout)[0]:
                try:
                    chunk = stream.recv(65536)
                except (BlockingIOError, InterruptedError, ssl.SSLWantReadError):
                    continue
                except OSError as exc:
                    raise InfrastructureError(f"lost the container's output stream: {exc}") from exc
                if not chunk:
                    if killer is not None:
                        killer.join(_STOP_GRACE_S)
                        if killer.error is not None:
                            raise killer.error
                    return killed_for, reason
                frames.feed(chunk)

    def _start_kill(self, container_id: str) -> _Killer:
        # The kill runs beside the reader, never instead of it: the engine finishes a kill only
        # once the container's output is drained, so a reader waiting on the kill would deadlock
        # with a container blocked writing to it.
        killer = _Killer(self.client.api, container_id)
        killer.start()
        return killer

    def _exit_status(self, container_id: str, name: str) -> tuple[int | None, bool]:
        api = self.client.api
        try:
            waited = api.wait(container_id, timeout=int(_STOP_GRACE_S) + 15)
            state = api.inspect_container(container_id)["State"]
        except DOCKER_ERRORS as exc:
            raise InfrastructureError(f"Docker lost track of container {name}: {exc}") from exc
        code = waited.get("StatusCode", state.get("ExitCode"))
        return (int(code) if code is not None else None), bool(state.get("OOMKilled"))

    def _dispose(self, container_id: str) -> None:
        # force=True kills first if it still runs; safe to call whatever state it is in.
        try:
            self.client.api.remove_container(container_id, force=True)
        except docker.errors.NotFound:
            pass
        except DOCKER_ERRORS as exc:
            log.warning(
                "could not remove sandbox container %s (cleanup_leftovers() will): %s",
                container_id[:12],
                exc,
            )


class _LimitWatch:
    """The wall clock, the log flood and the output folders' size of one running container."""

    def __init__(
        self,
        spec: RunSpec,
        logbuf: BoundedLog,
        meter: OutputMeter,
        started: float,
        stop: threading.Event | None = None,
    ) -> None:
        self.limits = spec.limits
        self.logbuf = logbuf
        self.meter = meter
        self.started = started
        self.stop = stop
        """Set by the caller of a background run to end it (:meth:`Sandbox.start`)."""
        self.deadline = started + self.limits.wall_seconds
        self.watch_outputs = bool(spec.outputs)
        self.next_outputs = started + _OUTPUTS_EVERY_S

    def next_check(self) -> float:
        """When a limit may next be passed without output arriving."""
        return min(self.deadline, self.next_outputs) if self.watch_outputs else self.deadline

    def breach(self, now: float) -> tuple[Verdict | None, str]:
        """The limit passed at ``now``, if any, and the reason in a reviewer's words."""
        limits = self.limits
        if self.stop is not None and self.stop.is_set():
            return Verdict.ok, "stopped by the harness while it still ran"
        if now >= self.deadline:
            return Verdict.timed_out, f"killed after {limits.wall_seconds:g} s wall-clock limit"
        flood_at = limits.effective_log_kill
        if self.logbuf.total > flood_at:
            return Verdict.output_too_large, (
                f"printed more than {human_bytes(flood_at)} to stdout/stderr (killed as flooding)"
            )
        if self.watch_outputs and now >= self.next_outputs:
            began = time.monotonic()
            over = self.meter.over_cap()
            # A slow walk (many entries) is repeated less often, bounding its CPU cost.
            spent = time.monotonic() - began
            self.next_outputs = time.monotonic() + max(_OUTPUTS_EVERY_S, 4 * spent)
            if over:
                return Verdict.output_too_large, (
                    f"wrote more than {human_bytes(limits.output_bytes)} to its output folders"
                )
        return None, ""


class _Killer(threading.Thread):
    """Sends SIGKILL to a container from a side thread; keeps the error for the reader."""

    def __init__(self, api: docker.APIClient, container_id: str) -> None:
        super().__init__(name=f"kill {container_id[:12]}", daemon=True)
        self._api = api
        self._container_id = container_id
        self.error: InfrastructureError | None = None

    def run(self) -> None:
        try:
            self._api.kill(self._container_id)
        except docker.errors.APIError as exc:
            # 404/409: it stopped on its own between our check and the kill.
            if exc.status_code not in (404, 409):
                self.error = InfrastructureError(f"Docker could not kill the container: {exc}")
        except DOCKER_ERRORS as exc:
            self.error = InfrastructureError(f"Docker could not kill the container: {exc}")


class _FrameParser:
    """Docker's multiplexed attach stream: 8-byte headers (stream, size) before each payload."""

    def __init__(self, sink: BoundedLog) -> None:
        self._sink = sink
        self._buffer = bytearray()
        self._remaining = 0  # payload bytes still expected for the current frame

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._remaining:
                take = min(self._remaining, len(view))
                self._sink.feed(bytes(view[:take]))
                self._remaining -= take
                view = view[take:]
                continue
            need = _HEADER.size - len(self._buffer)
            self._buffer += view[:need]
            view = view[need:]
            if len(self._buffer) == _HEADER.size:
                _, self._remaining = _HEADER.unpack(self._buffer)
                self._buffer.clear()


def _raw_socket(attached: Any) -> Any:
    """The socket object under what ``attach_socket`` returns (a SocketIO on a Unix socket)."""
    raw = getattr(attached, "_sock", attached)
    if not isinstance(raw, socket.socket):
        raise InfrastructureError(
            f"unsupported Docker transport for streaming output ({type(attached).__name__}); use "
            "a unix:// or tcp:// DOCKER_HOST"
        )
    return raw


def _pending(stream: Any) -> bool:
    # TLS may hold decrypted bytes that select() cannot see.
    return isinstance(stream, ssl.SSLSocket) and stream.pending() > 0


def _close_quietly(attached: Any) -> None:
    # Closing the SocketIO wrapper alone leaves the socket open (the HTTP response holds it):
    # the engine would keep writing into a full buffer, and a container blocked on that write
    # cannot be killed or removed. Shut the socket itself.
    raw = getattr(attached, "_sock", attached)
    if isinstance(raw, socket.socket):
        with contextlib.suppress(OSError):
            raw.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            raw.close()
    with contextlib.suppress(OSError):
        attached.close()


def _judge(
    limits: Limits,
    killed_for: Verdict | None,
    kill_reason: str,
    exit_code: int | None,
    oom_killed: bool,
    peak: int | None,
) -> tuple[Verdict, str]:
    """One verdict, by precedence: timed out > output too large > out of memory > failed > ok.

    A background run the caller stopped (``killed_for`` is ``ok``) is ``ok`` unless a process of
    it was killed for memory first.
    """
    memory = f"{limits.memory_bytes // (1024 * 1024)} MiB"
    if killed_for is Verdict.ok and oom_killed:
        return Verdict.out_of_memory, f"a process was killed for memory (limit {memory})"
    if killed_for is not None:
        return killed_for, kill_reason
    if exit_code != 0:
        near_limit = peak is not None and peak >= 0.95 * limits.memory_bytes
        if oom_killed or (exit_code == 128 + signal.SIGKILL and near_limit):
            return Verdict.out_of_memory, f"out of memory (limit {memory})"
        return Verdict.failed, _describe_exit(exit_code)
    if oom_killed:
        return Verdict.ok, f"exit code 0 (a process was killed for memory, limit {memory})"
    return Verdict.ok, "exit code 0"


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "no exit code"
    if code > 128:
        try:
            return f"exit code {code} (killed by {signal.Signals(code - 128).name})"
        except ValueError:
            pass
    return f"exit code {code}"


def _check_spec(spec: RunSpec) -> None:
    if not spec.command:
        raise SandboxError("RunSpec.command is empty")
    paths = [m.container_path for m in spec.mounts] + list(spec.outputs)
    for path in [*paths, spec.workdir]:
        if not path.startswith("/"):
            raise SandboxError(f"container path {path!r} is not absolute")
    if len(set(paths)) != len(paths):
        raise SandboxError(f"a container path is mounted twice: {sorted(paths)}")
    for mount in spec.mounts:
        if not mount.host_path.exists():
            raise SandboxError(f"mount source {mount.host_path} does not exist")
    for target, host in spec.outputs.items():
        if host.is_symlink() or not host.is_dir():
            raise SandboxError(f"output folder {host} (for {target}) is not a real folder")
    if spec.copy_in is not None and spec.copy_in not in {m.container_path for m in spec.mounts}:
        raise SandboxError(f"copy_in {spec.copy_in!r} is not one of the mounts")


def _open_outputs_to_sandbox_user(folders: Any) -> None:
    for folder in folders:
        try:
            os.chown(folder, SANDBOX_UID, SANDBOX_GID)
            os.chmod(folder, 0o755)
        except PermissionError:
            # Not root: let anyone write; the folder lives in the harness's private workspace.
            os.chmod(folder, 0o777)


def _container_name(hint: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_.-]+", "-", hint).strip("-.")[:48]
    suffix = uuid.uuid4().hex[:10]
    return f"takehome-{clean}-{suffix}" if clean else f"takehome-{suffix}"


def _command(spec: RunSpec) -> list[str]:
    if spec.copy_in is None:
        return list(spec.command)
    return ["/bin/sh", "-c", _COPY_IN, "copy-in", spec.copy_in, spec.workdir, *spec.command]


def _environment(spec: RunSpec) -> dict[str, str]:
    return {
        "PATH": _PATH,
        "HOME": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        **spec.env,
    }


def _host_config(api: docker.APIClient, spec: RunSpec) -> Any:
    # No network of its own: loopback only, or the loopback of a network-less peer it joins.
    network = "none" if spec.network_of is None else f"container:{spec.network_of}"
    limits = spec.limits
    owner = f"uid={SANDBOX_UID},gid={SANDBOX_GID}"
    size = limits.tmpfs_bytes
    # Docker's tmpfs default is noexec; candidate code lives and runs in the workdir.
    tmpfs = {
        "/tmp": f"rw,exec,nosuid,nodev,size={size},mode=1777",
        SANDBOX_HOME: f"rw,exec,nosuid,nodev,size={size},mode=0700,{owner}",
    }
    mounted = {m.container_path for m in spec.mounts} | set(spec.outputs)
    if spec.workdir not in mounted and spec.workdir not in tmpfs:
        tmpfs[spec.workdir] = f"rw,exec,nosuid,nodev,size={size},mode=0700,{owner}"
    mounts = [
        docker.types.Mount(
            target=m.container_path,
            source=str(Path(m.host_path).resolve()),
            type="bind",
            read_only=m.read_only,
        )
        for m in spec.mounts
    ] + [
        docker.types.Mount(target=target, source=str(host.resolve()), type="bind", read_only=False)
        for target, host in spec.outputs.items()
    ]
    fsize = limits.effective_fsize
    return api.create_host_config(
        network_mode=network,
        read_only=True,
        tmpfs=tmpfs,
        mounts=mounts,
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        pids_limit=limits.pids,
        mem_limit=limits.memory_bytes,
        memswap_limit=limits.memory_bytes,
        nano_cpus=int(limits.cpus * 1e9),
        ulimits=[
            docker.types.Ulimit(name="nofile", soft=limits.nofile, hard=limits.nofile),
            docker.types.Ulimit(name="fsize", soft=fsize, hard=fsize),
            docker.types.Ulimit(name="core", soft=0, hard=0),
        ],
        init=True,
        ipc_mode="private",
        oom_score_adj=500,
        # Output is read from the attach stream; the daemon's own copy stays small.
        log_config=docker.types.LogConfig(
            type="json-file", config={"max-size": "1m", "max-file": "1"}
        ),
    )
