"""The distributed deployment for real: PostgreSQL, Redis, the API and ``harness worker`` processes
grading in Docker, each worker with its own empty data folder (no shared filesystem).
"""

from __future__ import annotations

import csv
import time

import pytest

import sandbox
from harness.db.base import utcnow
from tests.distributed.cluster import Cluster, tiny_files, wait_for
from tests.distributed.services import RedisServer

pytestmark = [pytest.mark.docker, pytest.mark.services]


def _overlap(spans: list[tuple[float, float]]) -> bool:
    return any(a0 < b1 and b0 < a1 for i, (a0, a1) in enumerate(spans) for b0, b1 in spans[i + 1:])


def test_two_workers_grade_a_batch_concurrently_and_fairly(
    cluster: Cluster, sandbox_image: str
) -> None:
    # One candidate's burst first, then another candidate's single upload, all queued before
    # the workers come up: what is judged is the order of hand-out, not the race between
    # uploads and a fast first job.
    burst = [cluster.submit(tiny_files(tag=f"a{i}"), candidate="burst") for i in range(5)]
    other = cluster.submit(tiny_files(tag="b"), candidate="other")
    a = cluster.start_worker("alpha")
    b = cluster.start_worker("beta")
    ids = [*burst, other]
    cluster.wait_finished(ids, timeout=240)

    subs = {sid: cluster.submission(sid) for sid in ids}
    assert {s.status for s in subs.values()} == {"graded"}, cluster.describe()
    for sid in ids:
        reports = cluster.reports(sid)
        assert len(reports) == 1 and reports[0].current, (sid, reports)
        body = reports[0].body
        # Scored on the API against labels the workers never had.
        accuracy = next(g for g in body["graders"] if g["name"] == "accuracy")
        assert accuracy["status"] == "ok" and accuracy["metrics"]["accuracy"] > 0.5, accuracy
        assert [s["name"] for s in body["stages"]] == ["static", "tests", "mutation", "train", "predict",
                                                       "predict_nomodel", "score"]
        assert body["integrity"]["model_dependence"]["result"] == "depends"
        assert body["sandbox_image"] == sandbox_image
    workers = {r.worker.rpartition(":")[0] for sid in ids for r in cluster.reports(sid) if r.worker}
    assert workers == {"alpha", "beta"}, workers
    spans = [(s.started_at.timestamp(), s.graded_at.timestamp()) for s in subs.values()
             if s.started_at and s.graded_at]
    assert _overlap(spans), "the two workers never graded at the same time"
    # Fair: the other candidate's upload, queued last, is among the first three to start.
    order = sorted(ids, key=lambda sid: subs[sid].started_at)  # type: ignore[arg-type,return-value]
    assert order.index(other) <= 2, order

    # No shared filesystem, no labels: what a worker keeps is its input cache (the public train
    # CSV and the held-out features), and no file holding held-out ids has a label column.
    held_out = {line.split(",")[0] for line in
                (cluster.assignment.root / "private" / "heldout_labels.csv").read_text().splitlines()[1:]}
    for worker in (a, b):
        kept = [p for p in worker.data_dir.rglob("*") if p.is_file() and p.suffix == ".csv"]
        assert len(kept) == 2, kept
        for path in kept:
            rows = list(csv.reader(path.open(newline="")))
            if held_out & {row[0] for row in rows[1:]}:
                assert rows[0] == ["id", "subject", "body", "channel"], (path, rows[0])
                assert len(held_out & {row[0] for row in rows[1:]}) == len(held_out)
    shown = {w.name: w for w in cluster.dispatcher.worker_info()}
    assert shown["alpha"].slots == 1 and shown["alpha"].healthy, shown


def test_sigkilled_worker_leaves_its_job_to_the_other(cluster: Cluster, sandbox_image: str) -> None:
    cluster.start_worker("doomed")
    sid = cluster.submit(tiny_files(train_sleep_s=8, tag="slow"))
    wait_for(lambda: cluster.submission(sid).stage == "train", 90, "training to start",
             on_timeout=cluster.describe)
    assert cluster.submission(sid).claimed_by.startswith("doomed:")  # type: ignore[union-attr]
    cluster.start_worker("survivor")
    cluster.kill_worker("doomed")
    killed_at = time.monotonic()
    cluster.wait_finished([sid], timeout=180)
    sub = cluster.submission(sid)
    assert sub.status == "graded" and sub.attempts == 2, cluster.describe()
    reports = cluster.reports(sid)
    assert len(reports) == 1 and reports[0].current and reports[0].worker.startswith("survivor:")  # type: ignore[union-attr]
    assert cluster.current_reports(sid) == 1
    assert time.monotonic() - killed_at < 120
    # The killed worker's training container outlived it; the next start on this host removes
    # it (``harness worker`` cleans up the containers of dead processes before taking work).
    assert sandbox.Sandbox().cleanup_leftovers() >= 1


def test_redis_restarted_mid_run_loses_no_job(
    cluster: Cluster, redis_server: RedisServer, sandbox_image: str
) -> None:
    cluster.start_worker("one")
    cluster.start_worker("two")
    ids = [cluster.submit(tiny_files(train_sleep_s=3, tag=str(i)), candidate=f"c{i}") for i in range(6)]
    wait_for(lambda: list(cluster.statuses(ids).values()).count("running") == 2, 90,
             "both workers to be grading", on_timeout=cluster.describe)
    # Everything Redis held goes: queued messages, unacknowledged ones, heartbeats, dispatch state.
    restarted = utcnow()
    redis_server.restart(down_s=2.0)
    cluster.wait_finished(ids, timeout=240)
    assert set(cluster.statuses(ids).values()) == {"graded"}, cluster.describe()
    for sid in ids:
        assert [r.current for r in cluster.reports(sid)] == [True], sid
    # Both workers came back on the new Redis and took the other jobs through it.
    names = {w.name for w in cluster.dispatcher.worker_info()}
    assert names == {"one", "two"}
    later = [cluster.submission(sid) for sid in ids]
    after = [s for s in later if s.started_at is not None and s.started_at > restarted]
    assert len(after) >= 4, cluster.describe()
    assert {r.worker.rpartition(":")[0] for s in after for r in cluster.reports(s.id) if r.worker} == names
