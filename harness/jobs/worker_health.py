"""Worker health in Redis: each ``harness worker`` refreshes a key; the API lists the live ones.

A key expires a few heartbeats after its worker stops refreshing it, so a dead or cut-off
worker disappears from ``/api/workers`` and from the capacity the dispatcher hands jobs to.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import redis
from pydantic import BaseModel, ValidationError
from redis.backoff import NoBackoff
from redis.retry import Retry

__all__ = ["KEY_PREFIX", "WorkerBeat", "WorkerRegistry", "redis_client"]

log = logging.getLogger(__name__)

KEY_PREFIX = "harness:worker:"


def redis_client(url: str, *, timeout_s: float = 5.0, retries: int = 3) -> redis.Redis:
    """A client with bounded waits: background loops retry on their next pass anyway, and a
    page showing workers must not hang on an absent Redis (``timeout_s=1, retries=0``)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=15,
        retry=Retry(NoBackoff(), retries),
    )


class WorkerBeat(BaseModel):
    """What a worker says about itself at each heartbeat."""

    name: str
    host: str
    pid: int
    slots: int
    """Jobs it grades at once (``--concurrency``)."""
    healthy: bool
    """Its Docker engine answered."""
    problem: str = ""
    version: str = ""
    image: str = ""
    started_at: datetime
    last_seen: datetime


class WorkerRegistry:
    def __init__(self, client: redis.Redis, *, ttl_s: float = 30.0) -> None:
        self.client = client
        self.ttl_s = ttl_s

    def beat(self, beat: WorkerBeat) -> None:
        self.client.set(
            KEY_PREFIX + beat.name, beat.model_dump_json(), px=max(1000, int(self.ttl_s * 1000))
        )

    def remove(self, name: str) -> None:
        self.client.delete(KEY_PREFIX + name)

    def live(self) -> list[WorkerBeat]:
        keys = sorted(self.client.scan_iter(match=KEY_PREFIX + "*", count=500))
        if not keys:
            return []
        beats = []
        for raw in self.client.mget(keys):
            if raw is None:  # expired between SCAN and MGET
                continue
            try:
                beats.append(WorkerBeat.model_validate(json.loads(raw)))
            except (ValueError, ValidationError):
                log.warning("ignoring a malformed worker heartbeat in Redis")
        return beats
