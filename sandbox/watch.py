"""What the runner measures from the host while a container runs: its cgroup's peak memory and
the size of its writable output folders (bind mounts have no size cap of their own)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from sandbox.walk import WalkLimitError, walk_nofollow

__all__ = ["ENTRY_CHARGE", "MemoryProbe", "OutputMeter"]

ENTRY_CHARGE = 4096
"""Bytes counted per file or folder on top of its size: every entry costs the host at least a
block, and the charge bounds how many entries a walk must visit."""

_CGROUP_ROOT = Path("/sys/fs/cgroup")


class MemoryProbe:
    """Samples the container's cgroup memory high-water mark (page cache included, as the
    memory limit counts it). Works where the engine runs on this host with cgroup v1 (cgroupfs or
    systemd driver) or v2 (kernel 5.19+); elsewhere :attr:`peak` stays ``None``."""

    def __init__(self, container_id: str) -> None:
        self.peak: int | None = None
        """Highest value read so far."""
        self._fd: int | None = None
        for path in _candidate_files(container_id):
            try:
                self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                continue
            break

    @property
    def available(self) -> bool:
        """Whether the cgroup file was found."""
        return self._fd is not None

    def sample(self) -> None:
        """Read the high-water mark once (a cheap ``pread`` of one sysfs file)."""
        if self._fd is None:
            return
        try:
            value = int(os.pread(self._fd, 64, 0).split()[0])
        except (OSError, ValueError, IndexError):
            return  # the cgroup is gone with the container; keep the last reading
        if self.peak is None or value > self.peak:
            self.peak = value

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _candidate_files(container_id: str) -> Iterable[Path]:
    v1 = _CGROUP_ROOT / "memory"
    yield v1 / "docker" / container_id / "memory.max_usage_in_bytes"
    yield v1 / "system.slice" / f"docker-{container_id}.scope" / "memory.max_usage_in_bytes"
    yield _CGROUP_ROOT / "docker" / container_id / "memory.peak"
    yield _CGROUP_ROOT / "system.slice" / f"docker-{container_id}.scope" / "memory.peak"


class OutputMeter:
    """Measures the writable output folders without following links."""

    def __init__(self, folders: Iterable[Path], cap: int) -> None:
        self._folders = list(folders)
        self.cap = cap
        """Most bytes (sizes plus :data:`ENTRY_CHARGE` per entry) allowed in all."""

    def over_cap(self) -> bool:
        """Whether the folders hold more than :attr:`cap`. Stops walking as soon as they do."""
        total = 0
        max_entries = self.cap // ENTRY_CHARGE + 1
        for folder in self._folders:
            try:
                for entry in walk_nofollow(folder, max_entries=max_entries, max_depth=64):
                    size = entry.st.st_size if stat.S_ISREG(entry.st.st_mode) else 0
                    total += size + ENTRY_CHARGE
                    if total > self.cap:
                        return True
            except WalkLimitError:
                return True
            except OSError:
                continue  # the folder itself vanished: the runner's own checks report that
        return False
