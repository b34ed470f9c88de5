"""What a sandboxed run is asked to do (:class:`RunSpec`) and how it ended (:class:`RunResult`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

__all__ = ["Limits", "Mount", "RunResult", "RunSpec", "Verdict"]

MiB = 1024 * 1024
KiB = 1024


class Verdict(StrEnum):
    """How a run ended, from the submission's point of view."""

    ok = "ok"
    """The command exited 0 within every limit."""
    failed = "failed"
    """The command exited non-zero (the message has the exit code, the log its reason)."""
    timed_out = "timed_out"
    """The harness killed the command when its wall-clock limit ran out."""
    out_of_memory = "out_of_memory"
    """The kernel killed a process for going over the memory limit."""
    output_too_large = "output_too_large"
    """The command wrote more than allowed to its output folders, or flooded stdout/stderr."""
    infra_error = "infra_error"
    """Reserved for callers that turn an :class:`InfrastructureError` into a stage verdict;
    :meth:`Sandbox.run` raises instead of returning it."""


@dataclass(frozen=True)
class Mount:
    """A host path bind-mounted into the container."""

    host_path: Path
    """File or folder on the host. Must exist."""
    container_path: str
    """Absolute path inside the container."""
    read_only: bool = True
    """Writable mounts are for :attr:`RunSpec.outputs` only; keep inputs read-only."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run. Every limit is enforced by the kernel or by the harness."""

    wall_seconds: float
    """Wall-clock limit from container start; the harness kills the container when it runs out."""
    memory_bytes: int
    """Memory limit (RAM + tmpfs contents); swap is set equal, so no swap is used."""
    cpus: float = 1.0
    """CPU quota in cores."""
    pids: int = 256
    """Most processes and threads alive at once (stops fork bombs)."""
    output_bytes: int = 200 * MiB
    """Most bytes in all writable output folders together, counting what they already held
    (file sizes plus 4 KiB per entry). Checked 4 times a second and once after exit; a fast
    writer may pass it by what it writes in a quarter second before it is killed."""
    tmpfs_bytes: int = 512 * MiB
    """Size of each scratch tmpfs: ``/tmp``, the workdir and ``HOME``."""
    log_bytes: int = 256 * KiB
    """Bytes of stdout+stderr kept: the head and the tail; the middle is dropped and marked."""
    nofile: int = 1024
    """Open file descriptors per process."""
    fsize_bytes: int | None = None
    """Largest file a process may write (``RLIMIT_FSIZE``); ``None`` means :attr:`output_bytes`."""
    log_kill_bytes: int | None = None
    """Stdout+stderr past which the container is killed as flooding; ``None`` means 50x
    :attr:`log_bytes`."""

    def __post_init__(self) -> None:
        if self.wall_seconds <= 0:
            raise ValueError(f"wall_seconds must be positive, got {self.wall_seconds}")
        if self.memory_bytes < 6 * MiB:
            raise ValueError(
                f"memory_bytes must be at least 6 MiB (Docker's floor), got {self.memory_bytes}"
            )
        if self.cpus <= 0:
            raise ValueError(f"cpus must be positive, got {self.cpus}")
        for name in ("pids", "output_bytes", "tmpfs_bytes", "log_bytes", "nofile"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")

    @property
    def effective_fsize(self) -> int:
        """The ``RLIMIT_FSIZE`` applied."""
        return self.fsize_bytes if self.fsize_bytes is not None else self.output_bytes

    @property
    def effective_log_kill(self) -> int:
        """Stdout+stderr bytes past which the run is killed as flooding."""
        return self.log_kill_bytes if self.log_kill_bytes is not None else 50 * self.log_bytes


@dataclass(frozen=True)
class RunSpec:
    """One command to run in a fresh container."""

    command: list[str]
    """Argv, run as the sandbox's non-root user."""
    image: str
    """Image tag, as returned by :func:`sandbox.ensure_image`."""
    limits: Limits
    """Resource limits."""
    mounts: list[Mount] = field(default_factory=list)
    """Read-only inputs: the submission at ``/submission``, data files."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """Container path -> an EMPTY host folder the caller created. The only writable places
    besides the tmpfs scratch areas. Read them with :func:`sandbox.collect_outputs` after the run."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment of the command (on top of ``PATH``, ``HOME``, ``LANG`` and
    ``PYTHONDONTWRITEBYTECODE``). Pin thread counts here."""
    workdir: str = "/work"
    """Working directory: a size-capped tmpfs owned by the sandbox user."""
    copy_in: str | None = "/submission"
    """If set, this (read-only) mount's content is copied into :attr:`workdir` before the
    command starts, so candidate code can write next to itself."""
    labels: dict[str, str] = field(default_factory=dict)
    """Docker labels added to the sandbox's own."""
    name_hint: str = ""
    """Part of the container's name, e.g. ``train-<submission id>``, to find it in logs."""
    network_of: str | None = None
    """Id of a running container of the same :class:`~sandbox.Sandbox`, itself without network,
    whose network namespace this run joins: the two share that namespace's loopback and nothing
    else exists (no bridge, no host port, no route). ``None``: a namespace of its own, loopback
    only. Used by a load client measuring a server started with :meth:`Sandbox.start`."""


@dataclass(frozen=True)
class RunResult:
    """How a run ended. Never trusted beyond what the harness measured itself."""

    verdict: Verdict
    """The one-word outcome; see :class:`Verdict` for the precedence of causes."""
    exit_code: int | None
    """Exit status of the command; ``None`` if it never got one."""
    duration_s: float
    """Wall-clock seconds from container start to exit (or kill)."""
    peak_memory_bytes: int | None
    """Highest memory use sampled from the container's cgroup (20 times a second, so a peak in
    the last 50 ms may be missed); ``None`` when the cgroup could not be read."""
    log: str
    """Combined stdout/stderr, at most :attr:`Limits.log_bytes`: head and tail, with a marker
    where the middle was dropped. Decoded as UTF-8 with replacement."""
    log_truncated: bool
    """Whether bytes were dropped from :attr:`log`."""
    message: str
    """Why, for a person: "exit code 1", "killed after 300 s wall-clock limit", ..."""
    log_bytes_total: int = 0
    """Bytes the command wrote to stdout/stderr in all, kept or not."""
    container_name: str = ""
    """Name the container had (it is removed by the time this is returned)."""
    stopped: bool = False
    """True when the caller stopped a background run (:meth:`Sandbox.start`) while it still ran;
    the verdict is then ``ok`` unless a limit was passed first."""
