"""make bench-scale: distributed mode's throughput and queue wait on this machine.

Starts PostgreSQL and Redis on loopback, the API in distributed mode, and ``harness worker``
processes (one slot each, own data folders). For one worker and then for two, candidates upload a
burst of submissions through the candidate API (start the clock, multipart upload); the script
waits until all are graded and reports:

- throughput: submissions graded per hour, from the first upload to the last report;
- queue wait (upload to a worker's claim) at the median and the 95th percentile;
- grading time (claim to report) at the median.

Default: 50 uploads of the shipped baseline solution on the real support-tickets assignment.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.submissions.models import Submission  # noqa: E402
from tests.db.factories import make_invitation  # noqa: E402
from tests.distributed.cluster import Cluster, tiny_files  # noqa: E402
from tests.distributed.services import PostgresServer, RedisServer  # noqa: E402


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
    return buf.getvalue()


def _solution(name: str) -> dict[str, bytes]:
    if name == "tiny":
        return {k: v if isinstance(v, bytes) else v.encode() for k, v in tiny_files().items()}
    root = REPO / "assignments" / "support_tickets" / "solutions" / name
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and not p.name.endswith(".pyc")
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _burst(cluster: Cluster, files: dict[str, bytes], uploads: int, candidates: int, tag: str) -> list[int]:
    """``uploads`` submissions from ``candidates`` candidates, through the candidate API."""
    tokens = []
    with cluster.db.session(write=True) as s:
        for i in range(candidates):
            _, token = make_invitation(s, name=f"{tag}-{i}", email=f"{tag}-{i}@example.com",
                                       spec=cluster.assignment.spec)
            tokens.append(token)
    ids = []
    with httpx.Client(base_url=cluster.api_url, timeout=60) as client:
        for token in tokens:
            r = client.post(f"/api/c/{token}/start")
            r.raise_for_status()
        for n in range(uploads):
            token = tokens[n % candidates]
            # A comment makes each archive its own blob, as real uploads are.
            archive = _zip({**files, "VERSION.txt": f"{tag} upload {n}\n".encode()})
            r = client.post(f"/api/c/{token}/submissions",
                            files={"file": (f"solution-{n}.zip", archive, "application/zip")})
            r.raise_for_status()
            ids.append(int(r.json()["id"]))
    return ids


def _measure(cluster: Cluster, ids: list[int], started: float, timeout: float) -> dict[str, float]:
    cluster.wait_finished(ids, timeout=timeout)
    elapsed = time.monotonic() - started
    with cluster.db.session() as s:
        subs = [s.get(Submission, sid) for sid in ids]
    statuses = {sub.status for sub in subs if sub is not None}
    if statuses != {"graded"}:
        raise SystemExit(f"not all graded: {statuses}\n{cluster.describe()}")
    waits = [(sub.started_at - sub.created_at).total_seconds() for sub in subs if sub and sub.started_at]
    grading = [(sub.graded_at - sub.started_at).total_seconds()
               for sub in subs if sub and sub.started_at and sub.graded_at]
    return {
        "submissions": len(ids),
        "elapsed_s": round(elapsed, 1),
        "per_hour": round(len(ids) / elapsed * 3600),
        "wait_median_s": round(statistics.median(waits), 1),
        "wait_p95_s": round(_percentile(waits, 0.95), 1),
        "grade_median_s": round(statistics.median(grading), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--uploads", type=int, default=50, help="burst size (default 50)")
    parser.add_argument("--candidates", type=int, default=25, help="candidates sharing the burst")
    parser.add_argument("--solution", default="baseline", choices=["baseline", "reference", "tiny"],
                        help="what is uploaded (tiny: a keyword model on a tiny assignment)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    import sandbox

    print("sandbox image:", sandbox.ensure_image(sandbox.ImageRecipe(), progress=lambda m: print(" ", m)))
    redis_server, postgres = RedisServer().start(), PostgresServer().start()
    root = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    cluster = Cluster(root, postgres.create_database("bench"), redis_server.url,
                      heartbeat_s=10.0, stale_after_s=120.0,
                      assignment_name="tiny" if args.solution == "tiny" else "support-tickets")
    results: dict[str, dict[str, float]] = {}
    try:
        cluster.start()
        files = _solution(args.solution)
        for workers in (1, 2):
            while len(cluster.workers) < workers:
                cluster.start_worker(f"bench{len(cluster.workers) + 1}")
            print(f"\n{workers} worker(s): burst of {args.uploads} uploads from {args.candidates} candidates")
            started = time.monotonic()
            ids = _burst(cluster, files, args.uploads, args.candidates, tag=f"w{workers}")
            print(f"  uploaded in {time.monotonic() - started:.1f} s; grading...")
            results[f"{workers}_worker"] = figures = _measure(cluster, ids, started, timeout=3600)
            print("  " + json.dumps(figures))
    finally:
        cluster.stop()
        redis_server.stop()
        postgres.stop()
    print("\n| workers | submissions/hour | queue wait median | queue wait p95 | grading median |")
    print("|---|---|---|---|---|")
    for key, f in results.items():
        print(f"| {key.split('_')[0]} | {f['per_hour']:.0f} | {f['wait_median_s']:.1f} s | "
              f"{f['wait_p95_s']:.1f} s | {f['grade_median_s']:.1f} s |")
    if args.json:
        args.json.write_text(json.dumps({"solution": args.solution, **results}, indent=2))


if __name__ == "__main__":
    main()
