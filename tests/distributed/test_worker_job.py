"""The worker's half of the task (``harness.worker.job.run_job``) in-process against the API app:
a notebook-only submission end to end, trouble with Docker, and an archive the checks refuse.
Celery is left out here; ``test_cluster.py`` runs the whole thing.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from fastapi.testclient import TestClient

from harness.errors import InfrastructureError
from harness.settings import Settings
from harness.worker.client import ApiClient
from harness.worker.job import DockerUnavailable, WorkerContext, run_job
from tests.distributed.cluster import tiny_files
from tests.distributed.fixtures import TOKEN, WorkerApi

# The worker's client passes timeouts, which Starlette's test client ignores.
pytestmark = pytest.mark.filterwarnings("ignore:You should not use the 'timeout' argument")


def _context(wapi: WorkerApi, tmp_path: Path, name: str = "inproc") -> WorkerContext:
    client = ApiClient("http://testserver", TOKEN)
    client.http.close()
    # The app in-process: TestClient is an httpx client, so the real ApiClient code runs.
    client.http = TestClient(wapi.client.app, base_url="http://testserver",  # type: ignore[arg-type]
                             headers={"Authorization": f"Bearer {TOKEN}"})
    data_dir = tmp_path / f"worker-{name}"
    settings = Settings(data_dir=data_dir, demo=False, worker_token=TOKEN)
    return WorkerContext(client=client, settings=settings, name=name)


def _notebook() -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Approach\nKeyword counts per label."),
        nbformat.v4.new_code_cell(
            "import os, csv, collections\n"
            "counts = collections.defaultdict(collections.Counter)\n"
            "for row in csv.DictReader(open(os.environ['TRAIN_CSV'])):\n"
            "    for w in (row['subject'] + ' ' + row['body']).split():\n"
            "        counts[w][row['label']] += 1"),
        nbformat.v4.new_code_cell(
            "with open(os.environ['PREDICTIONS_CSV'], 'w', newline='') as fh:\n"
            "    out = csv.writer(fh); out.writerow(['id', 'label'])\n"
            "    for row in csv.DictReader(open(os.environ['TEST_CSV'])):\n"
            "        votes = collections.Counter()\n"
            "        for w in (row['subject'] + ' ' + row['body']).split():\n"
            "            votes.update(counts.get(w, {}))\n"
            "        out.writerow([row['id'], votes.most_common(1)[0][0] if votes else 'billing'])"),
    ]
    return nbformat.writes(nb).encode()


@pytest.mark.docker
def test_a_notebook_submission_graded_by_a_worker(
    wapi: WorkerApi, tmp_path: Path, sandbox_image: str
) -> None:
    sid = wapi.submit(files={"solution.ipynb": _notebook()})
    ctx = _context(wapi, tmp_path)
    assert run_job(ctx, sid) == "graded"
    assert run_job(ctx, sid) == "not_claimed"  # idempotent: a second message does nothing
    (report,) = wapi.reports(sid)
    body = report.body
    assert body["submission"]["kind"] == "notebook"
    assert [s["name"] for s in body["stages"]] == ["static", "tests", "mutation", "notebook", "score"]
    assert body["stages"][2]["verdict"] == "skipped", body["stages"][2]  # no tests: nothing to mutate
    assert body["stages"][3]["verdict"] == "ok", body["stages"][3]
    assert body["scores"]["check"]["ok"] and wapi.submission(sid).accuracy
    assert report.worker and report.worker.startswith("inproc:")
    # Live progress was recorded through heartbeats, stage by stage.
    stages = wapi.submission(sid).stages
    assert stages["notebook"]["state"] == "finished" and stages["graders"]["state"] == "finished"
    assert json.dumps(stages)  # plain JSON


@pytest.mark.docker
def test_a_worker_runs_the_serving_stage_and_the_api_scores_it(
    serving_wapi: WorkerApi, tmp_path: Path, sandbox_image: str
) -> None:
    """The server and its load client run on the worker; the client's report travels as an output
    file; the API, which alone holds the labels, computes the served accuracy and grades."""
    from tests.factories import SERVE_CONTRACT, SERVE_PY

    files = {**tiny_files(), "submission.toml": SERVE_CONTRACT.strip("\n") + "\n",
             "serve.py": SERVE_PY.strip("\n") + "\n"}
    sid = serving_wapi.submit(files=files)
    assert run_job(_context(serving_wapi, tmp_path), sid) == "graded"
    (report,) = serving_wapi.reports(sid)
    body = report.body
    assert [s["name"] for s in body["stages"]] == ["static", "tests", "mutation", "train", "predict",
                                                   "predict_nomodel", "serve", "score"]
    serve = body["stages"][6]
    assert serve["verdict"] == "ok" and serve["outputs"] == ["serving.json"], serve
    serving = next(g for g in body["graders"] if g["name"] == "serving")
    assert serving["status"] == "ok" and serving["metrics"]["agreement"] == 1.0
    assert isinstance(serving["metrics"]["served_accuracy"], float)
    assert "serving" in body["overall"]["contributions"]
    assert serving_wapi.submission(sid).stages["serve"]["state"] == "finished"


def test_docker_trouble_on_the_worker_is_an_infrastructure_retry(
    wapi: WorkerApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = wapi.submit()
    ctx = _context(wapi, tmp_path, name="nodocker")

    def broken(_settings: Settings, _progress: object = None) -> str:
        raise InfrastructureError("The sandbox image is not available: Docker is not answering")

    monkeypatch.setattr("harness.grading.local.ensure_sandbox_image", broken)
    assert run_job(ctx, sid) == "retry"
    sub = wapi.submission(sid)
    assert sub.status == "queued" and sub.not_before is not None and sub.attempts == 1
    assert "Docker is not answering" in sub.message and "nodocker:" in sub.message
    assert wapi.reports(sid) == []
    # The job's files did not stay on the worker: only the shared input cache remains.
    assert not ctx.settings.work_dir.exists() or not any(ctx.settings.work_dir.iterdir())


def test_an_archive_the_checks_refuse_is_rejected_without_running_anything(
    wapi: WorkerApi, tmp_path: Path
) -> None:
    sid = wapi.submit(files={"../escape.py": "x = 1\n", "train.py": "x = 2\n"})
    assert run_job(_context(wapi, tmp_path), sid) == "rejected"
    sub = wapi.submission(sid)
    assert sub.status == "rejected" and sub.message
    (report,) = wapi.reports(sid)
    assert report.body["status"] == "rejected" and report.body["stages"] == []


def test_a_host_without_docker_leaves_the_job_unclaimed(
    wapi: WorkerApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = wapi.submit()
    ctx = _context(wapi, tmp_path, name="nodaemon")

    def no_daemon() -> None:
        raise InfrastructureError("Docker engine not reachable")

    monkeypatch.setattr(ctx, "sandbox", no_daemon)
    with pytest.raises(DockerUnavailable, match="not reachable"):
        run_job(ctx, sid)
    sub = wapi.submission(sid)
    assert sub.status == "queued" and sub.attempts == 0 and sub.claimed_by is None
