"""``make bench-serving``: what the serving stage costs beyond the candidate's server.

Runs the real serving stage (server container, load client container in its namespace, the
support-tickets assignment's full plan: 200 single requests, 200 concurrent, 5 batches, 8 bad
requests) against a trivial server that answers every request at once, and reports:

- the stage's own overhead: its wall time minus the server's time to ready and minus the time the
  client spent measuring (what is left is creating, starting and removing two containers, the
  client's start and the host's reading of the report). Target: <= 3 s;
- the client's measurement overhead per request: the latency it measures against the trivial
  server, whose own work is a few microseconds, so the figure bounds what the client adds to each
  request (connect, send, read, parse). Target: < 1 ms (median).

And, for scale, the same stage with the reference solution's FastAPI server and its model.
Images must be built; the reference's model is trained natively first.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sandbox
from graders.serving.grader import percentile
from harness.assignments.loader import load_assignment
from harness.grading.features import write_test_features
from harness.grading.local import image_recipe
from harness.grading.serve import build_serve_stage, run_serve_stage
from harness.grading.stages import StageData
from harness.grading.workdir import RunDirs
from harness.serving.report import REPORT_FILE, read_client_report
from harness.settings import Settings
from harness.submissions.contract import ProjectContract

REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
ROOT = Path(__file__).resolve().parents[1]

TRIVIAL = r'''
import asyncio, sys
BODY = b'{"id": "", "label": "billing"}'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + str(len(BODY)).encode() + b"\r\nConnection: close\r\n\r\n" + BODY)

async def handle(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(min(length, 2_000_000))
    except Exception:
        pass
    writer.write(ANSWER)
    await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=128)
    async with server:
        await server.serve_forever()

asyncio.run(main())
'''


def run_once(box: sandbox.Sandbox, image: str, submission: Path, model: Path, data: StageData,
             command: str, work: Path) -> dict[str, Any]:
    dirs = RunDirs(Path(tempfile.mkdtemp(dir=work)), f"bench{time.monotonic_ns() % 10**8}")
    dirs.create()
    dirs.submission.rmdir()
    dirs.submission.symlink_to(submission)
    dirs.model.rmdir()
    dirs.model.symlink_to(model)
    contract = ProjectContract("true {train} {model_dir}", "true {test} {predictions}", serve_command=command)
    stage = build_serve_stage(dirs, data, image, contract)
    assert stage is not None
    started = time.perf_counter()
    outcome = run_serve_stage(box, stage)
    total = time.perf_counter() - started
    report, problem = read_client_report(outcome.files.get(REPORT_FILE))
    assert report is not None and report.ready.ok, (outcome.message, problem)
    single = [r.ms for r in report.single.requests if r.status == 200]
    ready = report.ready.after_s or 0.0
    return {"verdict": outcome.verdict.value, "total_s": total, "ready_s": ready,
            "measured_s": report.measured_s, "overhead_s": total - ready - report.measured_s,
            "single_p50_ms": percentile(single, 50), "single_p95_ms": percentile(single, 95),
            "requests": len(single) + len(report.concurrent.requests) + len(report.batch.requests)
            + len(report.bad_requests), "peak_mb": (outcome.peak_memory_bytes or 0) / 2**20}


def reference_model(settings: Settings, work: Path) -> tuple[Path, Path]:
    solution = ROOT / "assignments/support_tickets/solutions/reference"
    model = work / "reference-model"
    model.mkdir()
    subprocess.run([sys.executable, "train.py", "--train", str(ROOT / "assignments/support_tickets/public/train.csv"),
                    "--model-dir", str(model)], cwd=solution, check=True, capture_output=True,
                   env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"})
    for path in [model, *model.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return solution, model


def main() -> int:
    settings = Settings()
    assignment = load_assignment("support-tickets", settings)
    image = sandbox.ensure_image(image_recipe(settings))
    box = sandbox.Sandbox()
    results: dict[str, list[dict[str, Any]]] = {"trivial": [], "reference": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        features = work / "features.csv"
        write_test_features(assignment, features)
        features.chmod(0o644)
        data = StageData.for_assignment(assignment, features)
        trivial = work / "trivial"
        trivial.mkdir()
        (trivial / "serve.py").write_text(TRIVIAL)
        empty_model = work / "empty-model"
        empty_model.mkdir()
        for folder in (work, trivial, empty_model):
            folder.chmod(0o755)
        (trivial / "serve.py").chmod(0o644)
        solution, model = reference_model(settings, work)
        for _ in range(REPEATS):
            results["trivial"].append(run_once(box, image, trivial, empty_model, data,
                                               "python serve.py {port}", work))
            results["reference"].append(run_once(box, image, solution, model, data,
                                                 "python serve.py --model-dir {model_dir} --port {port}", work))
    summary = {name: {key: statistics.median(r[key] for r in runs)
                      for key in ("total_s", "ready_s", "measured_s", "overhead_s", "single_p50_ms",
                                  "single_p95_ms", "requests", "peak_mb")}
               for name, runs in results.items()}
    print(f"serving stage, median of {REPEATS} runs (support-tickets plan):")
    print(f"{'server':<10} {'total':>8} {'ready':>8} {'measuring':>10} {'overhead':>9} "
          f"{'p50 one':>9} {'p95 one':>9} {'requests':>9} {'peak':>8}")
    for name, row in summary.items():
        print(f"{name:<10} {row['total_s']:>7.2f}s {row['ready_s']:>7.2f}s {row['measured_s']:>9.2f}s "
              f"{row['overhead_s']:>8.2f}s {row['single_p50_ms']:>7.2f}ms {row['single_p95_ms']:>7.2f}ms "
              f"{row['requests']:>9.0f} {row['peak_mb']:>6.0f}MB")
    overhead = summary["trivial"]["overhead_s"]
    per_request = summary["trivial"]["single_p50_ms"]
    print(f"stage overhead beyond the server's start-up: {overhead:.2f} s (target <= 3 s): "
          f"{'met' if overhead <= 3 else 'NOT met'}")
    print(f"client overhead per request (median latency against a trivial server): {per_request:.2f} ms "
          f"(target < 1 ms): {'met' if per_request < 1 else 'NOT met'}")
    out = ROOT / "test-artifacts" / "bench-serving.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"runs": results, "median": summary}, indent=2))
    return 0 if overhead <= 3 and per_request < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
