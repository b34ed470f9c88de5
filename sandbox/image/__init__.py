"""Building the sandbox image, offline-capable, tagged by a hash of its inputs.

Steps: (1) a base image with Python 3.11 (registry or debootstrap), (2) a wheelhouse filled by
``pip download`` on the host, (3) a Docker build with no network that installs the wheelhouse into
``/opt/venv`` with ``--no-index``, (4) a check that the image runs a notebook with no network.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors

from sandbox.client import DOCKER_ERRORS, connect
from sandbox.errors import InfrastructureError
from sandbox.image.base import BOOTSTRAP_RECIPE, REGISTRY_BASE, resolve_base
from sandbox.image.wheelhouse import PIP_PIN, fill_wheelhouse
from sandbox.user import SANDBOX_GID, SANDBOX_HOME, SANDBOX_UID

__all__ = [
    "DEFAULT_LOCK_FILE",
    "RUNTIME_FILES",
    "ImageRecipe",
    "default_cache_dir",
    "ensure_image",
    "image_tag",
    "prune_images",
]

_PACKAGE = Path(__file__).resolve().parent.parent
DEFAULT_LOCK_FILE = _PACKAGE / "environment.lock"
"""The pinned grading environment shipped with the package."""
DOCKERFILE_TEMPLATE = Path(__file__).resolve().parent / "Dockerfile.tmpl"
RUNTIME_FILES = (_PACKAGE / "runtime" / "run_notebook.py",)
"""Copied to ``/opt/harness/`` in the image."""

_IMAGE_LABEL = "takehome-harness.sandbox.image"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/takehome-harness`` (``~/.cache/takehome-harness``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "takehome-harness"


@dataclass(frozen=True)
class ImageRecipe:
    """Everything the sandbox image is made from."""

    lock_file: Path = DEFAULT_LOCK_FILE
    """Pinned packages, one ``name==version`` a line."""
    base_image: str | None = None
    """A base image with Python 3.11 at ``python3``; ``None`` tries ``python:3.11-slim`` from a
    registry, else bootstraps Debian bookworm with debootstrap."""
    debian_mirror: str = "http://deb.debian.org/debian"
    """Mirror for debootstrap. Not part of the tag: it changes where, not what."""
    repo: str = "takehome-sandbox"
    """Repository part of the image tag."""
    cache_dir: Path | None = field(default=None, compare=False)
    """Wheelhouse and scratch space; ``None`` means :func:`default_cache_dir`. Not part of the tag."""


def image_tag(recipe: ImageRecipe) -> str:
    """``<repo>:<hash>`` where the hash covers every input that changes the image's content:
    the lock file, the Dockerfile template, the runtime scripts, pip's version and the base choice."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("lock", _read(recipe.lock_file, "lock file"))
    add("dockerfile", DOCKERFILE_TEMPLATE.read_bytes())
    for path in RUNTIME_FILES:
        add(f"runtime/{path.name}", path.read_bytes())
    add("pip", PIP_PIN.encode())
    add("user", f"{SANDBOX_UID}:{SANDBOX_GID}:{SANDBOX_HOME}".encode())
    if recipe.base_image is not None:
        add("base", recipe.base_image.encode())
    else:
        add("base", f"auto: {REGISTRY_BASE} else {BOOTSTRAP_RECIPE}".encode())
    return f"{recipe.repo}:{digest.hexdigest()[:20]}"


def ensure_image(
    recipe: ImageRecipe,
    *,
    client: docker.DockerClient | None = None,
    progress: Callable[[str], None] = lambda message: None,
    force: bool = False,
) -> str:
    """Return the image's tag, building it first if it is missing (or ``force``).

    Raises :class:`InfrastructureError` when the engine, the registries or the build fail.
    """
    tag = image_tag(recipe)
    client = client or connect()
    if not force and _exists(client, tag):
        return tag
    cache_dir = recipe.cache_dir or default_cache_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(cache_dir):
        if not force and _exists(client, tag):  # built by another process while we waited
            return tag
        progress("base image with Python 3.11 (1/4)...")
        base = resolve_base(
            client,
            base_image=recipe.base_image,
            mirror=recipe.debian_mirror,
            work_dir=cache_dir / "scratch",
            progress=progress,
        )
        progress("downloading wheels (2/4)...")
        wheels = fill_wheelhouse(recipe.lock_file, arch=_daemon_arch(client), cache_dir=cache_dir)
        progress(f"building {tag} with no network (3/4)...")
        _build(client, tag, base=base, lock_file=recipe.lock_file, wheels=wheels, progress=progress)
        progress("checking that the image runs a notebook offline (4/4)...")
        try:
            _verify(client, tag)
        except BaseException:
            _remove_quietly(client, tag)
            raise
        progress(f"sandbox image ready: {tag}")
    return tag


def prune_images(recipe: ImageRecipe, *, client: docker.DockerClient | None = None) -> list[str]:
    """Remove sandbox images of ``recipe.repo`` other than the current tag (left by earlier
    inputs). Images still used by a container are kept. Returns the tags removed."""
    keep = image_tag(recipe)
    client = client or connect()
    removed: list[str] = []
    try:
        images = client.images.list(name=recipe.repo, filters={"label": _IMAGE_LABEL})
    except DOCKER_ERRORS as exc:
        raise InfrastructureError(f"Docker could not list images: {exc}") from exc
    for image in images:
        for tag in image.tags:
            if tag == keep or not tag.startswith(f"{recipe.repo}:"):
                continue
            try:
                client.images.remove(tag)
            except docker.errors.APIError:
                continue  # in use by a container, or removed meanwhile
            except DOCKER_ERRORS as exc:
                raise InfrastructureError(f"Docker could not remove image {tag}: {exc}") from exc
            removed.append(tag)
    return removed


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InfrastructureError(f"cannot read the sandbox {what} {path}: {exc}") from exc


def _exists(client: docker.DockerClient, tag: str) -> bool:
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    except DOCKER_ERRORS as exc:
        raise InfrastructureError(f"Docker API error while looking for image {tag}: {exc}") from exc
    return True


def _remove_quietly(client: docker.DockerClient, tag: str) -> None:
    with contextlib.suppress(*DOCKER_ERRORS):
        client.images.remove(tag, force=True)


@contextlib.contextmanager
def _build_lock(cache_dir: Path) -> Iterator[None]:
    # Two harness processes starting at once build the image once, not twice.
    with open(cache_dir / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _daemon_arch(client: docker.DockerClient) -> str:
    try:
        arch = str(client.version().get("Arch", "amd64"))
    except DOCKER_ERRORS as exc:
        raise InfrastructureError(f"Docker API error asking the engine's version: {exc}") from exc
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def _build(
    client: docker.DockerClient,
    tag: str,
    *,
    base: str,
    lock_file: Path,
    wheels: Path,
    progress: Callable[[str], None],
) -> None:
    wheel_files = sorted(p for p in wheels.iterdir() if p.suffix == ".whl")
    pip_wheel = next((p.name for p in wheel_files if p.name.startswith("pip-")), None)
    if pip_wheel is None:
        raise InfrastructureError(f"the wheelhouse {wheels} has no pip wheel; delete it and retry")
    dockerfile = DOCKERFILE_TEMPLATE.read_text().format(
        base=base, pip_wheel=pip_wheel, uid=SANDBOX_UID, gid=SANDBOX_GID, home=SANDBOX_HOME
    )
    with tempfile.TemporaryFile() as context:
        # The context is assembled from where the files already are rather than copied to a folder.
        with tarfile.open(fileobj=context, mode="w") as tar:
            _add_bytes(tar, "Dockerfile", dockerfile.encode())
            tar.add(str(lock_file), arcname="environment.lock")
            for path in wheel_files:
                tar.add(str(path), arcname=f"wheels/{path.name}")
            for path in RUNTIME_FILES:
                tar.add(str(path), arcname=f"runtime/{path.name}")
        context.seek(0)
        lines: list[str] = []
        try:
            stream = client.api.build(
                fileobj=context,
                custom_context=True,
                tag=tag,
                rm=True,
                forcerm=True,
                network_mode="none",
                decode=True,
                labels={_IMAGE_LABEL: "1"},
            )
            for chunk in stream:
                _follow_build(chunk, lines, progress)
        except DOCKER_ERRORS as exc:
            raise InfrastructureError(f"Docker API error while building {tag}: {exc}") from exc
    if not _exists(client, tag):
        raise InfrastructureError(f"the build of {tag} ended but the image is not there")


def _follow_build(chunk: dict[str, Any], lines: list[str], progress: Callable[[str], None]) -> None:
    if "error" in chunk:
        tail = "\n".join(lines[-20:])
        raise InfrastructureError(f"building the sandbox image failed: {chunk['error']}\n{tail}")
    text = str(chunk.get("stream", "")).rstrip()
    if text:
        lines.append(text)
        del lines[:-50]
        if text.startswith("Step "):
            progress(f"  {text}")


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _verify(client: docker.DockerClient, tag: str) -> None:
    # Imported here: the runner is only needed on the (rare) build path.
    from sandbox.image.verify import verify_image

    verify_image(client, tag)
