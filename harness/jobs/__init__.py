"""Job dispatch: the grading task and the ways to run it (embedded pool now, Celery in issue 6)."""
