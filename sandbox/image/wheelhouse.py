"""The wheelhouse: every wheel the image installs, downloaded on the host with ``pip download``.

The image build itself runs with no network and installs from here with ``--no-index``. The
folder is cached by a hash of the lock file and the target platform, so it is filled once.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sandbox.errors import InfrastructureError

__all__ = ["PIP_PIN", "fill_wheelhouse", "platform_tags"]

PIP_PIN = "pip==26.3"
"""pip's own wheel, used inside the build to install the others."""

PYTHON_VERSION = "3.11"
ABI = "cp311"
# Debian bookworm has glibc 2.36: any manylinux wheel up to that runs on the image.
_GLIBC_MINORS = range(17, 37)
_COMPLETE = ".complete"


def platform_tags(arch: str) -> list[str]:
    """pip ``--platform`` values for a Linux machine of ``arch`` (``x86_64``, ``aarch64``)."""
    return ["manylinux2014_" + arch] + [f"manylinux_2_{m}_{arch}" for m in _GLIBC_MINORS]


def fill_wheelhouse(lock_file: Path, *, arch: str, cache_dir: Path) -> Path:
    """Return a folder holding a wheel for every line of ``lock_file`` plus pip, downloading
    them on first use."""
    lock = lock_file.read_bytes()
    key = hashlib.sha256(b"\0".join([lock, PIP_PIN.encode(), arch.encode(), ABI.encode()]))
    target = cache_dir / "wheelhouse" / key.hexdigest()[:16]
    if (target / _COMPLETE).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="downloading-", dir=target.parent))
    try:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--dest",
            str(staging),
            "--only-binary=:all:",
            "--no-deps",
            "--python-version",
            PYTHON_VERSION,
            "--implementation",
            "cp",
            "--abi",
            ABI,
        ]
        for tag in platform_tags(arch):
            cmd += ["--platform", tag]
        cmd += ["-r", str(lock_file), PIP_PIN]
        # Host pip settings (extra find-links, a constraints file for unrelated packages) must
        # not change what lands in the image: the lock pins every version, and constraints
        # meant for the host's own installs would only get in the way.
        env = {k: v for k, v in os.environ.items() if k != "PIP_CONSTRAINT"}
        env["PIP_CONSTRAINT"] = ""
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            lines = [
                ln for ln in (proc.stdout + proc.stderr).splitlines() if "is ignored" not in ln
            ]
            tail = "\n".join(lines[-15:])
            raise InfrastructureError(
                f"pip download of the sandbox's packages failed (exit {proc.returncode}); PyPI "
                f"must be reachable the first time the image is built:\n{tail}"
            )
        (staging / _COMPLETE).write_text(lock.decode("utf-8", "replace"))
        if target.exists():  # another process filled it meanwhile
            shutil.rmtree(staging, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
