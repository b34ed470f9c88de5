"""Hostile submissions: each ends in the right verdict, and the harness stays healthy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import docker
import pytest

import sandbox
from sandbox import Mount, RunSpec, Verdict, collect_outputs
from tests.sandbox.conftest import (
    MiB,
    container_gone,
    make_limits,
    make_output,
    make_submission,
    python_spec,
)


def assert_healthy(box: sandbox.Sandbox, image: str, tmp: Path) -> None:
    """The next run after a hostile one works normally."""
    result = box.run(python_spec(image, "print('healthy')", tmp=tmp))
    assert result.verdict is Verdict.ok and "healthy" in result.log


def test_fork_bomb_is_contained(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    code = textwrap.dedent(
        """
        import os, time
        failures = 0
        while True:
            try:
                os.fork()
            except OSError:
                failures += 1
                if failures == 1:
                    print('fork refused', flush=True)
                time.sleep(0.01)
        """
    )
    limits = make_limits(wall_seconds=3, pids=32)
    started = time.monotonic()
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path, limits=limits))
    assert result.verdict is Verdict.timed_out
    assert "fork refused" in result.log
    assert time.monotonic() - started < 10
    assert container_gone(docker_client, result)
    assert_healthy(box, sandbox_image, tmp_path)


def test_memory_bomb_is_out_of_memory(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = "hoard = []\nwhile True:\n    hoard.append(b'x' * (8 * 1024 * 1024))"
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=make_limits(memory_bytes=128 * MiB))
    )
    assert result.verdict is Verdict.out_of_memory
    assert result.message == "out of memory (limit 128 MiB)"
    assert result.exit_code == 137
    assert_healthy(box, sandbox_image, tmp_path)


@pytest.mark.parametrize(
    "code", ["while True:\n    pass", "import time\ntime.sleep(300)"], ids=["cpu-spin", "sleep"]
)
def test_past_the_wall_clock_is_timed_out(
    box: sandbox.Sandbox,
    sandbox_image: str,
    tmp_path: Path,
    docker_client: docker.DockerClient,
    code: str,
) -> None:
    started = time.monotonic()
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=make_limits(wall_seconds=2))
    )
    elapsed = time.monotonic() - started
    assert result.verdict is Verdict.timed_out
    assert result.message == "killed after 2 s wall-clock limit"
    assert 2 <= result.duration_s < 4.5
    assert elapsed < 8
    assert container_gone(docker_client, result)


def test_filling_tmpfs_hits_enospc_and_run_ends(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = textwrap.dedent(
        """
        import errno
        for target in ('/tmp/fill', '/work/fill', '/home/candidate/fill'):
            written = 0
            try:
                with open(target, 'wb') as fh:
                    while True:
                        fh.write(b'x' * 1024 * 1024)
                        fh.flush()
                        written += 1
            except OSError as e:
                print(target, errno.errorcode[e.errno], 'after', written, 'MiB')
        """
    )
    limits = make_limits(tmpfs_bytes=16 * MiB, memory_bytes=256 * MiB, output_bytes=64 * MiB)
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path, limits=limits))
    assert result.verdict is Verdict.ok, result.log
    for target in ("/tmp/fill", "/work/fill", "/home/candidate/fill"):
        line = next(line for line in result.log.splitlines() if line.startswith(target))
        assert "ENOSPC" in line
        assert int(line.split("after ")[1].split()[0]) <= 16


def test_filling_the_output_folder_is_output_too_large(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    out = make_output(tmp_path)
    code = textwrap.dedent(
        """
        import itertools, time
        for i in itertools.count():
            with open(f'/out/part-{i}.bin', 'wb') as fh:
                fh.write(b'x' * 1024 * 1024)
            time.sleep(0.02)
        """
    )
    limits = make_limits(output_bytes=8 * MiB, wall_seconds=20)
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=limits, outputs={"/out": out})
    )
    assert result.verdict is Verdict.output_too_large
    assert result.message == "wrote more than 8 MiB to its output folders"
    assert result.duration_s < 10  # the wall clock is 20 s
    assert container_gone(docker_client, result)
    written = sum(p.stat().st_size for p in out.iterdir())
    assert written < 32 * MiB  # stopped soon after the cap, not at the wall clock


def test_output_written_just_before_exit_is_still_caught(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    out = make_output(tmp_path)
    code = "for i in range(12):\n    open(f'/out/{i}.bin', 'wb').write(b'x' * 1024 * 1024)"
    limits = make_limits(output_bytes=8 * MiB)
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=limits, outputs={"/out": out})
    )
    assert result.exit_code == 0
    assert result.verdict is Verdict.output_too_large


def test_single_file_past_fsize_fails_to_write(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    out = make_output(tmp_path)
    code = textwrap.dedent(
        """
        import errno
        try:
            with open('/out/huge.bin', 'wb') as fh:
                for _ in range(64):
                    fh.write(b'x' * 1024 * 1024)
        except OSError as e:
            print('write stopped:', errno.errorcode[e.errno])
            raise SystemExit(1)
        """
    )
    limits = make_limits(output_bytes=32 * MiB, fsize_bytes=4 * MiB)
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=limits, outputs={"/out": out})
    )
    assert result.verdict is Verdict.failed
    assert "write stopped: EFBIG" in result.log
    assert (out / "huge.bin").stat().st_size <= 4 * MiB


def test_flooding_stdout_is_bounded_marked_and_killed(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    code = "import sys\nsys.stdout.write('BEGIN\\n')\nwhile True:\n    sys.stdout.write('flood ' * 10000 + '\\n')"
    limits = make_limits(log_bytes=16 * 1024, wall_seconds=20)
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path, limits=limits))
    assert result.verdict is Verdict.output_too_large
    assert "stdout/stderr" in result.message and "flooding" in result.message
    assert result.log_truncated
    assert result.log.startswith("BEGIN")
    assert "bytes of output dropped" in result.log
    assert len(result.log.encode()) < 16 * 1024 + 200
    assert result.log_bytes_total > 50 * 16 * 1024
    assert result.duration_s < 10  # the wall clock is 20 s
    assert container_gone(docker_client, result)


def test_chatty_but_not_flooding_keeps_head_and_tail(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = "for i in range(5000):\n    print(f'line {i}')"
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=make_limits(log_bytes=4096))
    )
    assert result.verdict is Verdict.ok
    assert result.log_truncated
    assert result.log.startswith("line 0\n")
    assert result.log.rstrip().endswith("line 4999")


def test_only_loopback_network(box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path) -> None:
    # Never aims traffic anywhere but loopback: it reads the kernel's view of interfaces and routes.
    code = textwrap.dedent(
        """
        import os, socket
        print('interfaces', sorted(os.listdir('/sys/class/net')))
        routes = open('/proc/net/route').read().splitlines()[1:]
        print('routes', len(routes))
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(('127.0.0.1', 9))
            print('connected')
        except OSError as e:
            print('loopback connect refused:', type(e).__name__)
        """
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok, result.log
    assert "interfaces ['lo']" in result.log
    assert "routes 0" in result.log
    assert "loopback connect refused: ConnectionRefusedError" in result.log


def test_held_out_labels_cannot_be_found(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = f"CANARY-{uuid.uuid4().hex}"
    # The labels stay on the host: next to the submission, in the test's environment.
    (tmp_path / "heldout_labels.csv").write_text(f"id,label\nT-1,{canary}\n")
    monkeypatch.setenv("HELDOUT_CANARY", canary)
    submission = make_submission(tmp_path)
    search = textwrap.dedent(
        """
        import os, sys
        needle = bytes.fromhex(sys.argv[1])
        hits, files = [], 0
        def scan(path):
            global files
            try:
                with open(path, 'rb') as fh:
                    files += 1
                    if needle in fh.read(64 * 1024 * 1024):
                        hits.append(path)
            except OSError:
                pass
        for root, dirs, names in os.walk('/', followlinks=False):
            if root == '/':
                dirs[:] = [d for d in dirs if d not in ('proc', 'sys')]
            for name in names:
                path = os.path.join(root, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    scan(path)
        for pid in [p for p in os.listdir('/proc') if p.isdigit()]:
            for part in ('environ', 'cmdline'):
                scan(f'/proc/{pid}/{part}')
        for sysfile in ('/proc/mounts', '/proc/self/mountinfo'):
            scan(sysfile)
        if needle in b''.join(k.encode() + v.encode() for k, v in os.environ.items()):
            hits.append('environment')
        print('scanned', files, 'files; hits:', hits)
        """
    )
    result = box.run(
        RunSpec(
            command=["python", "-c", search, canary.encode().hex()],
            image=sandbox_image,
            # Reads every file of the image (about 700 MB since it gained the plotting and serving
            # stacks): 60 s was too tight on a loaded machine.
            limits=make_limits(wall_seconds=240, memory_bytes=512 * MiB),
            mounts=[Mount(submission, "/submission")],
        )
    )
    assert result.verdict is Verdict.ok, result.log
    assert "hits: []" in result.log
    scanned = int(result.log.split("scanned ")[1].split()[0])
    assert scanned > 1000  # it really walked the filesystem


def test_cannot_signal_init_or_see_host_processes(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    host_pid = os.getpid()
    code = textwrap.dedent(
        f"""
        import os, signal
        pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
        print('visible processes', len(pids))
        try:
            os.kill({host_pid}, 0)
            print('host process visible')
        except ProcessLookupError:
            print('host pid: no such process')
        os.kill(1, signal.SIGKILL)
        import time; time.sleep(0.3)
        print('still running after kill -9 1')
        """
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok, result.log
    assert "host pid: no such process" in result.log
    assert "still running after kill -9 1" in result.log
    visible = int(result.log.split("visible processes ")[1].split()[0])
    assert visible <= 4  # init, the shell that exec'd python, python itself


def test_background_processes_do_not_survive(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    marker = f"{uuid.uuid4().int % 10**6}.{os.getpid()}"
    code = textwrap.dedent(
        f"""
        import subprocess
        subprocess.Popen(['setsid', 'sleep', '{marker}'], start_new_session=True)
        subprocess.Popen(['sh', '-c', 'trap "" TERM HUP; sleep {marker}'], start_new_session=True)
        print('left two sleepers behind')
        """
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok, result.log
    time.sleep(0.2)
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline and b"python" not in cmdline:
            survivors.append(pid)
    assert survivors == []


def test_hostile_output_files_are_rejected_by_collect(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    secret = tmp_path / "host-secret.txt"
    secret.write_text("host secret")
    out = make_output(tmp_path)
    code = textwrap.dedent(
        f"""
        import os
        os.symlink('{secret}', '/out/predictions.csv')
        os.symlink('/', '/out/root-link')
        os.mkfifo('/out/fifo.csv')
        with open('/out/huge.bin', 'wb') as fh:
            fh.write(b'x' * (3 * 1024 * 1024))
        open('/out/ok.csv', 'w').write('id,label\\n')
        os.mkdir('/out/sub')
        os.symlink('/etc/passwd', '/out/sub/passwd')
        print('planted')
        """
    )
    limits = make_limits(output_bytes=32 * MiB)
    result = box.run(
        python_spec(sandbox_image, code, tmp=tmp_path, limits=limits, outputs={"/out": out})
    )
    assert result.verdict is Verdict.ok, result.log
    started = time.monotonic()
    collected = collect_outputs(out, max_file_bytes=MiB, max_total_bytes=8 * MiB)
    assert time.monotonic() - started < 2  # the FIFO did not block
    assert [f.name for f in collected.files] == ["ok.csv"]
    assert sorted(collected.rejected) == sorted(
        [
            "predictions.csv: symlink, not followed",
            "root-link: symlink, not followed",
            "fifo.csv: FIFO",
            "huge.bin: 3 MiB over the 1 MiB cap",
            "sub/passwd: symlink, not followed",
        ]
    )
    assert secret.read_text() == "host secret"


@pytest.mark.parametrize(
    "command", [["sleep", "60"], ["yes", "flood"]], ids=["sleeping", "flooding"]
)
def test_interrupted_run_still_removes_its_container(
    sandbox_image: str, docker_client: docker.DockerClient, test_label: str, command: list[str]
) -> None:
    label = f"{test_label}.interrupt-{command[0]}"
    script = textwrap.dedent(
        f"""
        import signal
        import sandbox
        from sandbox import Limits, RunSpec
        # Ctrl-C as at a terminal: a shell that starts a job in the background (CI runners may)
        # hands it SIGINT ignored, and Python keeps an ignored SIGINT ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        box = sandbox.Sandbox(label={label!r})
        print('starting', flush=True)
        box.run(RunSpec(command={command!r}, image={sandbox_image!r}, copy_in=None,
                        limits=Limits(wall_seconds=60, memory_bytes=64 * 1024 * 1024,
                                      log_kill_bytes=1 << 40)))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "starting"
        deadline = time.monotonic() + 10
        while not docker_client.api.containers(filters={"label": label}):
            assert time.monotonic() < deadline, "the container never started"
            time.sleep(0.05)
        time.sleep(0.5)  # mid-run: sleeping, or flooding into the attach socket
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert docker_client.api.containers(all=True, filters={"label": label}) == []
