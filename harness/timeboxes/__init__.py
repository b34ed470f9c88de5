"""The time box of an invitation in the database: start, extensions, upload timing."""
