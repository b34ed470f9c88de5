import pytest

from tests.api.fixtures import env  # noqa: F401
from tests.browser.fixtures import browser, live_server, page  # noqa: F401
from tests.db.fixtures import db, migrated_template, settings  # noqa: F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in item.name or "xss" in item.nodeid:
            item.add_marker(pytest.mark.browser)
