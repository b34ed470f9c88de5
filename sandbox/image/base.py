"""The base image: a registry's Python image where one answers, else a bootstrapped Debian.

The bootstrapped base is ``debootstrap --variant=minbase`` of Debian bookworm with Python 3.11,
trimmed and imported with ``docker import``, tagged by a hash of how it was made so it is built
once per machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

from sandbox.client import DOCKER_ERRORS
from sandbox.errors import InfrastructureError

__all__ = ["BOOTSTRAP_RECIPE", "REGISTRY_BASE", "bootstrap_base_tag", "resolve_base"]

REGISTRY_BASE = "python:3.11-slim"
"""Tried first when no base image is given."""

SUITE = "bookworm"
INCLUDE = "python3,python3-venv"
# Removed from the bootstrapped tree: documentation, translations and apt's downloads, which no
# grading run reads.
TRIM = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "usr/share/lintian",
    "var/cache/apt",
    "var/lib/apt/lists",
    "var/log",
)
BOOTSTRAP_RECIPE = (
    f"debootstrap --variant=minbase --include={INCLUDE} {SUITE}; trim {' '.join(TRIM)}"
)
"""What defines the bootstrapped base; part of its tag and of the sandbox image's tag."""

BASE_REPO = "takehome-sandbox-base"
_PULL_TIMEOUT_S = 30


def bootstrap_base_tag() -> str:
    """Tag of the bootstrapped base (the mirror it came from does not change what it is)."""
    digest = hashlib.sha256(BOOTSTRAP_RECIPE.encode()).hexdigest()[:16]
    return f"{BASE_REPO}:{digest}"


def resolve_base(
    client: docker.DockerClient,
    *,
    base_image: str | None,
    mirror: str,
    work_dir: Path,
    progress: Callable[[str], None],
) -> str:
    """Make sure a base image is present locally and return its reference."""
    if base_image is not None:
        if _present(client, base_image) or _try_pull(client, base_image):
            return base_image
        raise InfrastructureError(
            f"base image {base_image!r} is neither present nor pullable; load it with "
            "`docker load`, or leave the base unset to bootstrap one with debootstrap"
        )
    tag = bootstrap_base_tag()
    if _present(client, tag):
        return tag
    if _present(client, REGISTRY_BASE) or _try_pull(client, REGISTRY_BASE):
        return REGISTRY_BASE
    progress(f"no registry answers: debootstrap {SUITE} from {mirror} (about a minute)")
    _bootstrap(client, tag, mirror=mirror, work_dir=work_dir, progress=progress)
    return tag


def _present(client: docker.DockerClient, ref: str) -> bool:
    try:
        client.images.get(ref)
    except docker.errors.ImageNotFound:
        return False
    except DOCKER_ERRORS as exc:
        raise InfrastructureError(f"Docker API error while looking for image {ref}: {exc}") from exc
    return True


def _try_pull(client: docker.DockerClient, ref: str) -> bool:
    repo, _, tag = ref.partition(":")
    outcome: list[bool] = []

    def pull() -> None:
        try:
            client.api.pull(repo, tag=tag or "latest")
            outcome.append(True)
        except DOCKER_ERRORS:
            outcome.append(False)

    # docker-py pulls with no timeout; a registry that hangs must cost seconds, not forever. A
    # pull still going on after the wait finishes in the background, harmlessly.
    worker = threading.Thread(target=pull, name=f"pull {ref}", daemon=True)
    worker.start()
    worker.join(_PULL_TIMEOUT_S)
    return bool(outcome and outcome[0]) and _present(client, ref)


def _debootstrap_binary(progress: Callable[[str], None]) -> str:
    found = shutil.which("debootstrap") or next(
        (p for p in ("/usr/sbin/debootstrap", "/sbin/debootstrap") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfrastructureError(
            "no registry answers and debootstrap is not installed. As root on Debian/Ubuntu run "
            "`apt-get install debootstrap`, or set a base image (HARNESS_SANDBOX_BASE_IMAGE) that "
            "is already loaded in Docker"
        )
    progress("installing debootstrap with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "debootstrap"]):
        _run(cmd, env=env, what="installing debootstrap")
    found = shutil.which("debootstrap") or "/usr/sbin/debootstrap"
    if not os.access(found, os.X_OK):
        raise InfrastructureError("apt-get installed debootstrap but it cannot be found on PATH")
    return found


def _bootstrap(
    client: docker.DockerClient,
    tag: str,
    *,
    mirror: str,
    work_dir: Path,
    progress: Callable[[str], None],
) -> None:
    debootstrap = _debootstrap_binary(progress)
    if os.geteuid() != 0:
        raise InfrastructureError(
            "debootstrap needs root to build the sandbox's base image: run `harness sandbox build` "
            "once as root, or set HARNESS_SANDBOX_BASE_IMAGE to an image already loaded in Docker"
        )
    work_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="rootfs-", dir=work_dir))
    try:
        rootfs = scratch / "rootfs"
        _run(
            [debootstrap, "--variant=minbase", f"--include={INCLUDE}", SUITE, str(rootfs), mirror],
            what=f"debootstrap {SUITE} from {mirror}",
        )
        for rel in TRIM:
            target = rootfs / rel
            if target.is_dir() and not target.is_symlink():
                for child in target.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
        progress("importing the bootstrapped base into Docker")
        archive = scratch / "rootfs.tar"
        _run(
            [
                "tar",
                "--numeric-owner",
                "-C",
                str(rootfs),
                "--exclude=./dev/*",
                "--exclude=./proc/*",
                "--exclude=./sys/*",
                "-cf",
                str(archive),
                ".",
            ],
            what="archiving the bootstrapped tree",
        )
        repo, _, version = tag.partition(":")
        try:
            client.api.import_image_from_file(str(archive), repository=repo, tag=version)
        except DOCKER_ERRORS as exc:
            raise InfrastructureError(f"docker import of the base image failed: {exc}") from exc
        if not _present(client, tag):
            raise InfrastructureError(f"docker import finished but {tag} is not there")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(cmd: list[str], *, what: str, env: dict[str, str] | None = None) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    except OSError as exc:
        raise InfrastructureError(f"{what} could not start: {exc}") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise InfrastructureError(f"{what} failed (exit {proc.returncode}):\n{tail}")
