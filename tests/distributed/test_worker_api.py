"""The API's worker endpoints, driven as a worker would, without Docker: who may call them, what
the signed links open (and stop opening), bounded outputs, scoring with labels on the API side,
and claims that cannot store once they have ended.
"""

from __future__ import annotations

import csv
import hashlib
import io
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from api.routes import route_table
from harness.accounts.service import create_token
from harness.assignments.loader import Assignment
from harness.db.base import utcnow
from harness.jobs.links import FileKind, signed_path
from harness.submissions.models import ReportRecord, Submission
from harness.submissions.repository import SubmissionRepository
from tests.db.factories import make_reviewer
from tests.distributed.cluster import tiny_files
from tests.distributed.fixtures import TOKEN, WorkerApi


def _labels(assignment: Assignment) -> dict[str, str]:
    labels = {}
    for name in ("heldout_labels.csv", "shifted_labels.csv"):
        with (assignment.root / "private" / name).open(newline="") as fh:
            labels.update({row["id"]: row["label"] for row in csv.DictReader(fh)})
    return labels


def _stage(name: str, files: list[str] | None = None, verdict: str = "ok") -> dict[str, Any]:
    return {"name": name, "verdict": verdict, "message": "", "exit_code": 0, "duration_s": 1.5,
            "log_tail": "x" * 100_000, "outputs": files or []}


def _perfect_predictions(wapi: WorkerApi, ticket: dict[str, Any]) -> bytes:
    features = wapi.get(ticket["features"]["url"]).content.decode()
    labels = _labels(wapi.assignment)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "label"])
    rows = list(csv.DictReader(io.StringIO(features)))
    # Canary rows (copies of held-out tickets under fresh ids) get their source's label, as a
    # model predicting from the ticket would.
    by_content = {tuple(v for k, v in r.items() if k != "id"): labels[r["id"]] for r in rows if r["id"] in labels}
    for row in rows:
        writer.writerow([row["id"], labels.get(row["id"]) or by_content[tuple(v for k, v in row.items() if k != "id")]])
    return out.getvalue().encode()


def test_every_worker_route_refuses_callers_without_the_worker_token(wapi: WorkerApi) -> None:
    sid = wapi.submit()
    with wapi.db.session(write=True) as s:
        reviewer_token = create_token(s, make_reviewer(s))
    routes = [r for r in route_table(wapi.client.app) if r.path.startswith("/api/worker/")]  # type: ignore[arg-type]
    assert len(routes) == 7, routes
    for route in routes:
        url = route.path.replace("{submission_id}", str(sid)).replace("{kind}", "bundle")
        url = url.replace("{stage}", "predict").replace("{name}", "predictions.csv")
        for headers in ({}, {"Authorization": f"Bearer {reviewer_token}"},
                        {"Authorization": f"Bearer {TOKEN[:-1]}x"}, {"Authorization": TOKEN}):
            r = wapi.client.request(route.method, url, headers={**headers, "X-Claim-Token": "x" * 36},
                                    json={"worker": "w:1"})
            assert r.status_code == 401, (route, headers, r.status_code)
    assert wapi.submission(sid).status == "queued" and wapi.submission(sid).attempts == 0
    hello = wapi.get("/api/worker/hello").json()
    assert hello["heartbeat_s"] == wapi.runtime.heartbeat_s


def test_claim_hands_out_links_to_inputs_without_labels(wapi: WorkerApi) -> None:
    sid = wapi.submit()
    ticket = wapi.claim(sid)
    assert ticket["attempt"] == 1 and ticket["limits"]["train"]["wall_seconds"] == 60
    r = wapi.client.post(f"/api/worker/jobs/{sid}/claim", json={"worker": "w2:1"}, headers=wapi.auth)
    assert r.status_code == 409  # one claim at a time
    sub = wapi.submission(sid)
    assert sub.status == "running" and sub.claimed_by == "w1:100"
    for kind in ("bundle", "train", "features"):
        link = ticket[kind]
        body = wapi.get(link["url"]).content
        assert len(body) == link["size"] and hashlib.sha256(body).hexdigest() == link["sha256"]
    bundle = wapi.get(ticket["bundle"]["url"]).content
    assert hashlib.sha256(bundle).hexdigest() == sub.sha256
    features = list(csv.reader(io.StringIO(wapi.get(ticket["features"]["url"]).text)))
    labels = _labels(wapi.assignment)
    assert features[0] == ["id", "subject", "body", "channel"]  # no label column
    ids = {row[0] for row in features[1:]}
    assert set(labels) <= ids  # both held-out sets, all ids
    canaries = ids - set(labels)  # hidden copies under fresh ids, shaped like the others
    assert len(canaries) == wapi.assignment.spec.integrity.canaries
    assert all(len(i) == len(next(iter(labels))) for i in canaries)


def test_links_are_signed_expire_and_die_with_their_claim(wapi: WorkerApi) -> None:
    sid, other = wapi.submit(), wapi.submit(name="bob")
    ticket = wapi.claim(sid)
    url = ticket["bundle"]["url"]
    assert wapi.get(url).status_code == 200
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert wapi.get(tampered).status_code == 403
    # The same signature does not open another submission's archive, nor another kind of file.
    assert wapi.get(url.replace(f"/bundle/{sid}?", f"/bundle/{other}?")).status_code == 403
    assert wapi.get(url.replace("/bundle/", "/features/")).status_code == 403
    expired = signed_path(wapi.settings.secret_key, FileKind.bundle, sid, 1, int(time.time()) - 1)
    assert wapi.get(expired).status_code == 403
    forged = signed_path("another-secret-key-0123456789abcdef", FileKind.bundle, sid, 1,
                         int(time.time()) + 600)
    assert wapi.get(forged).status_code == 403
    # The worker token alone opens nothing: without a signature the request is invalid.
    assert wapi.get(f"/api/worker/files/bundle/{sid}?attempt=1&expires=9999999999").status_code == 422
    # The claim ends (the worker gives the job back): its links stop working at once.
    r = wapi.post(sid, "fail", {"claim_token": ticket["claim_token"], "kind": "infrastructure",
                                "message": "Docker went away"})
    assert r.json() == {"outcome": "retry"}
    assert wapi.get(url).status_code == 403
    assert wapi.get(ticket["features"]["url"]).status_code == 403
    sub = wapi.submission(sid)
    assert sub.status == "queued" and "Docker went away" in sub.message and sub.not_before is not None


def test_result_is_scored_against_labels_on_the_api(wapi: WorkerApi) -> None:
    sid = wapi.submit()
    ticket = wapi.claim(sid, worker="alpha:7")
    token = ticket["claim_token"]
    beat = {"claim_token": token, "stage": "train",
            "stages": {"tests": {"state": "finished", "verdict": "ok", "message": "3 passed"},
                       "train": {"state": "started"}}}
    assert wapi.post(sid, "heartbeat", beat).status_code == 204
    sub = wapi.submission(sid)
    assert sub.stage == "train" and sub.stages["tests"]["message"] == "3 passed"
    predictions = _perfect_predictions(wapi, ticket)
    assert wapi.put_output(sid, token, "predict", "predictions.csv", predictions).status_code == 204
    junit = b'<testsuite tests="1" failures="0" errors="0"><testcase name="t" classname="c"/></testsuite>'
    assert wapi.put_output(sid, token, "tests", "junit.xml", junit).status_code == 204
    result = {"claim_token": token, "image": "takehome-sandbox:abc",
              "stages": [_stage("tests", ["junit.xml"]), _stage("mutation", verdict="skipped"), _stage("train"),
                         _stage("predict", ["predictions.csv"]),
                         _stage("predict_nomodel", verdict="failed")]}
    r = wapi.post(sid, "result", result)
    assert r.json() == {"outcome": "graded"}, r.text
    sub = wapi.submission(sid)
    assert sub.status == "graded" and sub.claim_token is None and sub.accuracy == 1.0
    (report,) = wapi.reports(sid)
    assert report.current and report.worker == "alpha:7"
    body = report.body
    assert body["sandbox_image"] == "takehome-sandbox:abc"
    assert [s["name"] for s in body["stages"]] == ["static", "tests", "mutation", "train", "predict", "predict_nomodel",
                                                   "score"]
    assert body["integrity"]["model_dependence"]["result"] == "depends"
    assert body["integrity"]["canaries"]["exact_disagree"] == 0
    # Log tails are cut to the stage's log_kb (16 KiB in the tiny assignment).
    assert len(body["stages"][1]["log_tail"]) == 16 * 1024 and body["stages"][1]["log_truncated"]
    accuracy = next(g for g in body["graders"] if g["name"] == "accuracy")
    assert accuracy["metrics"]["accuracy"] == 1.0 and accuracy["metrics"]["macro_f1"] == 1.0
    # Done: the token stores nothing more, and the spool of uploads is gone.
    assert wapi.post(sid, "result", result).json() == {"outcome": "lost_claim"}
    assert len(wapi.reports(sid)) == 1
    assert not (wapi.settings.data_dir / "worker-outputs" / str(sid) / "1").exists()


def test_outputs_are_allow_listed_bounded_and_claim_checked(
    wapi: WorkerApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = wapi.submit()
    token = wapi.claim(sid)["claim_token"]
    assert wapi.put_output(sid, token, "predict", "model.pkl", b"x").status_code == 422
    assert wapi.put_output(sid, token, "predict", "..%2F..%2Fescape", b"x").status_code in (404, 422)
    assert wapi.put_output(sid, token, "static", "predictions.csv", b"x").status_code == 422
    assert wapi.put_output(sid, token, "train", "predictions.csv", b"x").status_code == 422
    assert wapi.put_output(sid, "0" * 36, "predict", "predictions.csv", b"x").status_code == 409
    monkeypatch.setattr("harness.jobs.remote.MAX_OUTPUT_BYTES", 1024)
    assert wapi.put_output(sid, token, "predict", "predictions.csv", b"x" * 2048).status_code == 413
    spool = wapi.settings.data_dir / "worker-outputs"
    assert not [p for p in spool.rglob("*") if p.is_file()]
    # A listed file that never arrived, or a stage set that does not fit the submission, is the
    # worker's failure: the attempt counts, the job goes back to the queue.
    # A host path in what a worker sends is refused outright: the API never reads a file the
    # worker names by path, only what was uploaded under an allowed name.
    smuggled = {**_stage("predict"), "files": {"predictions.csv": "/etc/passwd"}}
    r = wapi.post(sid, "result", {"claim_token": token, "image": "i",
                                  "stages": [_stage("tests"), _stage("train"), smuggled]})
    assert r.status_code == 422 and "host paths" in r.text
    assert wapi.submission(sid).status == "running"
    r = wapi.post(sid, "result", {"claim_token": token, "image": "i",
                                  "stages": [_stage("tests"), _stage("mutation", verdict="skipped"), _stage("train"), _stage("predict", ["predictions.csv"]),
                                             _stage("predict_nomodel", verdict="failed")]})
    assert r.json() == {"outcome": "retry"}
    sub = wapi.submission(sid)
    assert sub.status == "queued" and "WorkerResultInvalid" in sub.message


def test_a_worker_presumed_dead_cannot_overwrite_the_new_claim(wapi: WorkerApi) -> None:
    sid = wapi.submit()
    old = wapi.claim(sid, worker="slow:1")
    with wapi.db.session(write=True) as s:  # the watchdog: slow went silent
        assert SubmissionRepository(s).requeue_stale(utcnow() + timedelta(seconds=1)) == [sid]
    new = wapi.claim(sid, worker="fast:2")
    assert new["attempt"] == 2
    assert wapi.post(sid, "heartbeat", {"claim_token": old["claim_token"]}).status_code == 409
    assert wapi.get(old["bundle"]["url"]).status_code == 403
    assert wapi.put_output(sid, old["claim_token"], "predict", "predictions.csv", b"id,label\n").status_code == 409
    stale = {"claim_token": old["claim_token"], "image": "i",
             "stages": [_stage("tests"), _stage("mutation", verdict="skipped"), _stage("train"), _stage("predict")]}
    assert wapi.post(sid, "result", stale).json() == {"outcome": "lost_claim"}
    assert wapi.post(sid, "fail", {"claim_token": old["claim_token"], "kind": "crash",
                                   "message": "x"}).json() == {"outcome": "lost_claim"}
    token = new["claim_token"]
    wapi.put_output(sid, token, "predict", "predictions.csv", _perfect_predictions(wapi, new))
    done = {"claim_token": token, "image": "i",
            "stages": [_stage("tests"), _stage("mutation", verdict="skipped"), _stage("train"), _stage("predict", ["predictions.csv"]),
                       _stage("predict_nomodel", verdict="failed")]}
    assert wapi.post(sid, "result", done).json() == {"outcome": "graded"}
    reports = wapi.reports(sid)
    assert len(reports) == 1 and reports[0].worker == "fast:2"


def test_crashes_count_attempts_then_record_an_error(wapi: WorkerApi) -> None:
    sid = wapi.submit()
    for attempt, expected in ((1, "retry"), (2, "error")):
        with wapi.db.session(write=True) as s:  # skip the back-off
            s.get(Submission, sid).not_before = None  # type: ignore[union-attr]
        ticket = wapi.claim(sid)
        assert ticket["attempt"] == attempt
        r = wapi.post(sid, "fail", {"claim_token": ticket["claim_token"], "kind": "crash",
                                    "message": "KeyError: 'x'"})
        assert r.json() == {"outcome": expected}
    sub = wapi.submission(sid)
    assert sub.status == "error" and "KeyError" in sub.message and "w1:100" in sub.message


def test_the_api_rechecks_a_rejection_and_an_acceptance(wapi: WorkerApi) -> None:
    broken = wapi.submit(files={"notes.txt": "no contract here"})
    ticket = wapi.claim(broken)
    r = wapi.post(broken, "result", {"claim_token": ticket["claim_token"], "image": "",
                                     "input_rejected": "no submission.toml"})
    assert r.json() == {"outcome": "rejected"}
    sub = wapi.submission(broken)
    assert sub.status == "rejected" and "submission.toml" in sub.message
    # A worker that refuses an archive the API accepts is not believed.
    fine = wapi.submit(name="bob")
    ticket = wapi.claim(fine)
    r = wapi.post(fine, "result", {"claim_token": ticket["claim_token"], "image": "",
                                   "input_rejected": "I do not like it"})
    assert r.json() == {"outcome": "retry"}
    with wapi.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ReportRecord)
                        .where(ReportRecord.submission_id == fine)) == 0


def test_the_serving_report_is_an_output_of_the_serve_stage_only(serving_wapi: WorkerApi) -> None:
    from tests.factories import SERVE_CONTRACT, SERVE_PY

    files = {**tiny_files(), "submission.toml": SERVE_CONTRACT, "serve.py": SERVE_PY}
    sid = serving_wapi.submit(files=files)
    ticket = serving_wapi.claim(sid)
    assert ticket["serving"]["port"] == 8765 and ticket["id_column"] == "id"
    token = ticket["claim_token"]
    assert serving_wapi.put_output(sid, token, "serve", "serving.json", b"{}").status_code == 204
    assert serving_wapi.put_output(sid, token, "predict", "serving.json", b"{}").status_code == 422
    assert serving_wapi.put_output(sid, token, "serve", "predictions.csv", b"x").status_code == 422
    # A worker that leaves out the serve stage of a submission with [serve] ran another plan.
    r = serving_wapi.post(sid, "result", {"claim_token": token, "image": "i", "stages": [
        _stage("tests"), _stage("train"), _stage("predict", ["predictions.csv"])]})
    assert r.json() == {"outcome": "retry"} and "WorkerResultInvalid" in serving_wapi.submission(sid).message
