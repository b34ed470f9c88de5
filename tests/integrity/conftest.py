from tests.db.fixtures import db, migrated_template, settings  # noqa: F401
