"""Run as a separate process by the restart test: claims a job, then hangs until SIGKILLed."""

from __future__ import annotations

import sys
import time

from harness.db.engine import Database
from harness.jobs.embedded import EmbeddedWorkerPool
from tests.db.fixtures import make_settings
from tests.jobs.helpers import RecordingGrader, runtime


def main() -> None:
    data_dir = sys.argv[1]
    from pathlib import Path

    url = sys.argv[2] if len(sys.argv) > 2 else None
    settings = make_settings(Path(data_dir), **({"database_url": url} if url else {}))
    db = Database(settings.resolved_database_url)
    pool = EmbeddedWorkerPool(
        runtime(settings, db, RecordingGrader(delay=3600), heartbeat_s=0.5), 1, poll_s=0.1
    )
    pool.start()
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
