from tests.db.fixtures import db, migrated_template, settings  # noqa: F401

# The corpus holds candidates' code (their tests included): material for the checks, not tests.
collect_ignore_glob = ["corpus/independent/*", "corpus/copies/*"]
