"""Job dispatch: the one grading task and the two ways to run it (embedded pool, Celery workers)."""
