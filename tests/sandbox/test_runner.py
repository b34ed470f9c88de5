"""The runner's ordinary behaviour and the isolation every run gets."""

from __future__ import annotations

import dataclasses
import textwrap
import threading
from pathlib import Path

import docker

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


def test_ok_run_captures_stdout_and_stderr(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    code = "import sys; print('to stdout'); print('to stderr', file=sys.stderr)"
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok
    assert result.exit_code == 0
    assert result.message == "exit code 0"
    assert "to stdout" in result.log and "to stderr" in result.log
    assert not result.log_truncated
    assert result.duration_s < 5
    assert container_gone(docker_client, result)


def test_non_zero_exit_is_failed_with_code(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    result = box.run(python_spec(sandbox_image, "raise SystemExit(3)", tmp=tmp_path))
    assert result.verdict is Verdict.failed
    assert result.exit_code == 3
    assert result.message == "exit code 3"


def test_crash_shows_traceback_in_log(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    result = box.run(python_spec(sandbox_image, "1/0", tmp=tmp_path))
    assert result.verdict is Verdict.failed
    assert "ZeroDivisionError" in result.log


def test_submission_copied_into_writable_workdir(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    submission = make_submission(tmp_path, {"main.py": "print('ran main')\n", "pkg/data.txt": "x"})
    out = make_output(tmp_path)
    code = (
        "import os, runpy; print('cwd', os.getcwd()); runpy.run_path('main.py');"
        "open('written-next-to-code.txt', 'w').write('ok');"
        "open('/out/result.txt', 'w').write(open('pkg/data.txt').read())"
    )
    result = box.run(
        RunSpec(
            command=["python", "-c", code],
            image=sandbox_image,
            limits=make_limits(),
            mounts=[Mount(submission, "/submission")],
            outputs={"/out": out},
        )
    )
    assert result.verdict is Verdict.ok, result.log
    assert "cwd /work" in result.log and "ran main" in result.log
    collected = collect_outputs(out, max_file_bytes=MiB, max_total_bytes=MiB)
    assert [f.name for f in collected.files] == ["result.txt"]
    assert collected.files[0].path.read_text() == "x"
    # The submission on the host is untouched.
    assert sorted(p.name for p in submission.iterdir()) == ["main.py", "pkg"]


def test_submission_mount_is_read_only(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = (
        "import errno\n"
        "try:\n    open('/submission/new.txt', 'w')\n"
        "except OSError as e:\n    print('errno', errno.errorcode[e.errno])\n"
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok
    assert "errno EROFS" in result.log


def test_environment_passed_and_home_writable(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = (
        "import os, pathlib; print('SEED', os.environ['SEED']); print('HOME', os.environ['HOME']);"
        "pathlib.Path.home().joinpath('.cache-test').write_text('x'); print('home ok');"
        "print('BYTECODE', os.environ['PYTHONDONTWRITEBYTECODE'])"
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path, env={"SEED": "42"}))
    assert result.verdict is Verdict.ok, result.log
    assert "SEED 42" in result.log
    assert "HOME /home/candidate" in result.log and "home ok" in result.log
    assert "BYTECODE 1" in result.log


def test_runs_as_non_root_without_capabilities(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = (
        "import os; print('uid', os.getuid(), os.geteuid(), os.getgid());"
        "status = dict(l.split(':', 1) for l in open('/proc/self/status'));"
        "print('CapEff', status['CapEff'].strip()); print('CapPrm', status['CapPrm'].strip());"
        "print('NoNewPrivs', status['NoNewPrivs'].strip())"
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok, result.log
    assert f"uid {sandbox.SANDBOX_UID} {sandbox.SANDBOX_UID} {sandbox.SANDBOX_GID}" in result.log
    assert "CapEff 0000000000000000" in result.log
    assert "CapPrm 0000000000000000" in result.log
    assert "NoNewPrivs 1" in result.log


def test_root_filesystem_is_read_only(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    code = (
        "import errno\n"
        "for path in ('/etc/evil', '/opt/venv/evil.py', '/usr/bin/evil', '/evil'):\n"
        "    try:\n        open(path, 'w')\n        print('WROTE', path)\n"
        "    except OSError as e:\n        print(path, errno.errorcode[e.errno])\n"
        "mounts = {l.split()[1]: l.split()[2:4] for l in open('/proc/mounts')}\n"
        "print('root', mounts['/'][1].split(',')[0])\n"
        "for m in ('/tmp', '/work', '/home/candidate'):\n    print(m, mounts[m][0])\n"
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok, result.log
    assert "WROTE" not in result.log
    assert result.log.count("EROFS") == 4
    assert "root ro" in result.log
    for scratch in ("/tmp tmpfs", "/work tmpfs", "/home/candidate tmpfs"):
        assert scratch in result.log


def test_kernel_limits_applied(box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path) -> None:
    # Reads the container's own cgroup (v1 layout, else v2) and rlimits.
    code = textwrap.dedent(
        """
        import os, resource
        def read(*paths):
            for path in paths:
                if os.path.exists(path):
                    return open(path).read().strip()
            return 'missing'
        cg = '/sys/fs/cgroup'
        if os.path.exists(f'{cg}/cpu/cpu.cfs_quota_us'):
            print('quota', read(f'{cg}/cpu/cpu.cfs_quota_us'), read(f'{cg}/cpu/cpu.cfs_period_us'))
        else:
            print('quota', read(f'{cg}/cpu.max'))
        print('mem', read(f'{cg}/memory/memory.limit_in_bytes', f'{cg}/memory.max'))
        print('swap', read(f'{cg}/memory/memory.memsw.limit_in_bytes', f'{cg}/memory.swap.max'))
        print('pids', read(f'{cg}/pids/pids.max', f'{cg}/pids.max'))
        print('nofile', resource.getrlimit(resource.RLIMIT_NOFILE))
        print('fsize', resource.getrlimit(resource.RLIMIT_FSIZE))
        print('core', resource.getrlimit(resource.RLIMIT_CORE))
        """
    )
    limits = make_limits(
        cpus=0.5, memory_bytes=200 * MiB, pids=50, nofile=256, output_bytes=8 * MiB
    )
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path, limits=limits))
    assert result.verdict is Verdict.ok, result.log
    quota, period = result.log.split("quota ")[1].split()[:2]
    assert int(quota) / int(period) == 0.5
    assert f"mem {200 * MiB}" in result.log
    # v1 counts memory+swap together (equal to the limit: no swap); v2 counts swap alone (0).
    assert (
        f"swap {200 * MiB}" in result.log or "swap 0" in result.log or "swap missing" in result.log
    )
    assert "pids 50" in result.log
    assert "nofile (256, 256)" in result.log
    assert f"fsize ({8 * MiB}, {8 * MiB})" in result.log
    assert "core (0, 0)" in result.log


def test_peak_memory_measured(box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path) -> None:
    code = "import time; x = b'a' * (120 * 1024 * 1024); time.sleep(0.5); print(len(x))"
    result = box.run(python_spec(sandbox_image, code, tmp=tmp_path))
    assert result.verdict is Verdict.ok, result.log
    assert result.peak_memory_bytes is not None
    assert 120 * MiB <= result.peak_memory_bytes <= 256 * MiB


def test_labels_and_name_hint(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path, docker_client: docker.DockerClient
) -> None:
    seen: dict[str, object] = {}
    done = threading.Event()
    code = "import time; time.sleep(1.5)"
    spec = python_spec(sandbox_image, code, tmp=tmp_path, labels={"stage": "train"})
    spec = dataclasses.replace(spec, name_hint="train sub/42")

    def look() -> None:
        # Looks while the run goes on, however slowly the engine starts it.
        while not done.is_set():
            found = docker_client.api.containers(filters={"label": "stage=train"})
            found = [c for c in found if box.label in c["Labels"]]
            if found:
                seen.update(found[0])
                return
            done.wait(0.05)

    watcher = threading.Thread(target=look)
    watcher.start()
    try:
        result = box.run(spec)
    finally:
        done.set()
        watcher.join()
    assert result.verdict is Verdict.ok
    assert result.container_name.startswith("takehome-train-sub-42-")
    assert seen, "the running container was not found by its labels"
    assert seen["Names"] == [f"/{result.container_name}"]
