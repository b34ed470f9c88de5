from tests.api.fixtures import env  # noqa: F401
from tests.db.fixtures import db, migrated_template, settings  # noqa: F401
