#!/usr/bin/env python3
"""``make bench-web``: web latency with 10,000 graded submissions, and memory during a 50 MB upload.

With human review (issue 12) the data also holds 30,000 submitted scorecards (three per
submission: two independent, one reconciler) from 12 reviewers, every review settled, and the
decision page and the calibration page are measured too (target p95 100 ms at 4 connections).

1. A throw-away data folder (``.bench/web``) gets 10,000 graded submissions, inserted through the
   repository layer with a copy of a real report (the baseline solution, graded once and cached).
2. ``harness serve`` runs against it (no grading slots, no demo) on a free loopback port.
3. A load tool measures the p95 latency of the submissions list page and of one report page: wrk
   (Debian's package) when installed, else a threaded httpx client. Targets: 100 ms and 50 ms.
4. A 50 MB archive is uploaded while the server's resident memory is sampled every 5 ms.

Results print as a table and are written to ``.bench/web.json``. Not part of the test suite.
``--load-only`` fills the data folder and stops; ``--reuse`` measures on a folder filled earlier
(same N), so loading can happen while the machine is busy and measuring when it is quiet.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from harness.db.engine import Database
    from harness.settings import Settings

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BENCH = REPO / ".bench"
DATA = BENCH / "web"
N = int(os.environ.get("BENCH_SUBMISSIONS", "10000"))
DURATION_S = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
UPLOAD_MB = 50
PASSWORD = "bench-password-123"


def log(msg: str) -> None:
    print(f"[bench-web] {msg}", file=sys.stderr, flush=True)


def baseline_report() -> dict[str, Any]:
    """A real report of the shipped baseline solution (graded once, then cached)."""
    cached = BENCH / "baseline-report.json"
    if cached.is_file():
        return json.loads(cached.read_text())  # type: ignore[no-any-return]
    from harness.assignments.loader import load_assignment
    from harness.grading.pipeline import grade_path
    from harness.settings import Settings

    log("grading the baseline solution once for a realistic report (cached in .bench/)...")
    settings = Settings(data_dir=BENCH / "grade-var")
    assignment = load_assignment("support-tickets", settings)
    report = grade_path(
        REPO / "assignments/support_tickets/solutions/baseline", assignment, settings=settings
    )
    body = report.model_dump(mode="json")
    BENCH.mkdir(exist_ok=True)
    cached.write_text(json.dumps(body))
    return body


def load_database(report: dict[str, Any]) -> tuple[int, str]:
    """Fill a fresh database with N graded submissions; returns (a submission id, its zip key)."""
    from harness.accounts.models import Role
    from harness.accounts.service import create_reviewer
    from harness.reports.schema import Report

    db, archive = fresh_database()
    template = Report.model_validate(report)
    versions = {g.name: g.version for g in template.graders}
    rng = random.Random(7)
    t0 = time.perf_counter()
    with db.session(write=True) as s:
        create_reviewer(s, "bench@example.com", PASSWORD, role=Role.admin, actor="bench")
    batch = 1000
    for start in range(0, N, batch):
        with db.session(write=True) as s:
            for i in range(start, min(N, start + batch)):
                add_graded_submission(s, i, rng, archive, report, versions)
        log(f"loaded {min(N, start + batch)}/{N} submissions")
    log(f"loaded {N} graded submissions in {time.perf_counter() - t0:.1f} s")
    load_scorecards(db, bench_settings())
    db.dispose()
    return N // 2, archive.key


@dataclass(frozen=True)
class StoredArchive:
    """The baseline solution's zip, stored once as the blob every loaded submission points to."""

    sha: str
    key: str
    size: int


def bench_settings() -> Settings:
    """The settings of the benchmark's data folder (no demo, no grading slots)."""
    from harness.settings import Environment, Settings

    return Settings(data_dir=DATA, environment=Environment.development, demo=False, workers=0)


def fresh_database() -> tuple[Database, StoredArchive]:
    """An empty, migrated database in a fresh data folder, and the baseline's zip stored in it."""
    from harness.db.engine import Database
    from harness.db.migrate import upgrade_head
    from harness.demo import zip_folder
    from harness.submissions.service import store_blob

    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    settings = bench_settings()
    upgrade_head(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    archive = zip_folder(
        REPO / "assignments/support_tickets/solutions/baseline", DATA / "baseline.zip"
    )
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    size = archive.stat().st_size
    key = store_blob(settings.blobs_dir, archive, sha)
    return db, StoredArchive(sha=sha, key=key, size=size)


def add_graded_submission(
    s: Session,
    i: int,
    rng: random.Random,
    archive: StoredArchive,
    report: dict[str, Any],
    versions: dict[str, str],
) -> None:
    """Candidate ``i``: an invitation, a graded submission of the stored archive with a random
    overall score, and a copy of ``report`` carrying that score as its current report."""
    from harness.invitations.models import Candidate, Invitation
    from harness.submissions.models import ReportRecord, Submission, SubmissionStatus

    cand = Candidate(name=f"Candidate {i}", email=f"c{i}@example.com")
    inv = Invitation(
        candidate=cand,
        assignment_name="support-tickets",
        assignment_version="1",
        token_hash=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
        anonymous_review=i % 2 == 0,
        extension_minutes=0,
    )
    s.add(inv)
    s.flush()
    score = max(0.0, min(100.0, rng.gauss(70, 12)))
    sub = Submission(
        invitation_id=inv.id,
        version=1,
        assignment_name="support-tickets",
        filename=f"solution-{i}.zip",
        sha256=archive.sha,
        blob_key=archive.key,
        size_bytes=archive.size,
        status=SubmissionStatus.graded.value,
        stages={},
        overall_score=score,
        accuracy=0.85,
        macro_f1=0.83,
    )
    s.add(sub)
    s.flush()
    sub.graded_at = sub.created_at
    body = dict(report)
    body["overall"] = {**report["overall"], "score": score}
    s.add(
        ReportRecord(
            submission_id=sub.id,
            current=True,
            status="graded",
            overall_score=score,
            body=body,
            grader_versions=versions,
            artifacts={},
            harness_version="bench",
        )
    )


REVIEWERS = 12
CARDS_PER_SUBMISSION = 3


def load_scorecards(db: Any, settings: Any) -> None:
    """Three submitted scorecards per submission (levels spread around a per-submission truth,
    a few reviewers lenient or strict), every review complete: 30,000 at N = 10,000."""
    from sqlalchemy import insert, select

    from harness.accounts.models import Reviewer, Role
    from harness.accounts.service import create_reviewer
    from harness.assignments.loader import load_assignment
    from harness.db.base import utcnow
    from harness.review.models import CriteriaSet, Review, Scorecard
    from harness.review.rules import human_score
    from harness.submissions.models import Submission

    t0 = time.perf_counter()
    spec = load_assignment("support-tickets", settings).spec.review
    assert spec is not None
    rng = random.Random(11)
    with db.session(write=True) as s:
        for i in range(REVIEWERS):
            create_reviewer(s, f"rev{i}@example.com", PASSWORD, role=Role.reviewer, actor="bench")
        crit = CriteriaSet(
            assignment_name="support-tickets",
            version=spec.criteria_version,
            criteria=spec.criteria_payload(),
        )
        s.add(crit)
        s.flush()
        crit_id = crit.id
        rev_ids = list(s.scalars(select(Reviewer.id).where(Reviewer.role == Role.reviewer.value)))
        subs = list(s.execute(select(Submission.id, Submission.overall_score)))
    bias = {r: rng.choice((-1, 0, 0, 0, 1)) for r in rev_ids}
    now = utcnow()
    for start in range(0, len(subs), 1000):
        reviews, cards = [], []
        for sid, score in subs[start : start + 1000]:
            truth = 1 + (score or 50) / 100 * 3
            reviews.append(
                dict(
                    submission_id=sid,
                    assignment_name="support-tickets",
                    criteria_set_id=crit_id,
                    required=2,
                    status="complete",
                    opened_at=now,
                    completed_at=now,
                )
            )
            for seat, rid in enumerate(rng.sample(rev_ids, CARDS_PER_SUBMISSION), start=1):
                ratings = {
                    c.key: max(1, min(4, round(truth + bias[rid] + rng.gauss(0, 0.6))))
                    for c in spec.criteria
                }
                mean = sum(ratings.values()) / len(ratings)
                cards.append(
                    dict(
                        submission_id=sid,
                        reviewer_id=rid,
                        assignment_name="support-tickets",
                        criteria_set_id=crit_id,
                        seat=seat,
                        kind="independent" if seat <= 2 else "reconciler",
                        status="submitted",
                        assigned_by="auto",
                        assigned_at=now,
                        submitted_at=now,
                        ratings=ratings,
                        recommendation="advance" if mean >= 3 else "reject" if mean < 2 else "hold",
                        comments="",
                        human_score=human_score(spec.criteria, ratings),
                        automated_overall=score,
                        automated_graders={
                            "writeup": score,
                            "quality": score,
                            "methodology": score,
                        },
                    )
                )
        with db.session(write=True) as s:
            s.execute(insert(Review), reviews)
            s.execute(insert(Scorecard), cards)
    log(f"loaded {len(subs) * CARDS_PER_SUBMISSION} scorecards in {time.perf_counter() - t0:.1f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HARNESS_DATA_DIR": str(DATA),
        "HARNESS_DEMO": "false",
        "HARNESS_WORKERS": "0",
    }
    harness = REPO / ".venv" / "bin" / "harness"
    proc = subprocess.Popen(
        [str(harness), "serve", "--port", str(port), "--workers", "0", "--no-demo"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def login_cookie(base: str) -> str:
    import httpx

    with httpx.Client(base_url=base) as c:
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        r = c.post(
            "/login", data={"email": "bench@example.com", "password": PASSWORD, "csrf_token": token}
        )
        assert r.status_code == 303, r.text
        return f"harness_session={c.cookies['harness_session']}"


WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %f\\n", latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.requests, summary.requests / (summary.duration / 1e6)))
end
"""


def measure_wrk(url: str, cookie: str, connections: int) -> dict[str, float]:
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_LUA)
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{DURATION_S}s",
            "-H",
            f"Cookie: {cookie}",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    p50, p95, p99, n, rps = line.split()[1:]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} error responses under load")
    return {
        "p50_ms": int(p50) / 1000,
        "p95_ms": int(p95) / 1000,
        "p99_ms": int(p99) / 1000,
        "requests": int(n),
        "rps": float(rps),
        "tool": "wrk",
    }


def measure_httpx(url: str, cookie: str, connections: int) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + DURATION_S

    def worker() -> None:
        with httpx.Client(headers={"Cookie": cookie}) as c:
            while time.monotonic() < stop:
                t = time.perf_counter()
                r = c.get(url)
                dt = time.perf_counter() - t
                if r.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {r.status_code}")
                with lock:
                    latencies.append(dt)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q = statistics.quantiles(latencies, n=100)
    return {
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "requests": len(latencies),
        "rps": len(latencies) / DURATION_S,
        "tool": "httpx",
    }


def cold_calibration(base: str, cookie: str) -> float:
    """Seconds of the first calibration view, right after start-up: the server computes the
    figures from the 30,000 scorecards as it starts, and this view waits for that computation.
    Later views reuse the figures; after a new scorecard they show the previous figures, marked
    as updating, while new ones are computed in the background (tests/review)."""
    import httpx

    t = time.perf_counter()
    r = httpx.get(
        f"{base}/calibration?assignment=support-tickets", headers={"Cookie": cookie}, timeout=120
    )
    assert r.status_code == 200, r.status_code
    return time.perf_counter() - t


def rss_kib(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    hwm = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return rss, hwm


def upload_memory(base: str, pid: int) -> dict[str, float]:
    """Peak resident memory of the server while a 50 MB archive streams in."""
    import httpx

    from harness.accounts.models import Reviewer  # noqa: F401 - import warms nothing server-side
    from harness.assignments.loader import load_assignment
    from harness.db.engine import Database
    from harness.invitations.service import create_invitation
    from harness.settings import Settings

    settings = Settings(data_dir=DATA, demo=False)
    db = Database(settings.resolved_database_url)
    with db.session(write=True) as s:
        _, token = create_invitation(
            s,
            load_assignment("support-tickets", settings).spec,
            name="Upload Bench",
            email="upload@example.com",
            actor="bench",
        )
    db.dispose()
    big = DATA / "upload-50mb.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("submission.toml", '[train]\ncommand = "true"\n[predict]\ncommand = "true"\n')
        zf.writestr("data.bin", os.urandom(UPLOAD_MB * 1000 * 1000))
    before, _ = rss_kib(pid)
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_kib(pid)[0])
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    httpx.post(f"{base}/api/c/{token}/start", timeout=30)  # uploads need a running clock
    t = time.perf_counter()
    with big.open("rb") as fh:
        r = httpx.post(
            f"{base}/api/c/{token}/submissions",
            files={"file": ("upload-50mb.zip", fh)},
            timeout=120,
        )
    elapsed = time.perf_counter() - t
    done.set()
    sampler.join()
    size = big.stat().st_size
    big.unlink()
    return {
        "status": r.status_code,
        "archive_mb": size / 1e6,
        "rss_before_mb": before / 1024,
        "rss_peak_mb": peak / 1024,
        "rss_growth_mb": (peak - before) / 1024,
        "upload_s": elapsed,
    }


LOADED = BENCH / "web-loaded.json"
"""Written once the data folder holds the N submissions: ``--reuse`` measures on it again."""


def loaded_database() -> int:
    """The submission id to measure: from a folder ``--load-only`` filled earlier (``--reuse``,
    when it holds the same N), else from a freshly loaded one."""
    if "--reuse" in sys.argv and LOADED.is_file():
        saved = json.loads(LOADED.read_text())
        if saved.get("submissions") == N and DATA.is_dir():
            log(f"reusing the {N} submissions loaded earlier in {DATA}")
            return int(saved["report_id"])
    LOADED.unlink(missing_ok=True)
    report_id, _ = load_database(baseline_report())
    LOADED.write_text(json.dumps({"submissions": N, "report_id": report_id}))
    return report_id


def main() -> None:
    report_id = loaded_database()
    if "--load-only" in sys.argv:
        log("loaded; measure later with --reuse")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(port)
    try:
        results = measure_pages(base, report_id)
        log("uploading a 50 MB archive while sampling the server's memory...")
        results["upload"] = upload_memory(base, proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    (BENCH / "web.json").write_text(json.dumps(results, indent=2))
    print_results(results)


def measure_pages(base: str, report_id: int) -> dict[str, Any]:
    """Latency of the submissions list, one report page, its decision page and the calibration
    page, with 1 and ``CONNECTIONS`` connections, after a warm-up; wrk when installed, else the
    threaded httpx client."""
    cookie = login_cookie(base)
    use_wrk = shutil.which("wrk") is not None
    measure = measure_wrk if use_wrk else measure_httpx
    if not use_wrk:
        log("wrk not installed (Debian: apt-get install wrk); using the threaded httpx client")
    import httpx

    cold = cold_calibration(base, cookie)
    pages = {
        "list_page": f"{base}/submissions",
        "report_page": f"{base}/submissions/{report_id}",
        "decision_page": f"{base}/submissions/{report_id}/review",
        "calibration_page": f"{base}/calibration?assignment=support-tickets",
    }
    for url in pages.values():  # warm up (the first calibration view computes the figures)
        t = time.perf_counter()
        for _ in range(20):
            assert httpx.get(url, headers={"Cookie": cookie}, timeout=60).status_code == 200
        log(f"warm-up of {url}: {time.perf_counter() - t:.2f} s for 20 requests")
    results: dict[str, Any] = {
        "submissions": N,
        "connections": CONNECTIONS,
        "seconds": DURATION_S,
        "calibration_cold_s": cold,
    }
    for conns in (1, CONNECTIONS):
        for name, url in pages.items():
            log(f"{name.replace('_', ' ')}, {conns} connection(s), {DURATION_S} s...")
            results[f"{name}_c{conns}"] = measure(url, cookie, conns)
    for name in pages:
        results[name] = results[f"{name}_c{CONNECTIONS}"]
    return results


def print_results(results: dict[str, Any]) -> None:
    """The table: latencies per connection count against the targets, and the upload's memory."""
    up = results["upload"]
    print(
        f"\nWeb benchmark: {N} graded submissions, {DURATION_S} s per measurement "
        f"({results['list_page']['tool']})"
    )
    targets = {"list_page": 100, "report_page": 50, "decision_page": 100, "calibration_page": 100}
    for conns in (1, CONNECTIONS):
        lp, rp = results[f"list_page_c{conns}"], results[f"report_page_c{conns}"]
        judge = conns == CONNECTIONS
        print(f"  {conns} connection(s):")
        for name in ("decision_page", "calibration_page"):
            m, target = results[f"{name}_c{conns}"], targets[name]
            print(
                f"    {name.replace('_', ' '):16} p50 {m['p50_ms']:6.1f} ms  p95 {m['p95_ms']:6.1f} ms  ({m['rps']:.0f} req/s)"
                + (
                    f"  target p95 <= {target} ms: {'ok' if m['p95_ms'] <= target else 'MISSED'}"
                    if judge
                    else ""
                )
            )
        print(
            f"    list page   p50 {lp['p50_ms']:6.1f} ms  p95 {lp['p95_ms']:6.1f} ms  ({lp['rps']:.0f} req/s)"
            + (
                f"  target p95 <= 100 ms: {'ok' if lp['p95_ms'] <= 100 else 'MISSED'}"
                if judge
                else ""
            )
        )
        print(
            f"    report page p50 {rp['p50_ms']:6.1f} ms  p95 {rp['p95_ms']:6.1f} ms  ({rp['rps']:.0f} req/s)"
            + (
                f"  target p95 <= 50 ms: {'ok' if rp['p95_ms'] <= 50 else 'MISSED'}"
                if judge
                else ""
            )
        )
    print(
        f"  50 MB upload: HTTP {up['status']} in {up['upload_s']:.1f} s; server RSS {up['rss_before_mb']:.0f} MB "
        f"before, {up['rss_peak_mb']:.0f} MB peak (+{up['rss_growth_mb']:.1f} MB)"
    )
    print(
        f"  first calibration view right after start-up (waits for the figures): {results['calibration_cold_s']:.2f} s"
    )
    print(f"  (written to {BENCH / 'web.json'})")


if __name__ == "__main__":
    main()
