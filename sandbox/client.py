"""Connecting to the Docker engine, with errors that say what to do."""

from __future__ import annotations

import docker
import docker.errors
import requests.exceptions

from sandbox.errors import InfrastructureError

__all__ = ["DOCKER_ERRORS", "connect", "ping"]

# Everything the SDK raises when the daemon is gone, slow or refuses; turned into
# InfrastructureError at the package's edges.
DOCKER_ERRORS: tuple[type[BaseException], ...] = (
    docker.errors.DockerException,
    requests.exceptions.RequestException,
    ConnectionError,
    TimeoutError,
)

_HOW_TO_FIX = "Start it with scripts/ensure-docker.sh (or check DOCKER_HOST), then retry."


def connect(timeout: int = 60) -> docker.DockerClient:
    """A client for the engine named by the environment (``DOCKER_HOST`` or the local socket)."""
    try:
        client = docker.from_env(timeout=timeout)
    except DOCKER_ERRORS as exc:
        raise InfrastructureError(f"Docker engine not reachable: {exc}. {_HOW_TO_FIX}") from exc
    ping(client)
    return client


def ping(client: docker.DockerClient) -> None:
    """Raise :class:`InfrastructureError` unless the engine answers."""
    try:
        client.api.ping()
    except DOCKER_ERRORS as exc:
        raise InfrastructureError(
            f"Docker engine at {client.api.base_url} does not answer: {exc}. {_HOW_TO_FIX}"
        ) from exc
