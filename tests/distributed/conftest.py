"""Real Redis and PostgreSQL on loopback, once per test session; a fresh database per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

import sandbox
from tests.db.fixtures import db, migrated_template, settings  # noqa: F401
from tests.distributed.cluster import Cluster
from tests.distributed.fixtures import serving_wapi, wapi  # noqa: F401
from tests.distributed.services import PostgresServer, RedisServer

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def database_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(f"harness_{next(_databases)}")


@pytest.fixture
def broker_url(redis_server: RedisServer) -> str:
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()  # a test restarted it and failed before it came back
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def cluster(tmp_path: Path, database_url: str, broker_url: str) -> Iterator[Cluster]:
    running = Cluster(tmp_path, database_url, broker_url).start()
    yield running
    running.stop()
    # A worker the test killed with SIGKILL leaves its container behind, as a crash would; the
    # harness's own start-up cleanup removes such leftovers, and so does the test.
    sandbox.Sandbox().cleanup_leftovers()
