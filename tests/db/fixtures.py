"""Database fixtures shared by the web-app test folders (imported by their conftest files).

Each test gets a real database: a copy of a SQLite file migrated once per session, or, when
``HARNESS_TEST_DATABASE_URL`` names a PostgreSQL database, that database migrated once and
emptied before each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from harness.db.engine import Database
from harness.db.migrate import upgrade_head
from harness.migrations.all_models import Base
from harness.settings import Environment, Settings

TEST_SECRET = "test-secret-key-0123456789abcdef0123456789"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("HARNESS_TEST_DATABASE_URL")
    if url:
        upgrade_head(url)
        return url
    path = tmp_path_factory.mktemp("dbtemplate") / "template.db"
    upgrade_head(f"sqlite:///{path}")
    return str(path)


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        environment=Environment.test,
        data_dir=data_dir,
        secret_key=TEST_SECRET,
        demo=False,
        workers=0,
        # Links are built on the public URL; the test client calls the app as "testserver".
        public_url="http://testserver",
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, migrated_template: str) -> Settings:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    if migrated_template.startswith("postgresql"):
        _truncate(migrated_template)
        return make_settings(data_dir, database_url=migrated_template)
    shutil.copy(migrated_template, data_dir / "harness.db")
    return make_settings(data_dir)


def _truncate(url: str) -> None:
    database = Database(url)
    with database.engine.begin() as conn:
        names = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    database.dispose()


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.resolved_database_url)
    yield database
    database.dispose()
