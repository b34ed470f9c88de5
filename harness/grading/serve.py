"""The serving stage: the candidate's server in one container, the harness's load client in another.

    server container ── network "none": loopback only; the submission (copied in), the trained
                         model read-only; runs the ``[serve]`` command with {port} and {model_dir}
    client container ── joins the server's network namespace and nothing else: the same loopback,
                         no bridge, no host port, no route; the harness's own client and its plan
                         (held-out features, never labels), read-only; no candidate file
    host             ── signals the client when the server exits, stops the server when the client
                         is done, reads the client's report back bounded, judges the stage

Both containers have every limit of any stage (memory, CPU, processes, wall clock, log, files);
the client bounds each request itself (deadline, response cap). Labels stay on the host: the
report carries the served labels, and the score stage compares them there.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import sandbox
from graders.types import StageName, StageOutcome
from harness.assignments.spec import ServingSpec
from harness.errors import InfrastructureError
from harness.grading import stages
from harness.grading.progress import ProgressCallback, null_progress, timed
from harness.grading.workdir import RunDirs
from harness.serving import loadclient
from harness.serving.plan import CONTROL_FILE, build_plan, client_budget_s, read_sample
from harness.serving.report import REPORT_FILE, read_client_report
from harness.serving.verdict import StageFacts, judge
from harness.submissions.contract import ProjectContract, SubmissionContract, render_command

__all__ = ["ServeStage", "build_serve_stage", "client_limits", "run_serve_stage"]

MiB = 1024 * 1024
_CLIENT_DIR = "/opt/serving"
_CONTROL_DIR = str(Path(CONTROL_FILE).parent)
_CLIENT_OUTPUT_BYTES = 8 * MiB


def client_limits(server_wall_seconds: float) -> sandbox.Limits:
    """The load client's own limits: small, and a wall clock just past its budget."""
    return sandbox.Limits(wall_seconds=client_budget_s(int(server_wall_seconds)) + 5.0,
                          memory_bytes=256 * MiB, cpus=1.0, pids=64,
                          output_bytes=_CLIENT_OUTPUT_BYTES, tmpfs_bytes=16 * MiB,
                          log_bytes=64 * 1024)


@dataclass(frozen=True)
class ServeStage:
    """The two containers of one serving stage and the host folders around them."""

    spec: ServingSpec
    server: sandbox.RunSpec
    client_dir: Path
    """Host folder mounted read-only in the client: its code and its plan."""
    control_dir: Path
    """Host folder mounted read-only in the client, where the host signals the server's exit."""
    out_dir: Path
    """The client's output folder (its report)."""
    sample_csv: Path
    id_column: str
    image: str
    run_id: str

    def client(self, server_id: str) -> sandbox.RunSpec:
        """The client's run, joining the network namespace of the server container."""
        return sandbox.RunSpec(
            command=["python", "-I", f"{_CLIENT_DIR}/loadclient.py", f"{_CLIENT_DIR}/plan.json",
                     f"{stages.CONTAINER_PATHS['out']}/{REPORT_FILE}"],
            image=self.image,
            limits=client_limits(self.server.limits.wall_seconds),
            mounts=[sandbox.Mount(self.client_dir, _CLIENT_DIR),
                    sandbox.Mount(self.control_dir, _CONTROL_DIR)],
            outputs={stages.CONTAINER_PATHS["out"]: self.out_dir},
            env={"PYTHONHASHSEED": "0", "PYTHONUNBUFFERED": "1"},
            copy_in=None,
            labels={"takehome-harness.stage": "serve-client", "takehome-harness.run": self.run_id},
            name_hint=f"serve-client-{self.run_id}",
            network_of=server_id,
        )

    def write_plan(self, server_started_at: float) -> None:
        tickets = read_sample(self.sample_csv, self.spec.sample)
        plan = build_plan(self.spec, tickets, id_column=self.id_column,
                          server_started_at=server_started_at,
                          wall_seconds=int(self.server.limits.wall_seconds))
        (self.client_dir / "plan.json").write_text(json.dumps(plan), encoding="utf-8")


def build_serve_stage(dirs: RunDirs, data: stages.StageData, image: str,
                      contract: SubmissionContract) -> ServeStage | None:
    """The serving stage of a contract with ``[serve]``; None when the assignment asks for no
    server (``data.serving`` unset)."""
    if data.serving is None:
        return None
    if not isinstance(contract, ProjectContract) or contract.serve_command is None:
        raise TypeError("only a submission.toml with [serve] has a server to start")
    limits = data.limits.serve
    command = render_command(contract.serve_command, {
        "port": str(data.serving.port), "model_dir": stages.CONTAINER_PATHS["model_dir"]})
    env = {k: v for k, v in stages.stage_env(limits).items() if k != "TRAIN_CSV"}
    server = sandbox.RunSpec(
        command=["/bin/sh", "-c", command],
        image=image,
        limits=stages.limits_for(limits),
        mounts=[sandbox.Mount(dirs.submission, stages.CONTAINER_PATHS["submission"]),
                sandbox.Mount(dirs.model, stages.CONTAINER_PATHS["model_dir"])],
        env=env,
        workdir="/work",
        copy_in=stages.CONTAINER_PATHS["submission"],
        labels={"takehome-harness.stage": StageName.serve.value, "takehome-harness.run": dirs.run_id},
        name_hint=f"serve-{dirs.run_id}",
    )
    client_dir, control_dir, out_dir = (dirs.root / name for name in ("serve-client", "serve-control",
                                                                      "out-serve"))
    for folder in (client_dir, control_dir, out_dir):
        folder.mkdir()
        folder.chmod(0o755)
    shutil.copyfile(loadclient.__file__, client_dir / "loadclient.py")
    return ServeStage(spec=data.serving, server=server, client_dir=client_dir, control_dir=control_dir,
                      out_dir=out_dir, sample_csv=data.test_csv, id_column=data.id_column, image=image,
                      run_id=dirs.run_id)


class _ExitSignal(threading.Thread):
    """Tells the client, through its read-only control folder, the moment the server exits."""

    def __init__(self, server: sandbox.Service, control_dir: Path) -> None:
        super().__init__(name=f"serve-watch {server.name}", daemon=True)
        self.server = server
        self.flag = control_dir / Path(CONTROL_FILE).name
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            if self.server.wait(0.05):
                self.flag.write_text("exited\n", encoding="utf-8")
                self.flag.chmod(0o644)
                return

    def stop(self) -> None:
        self.done.set()
        self.join()


def _measure(box: sandbox.Sandbox, stage: ServeStage, server: sandbox.Service) -> sandbox.RunResult | None:
    """Run the client against the running server; None when the server was gone before it joined."""
    assert server.started_at is not None
    stage.write_plan(server.started_at)
    watcher = _ExitSignal(server, stage.control_dir)
    watcher.start()
    try:
        return box.run(stage.client(server.container_id))
    except sandbox.PeerGone:
        return None
    finally:
        watcher.stop()


def _sandboxed(what: str) -> InfrastructureError:
    return InfrastructureError(f"The sandbox failed during the serve stage ({what}).")


def run_serve_stage(box: sandbox.Sandbox, stage: ServeStage,
                    progress: ProgressCallback = null_progress) -> StageOutcome:
    """Start the server, measure it, stop it, and say how it went."""
    with timed(progress, StageName.serve.value) as state:
        try:
            server = box.start(stage.server)
        except sandbox.InfrastructureError as exc:
            raise _sandboxed(f"starting the server: {exc}") from exc
        try:
            client = _measure(box, stage, server)
        except BaseException as exc:
            with contextlib.suppress(sandbox.SandboxError):  # the first trouble is the one to report
                server.stop()
            if isinstance(exc, sandbox.InfrastructureError):
                raise _sandboxed(f"running the load client: {exc}") from exc
            raise
        try:
            result = server.stop()
        except sandbox.InfrastructureError as exc:
            raise _sandboxed(f"stopping the server: {exc}") from exc
        outcome = _outcome(stage, result, client)
        state["verdict"], state["message"] = outcome.verdict.value, outcome.message
    return outcome


def _outcome(stage: ServeStage, server: sandbox.RunResult, client: sandbox.RunResult | None) -> StageOutcome:
    files: dict[str, Path] = {}
    rejected: list[str] = []
    if client is not None:
        collected = sandbox.collect_outputs(stage.out_dir, max_files=4,
                                            max_file_bytes=_CLIENT_OUTPUT_BYTES,
                                            max_total_bytes=_CLIENT_OUTPUT_BYTES)
        files = {f.name: f.path for f in collected.files if f.name == REPORT_FILE}
        rejected = list(collected.rejected)
    report, problem = read_client_report(files.get(REPORT_FILE)) if client is not None else (None, "")
    verdict, message = judge(stage.spec, StageFacts(server, client, report, problem))
    return StageOutcome(
        name=StageName.serve,
        verdict=verdict,
        message=message,
        exit_code=None if server.stopped else server.exit_code,
        duration_s=round(server.duration_s, 3),
        peak_memory_bytes=server.peak_memory_bytes,
        log_tail=server.log,
        log_truncated=server.log_truncated,
        outputs=sorted(files),
        files=files,
        rejected=rejected,
    )
