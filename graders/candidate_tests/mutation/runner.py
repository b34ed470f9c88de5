"""Mutation testing inside the sandbox: run the covering tests against each mutant.

Installed by the grading harness: the mutation stage mounts this file read-only at
``/harness/harness_mutate.py`` with the plan the harness wrote (``mutation_plan.json``) and runs
``python /harness/harness_mutate.py /harness/mutation_plan.json``. It uses only the standard
library and pytest. Nothing here trusts what candidate code does:

- every test run happens in a forked child (its own process group, output to ``/dev/null``,
  first in line for the OOM killer); this process never runs candidate code and makes itself
  undumpable, so the children cannot read or trace it;
- a child past its time limit is killed with its group, and after every run every other
  process of the sandbox user is killed (forks that left the group included);
- the mutated file is restored byte for byte with its times; if anything else in the working
  copy changed (a mutant that deletes files), the copy is rebuilt from the read-only
  submission; new entries in ``/tmp`` are removed;
- results are written to ``/out/mutation.json`` after every mutant (atomically), so a stage
  stopped at its wall-clock limit still reports the mutants it judged.

First a baseline: the union of the planned tests against the unmodified code. Only the tests that
pass there judge mutants; the third-party modules the tests imported are then imported once here,
so each child starts with them loaded. A child's exit status decides: 0 is a surviving mutant,
pytest's 1 (a failing test) and 2 or 3 (a mutant that breaks import or collection) a killed one,
a signal a crashed one (killed), the time limit a timed-out one (killed); 4 and 5 mean the tests
could not be run and the mutant is not judged.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import signal
import sys
import time
from typing import Any

FORMAT = 1
MAX_RESULT_BYTES = 8 * 1024 * 1024
STATE_DIR = "/tmp/.harness-mutation"
CHILD_ERROR = 70
"""Exit status of a child whose harness side failed (not the tests)."""
PREIMPORT_SECONDS = 20.0
LOG_TAIL = 2000


def _now() -> float:
    return time.monotonic()


def _prctl_dumpable(value: int) -> None:
    """PR_SET_DUMPABLE: an undumpable process cannot be traced or read by the same user."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, value, 0, 0, 0)
    except Exception:
        pass


# --- the working copy --------------------------------------------------------------------------


def _signature(root: str) -> dict[str, tuple[int, int, int]]:
    """Every entry under ``root`` (links not followed): mode, size and modification time."""
    out: dict[str, tuple[int, int, int]] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            out[os.path.relpath(path, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def _writable(function: Any, path: str, _exc: object) -> None:
    """rmtree's error handler: a mutant may have made folders read-only."""
    with contextlib.suppress(OSError):
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        function(path)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=_writable)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _clear(root: str) -> None:
    with contextlib.suppress(OSError):
        os.chmod(root, 0o700)
    for name in os.listdir(root):
        _remove(os.path.join(root, name))


def _drop_bytecode(root: str) -> None:
    for folder, dirs, _ in os.walk(root):
        if "__pycache__" in dirs:
            shutil.rmtree(os.path.join(folder, "__pycache__"), ignore_errors=True)
            dirs.remove("__pycache__")


class Workdir:
    """The writable copy of the submission the tests run in, kept identical between runs."""

    def __init__(self, root: str, source: str) -> None:
        self.root, self.source = root, source
        self.resets = 0
        _drop_bytecode(root)
        self.expected = _signature(root)
        self.tmp_entries = set(os.listdir("/tmp"))

    def rebuild(self) -> None:
        _clear(self.root)
        shutil.copytree(self.source, self.root, symlinks=True, dirs_exist_ok=True)
        _drop_bytecode(self.root)
        self.expected = _signature(self.root)
        self.resets += 1

    def tidy(self) -> None:
        """After a run: the copy as it was, and ``/tmp`` without what the run left there."""
        for name in set(os.listdir("/tmp")) - self.tmp_entries:
            _remove(os.path.join("/tmp", name))
        os.makedirs(STATE_DIR, exist_ok=True)
        if _signature(self.root) != self.expected:
            self.rebuild()


class Mutation:
    """A mutant applied to its file on disk (so subprocesses of the tests see it too)."""

    def __init__(self, root: str, mutant: dict[str, Any]) -> None:
        self.path = os.path.join(root, mutant["file"])
        with open(self.path, "rb") as handle:
            self.raw = handle.read()
        self.stat = os.stat(self.path)
        text = self.raw.decode("utf-8-sig")
        start, end = mutant["start"], mutant["end"]
        if text[start:end] != mutant["original"]:
            raise ValueError("the source does not match the plan")
        self.mutated = (text[:start] + mutant["replacement"] + text[end:]).encode("utf-8")

    def __enter__(self) -> Mutation:
        with open(self.path, "wb") as handle:
            handle.write(self.mutated)
        return self

    def __exit__(self, *exc: object) -> None:
        # A mutant may have made the file read-only, or replaced it: then the working copy
        # differs from its signature and is rebuilt.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
            with open(self.path, "wb") as handle:
                handle.write(self.raw)
            os.chmod(self.path, self.stat.st_mode & 0o7777)
            os.utime(self.path, ns=(self.stat.st_atime_ns, self.stat.st_mtime_ns))


# --- children ----------------------------------------------------------------------------------


class Recorder:
    """A pytest plugin in the child: which tests passed, which failed first, and how long each took."""

    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.durations: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        node = str(report.nodeid)
        self.durations[node] = self.durations.get(node, 0.0) + float(report.duration or 0.0)
        if report.failed:
            self.failed.append(node)
        elif report.when == "call" and report.passed:
            self.passed.append(node)

    def dump(self, path: str, workdir: str, full: bool) -> None:
        payload: dict[str, Any] = {"failed": self.failed[:1]}
        if full:
            failed = set(self.failed)
            payload["passed"] = [n for n in self.passed if n not in failed]
            payload["durations"] = self.durations
            payload["modules"] = sorted(
                name for name, module in list(sys.modules.items()) if _installed(name, module, workdir)
            )[:5000]
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)


def _installed(name: str, module: object, workdir: str) -> bool:
    """A module of the image (standard library or installed package), not of the submission."""
    file = getattr(module, "__file__", None)
    if not isinstance(file, str) or name == "__main__" or name.startswith("harness_"):
        return False
    path = os.path.realpath(file)
    return not path.startswith((workdir + "/", "/tmp/", "/harness/", "/submission/"))


def _child(args: list[str], workdir: str, scratch: str, log: str | None, result: str, full: bool) -> None:
    """The forked side: never returns."""
    code = CHILD_ERROR
    try:
        os.setpgid(0, 0)
        _prctl_dumpable(1)
        with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
        sink = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(sig, signal.SIG_DFL)
        os.makedirs(scratch, exist_ok=True)
        os.environ["TMPDIR"] = scratch
        os.chdir(workdir)
        sys.path.insert(0, workdir)
        import pytest

        recorder = Recorder()
        code = int(pytest.main([*args, f"--basetemp={scratch}/pytest"], plugins=[recorder]))
        recorder.dump(result, workdir, full)
    except BaseException:  # the exit status below says what happened
        pass
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _sweep() -> None:
    """Kill every other process this user has (forks that left the child's group included)."""
    me = os.getpid()
    for _ in range(50):
        with contextlib.suppress(OSError):
            os.kill(-1, signal.SIGKILL)  # never this process, never pid 1
        alive = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in (me, 1):
                continue
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    state = handle.read().rpartition(")")[2].split()[0]
            except (OSError, IndexError):
                continue
            if state not in ("Z", "X"):
                alive = True
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        if not alive:
            return
        time.sleep(0.02)


class Outcome:
    def __init__(self, status: str, seconds: float, exit_code: int | None = None, detail: str = "") -> None:
        self.status, self.seconds, self.exit_code, self.detail = status, seconds, exit_code, detail


def run_tests(args: list[str], workdir: str, timeout: float, *, log: str | None = None,
              full: bool = False) -> tuple[Outcome, dict[str, Any]]:
    """Run pytest with ``args`` in a forked child, at most ``timeout`` seconds; the outcome and
    what the child's recorder wrote (untrusted: only the candidate's own score depends on it)."""
    os.makedirs(STATE_DIR, exist_ok=True)
    scratch = os.path.join(STATE_DIR, "scratch")
    result = os.path.join(STATE_DIR, "child.json")
    _remove(result)
    started = _now()
    pid = os.fork()
    if pid == 0:
        _child(args, workdir, scratch, log, result, full)
    status, pause, timed_out = 0, 0.002, False
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if _now() - started > timeout:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            timed_out = True
            break
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    seconds = _now() - started
    _sweep()
    _remove(scratch)
    report = _read_json(result)
    if timed_out:
        return Outcome("timeout", seconds, None, f"killed after {timeout:.1f} s"), report
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return Outcome("crashed", seconds, None, f"killed by {name}"), report
    code = os.WEXITSTATUS(status)
    verdict = {0: "survived", 1: "killed", 2: "killed", 3: "killed", 4: "error", 5: "no_tests",
               CHILD_ERROR: "error"}.get(code, "killed")
    return Outcome(verdict, seconds, code), report


# --- the run -----------------------------------------------------------------------------------


def _read_json(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_RESULT_BYTES + 1)
        parsed = json.loads(data) if len(data) <= MAX_RESULT_BYTES else None
    except (OSError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - LOG_TAIL))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _preimport(modules: list[str]) -> int:
    """Import the installed modules the tests used, once, so every child starts with them."""
    started, count = _now(), 0
    for name in modules:
        if _now() - started > PREIMPORT_SECONDS:
            break
        if not isinstance(name, str) or name in sys.modules:
            continue
        try:
            importlib.import_module(name)
            count += 1
        except BaseException:  # a module that fails to import here is simply not preloaded
            continue
    return count


def _threads() -> int:
    """Threads of this process: forking is only safe while there is one."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


class Run:
    """The state of one mutation run, written to the output after every step."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.started = _now()
        self.output = plan["output"]
        self.results: dict[str, Any] = {
            "format": FORMAT, "baseline": None, "mutants": [], "stopped": "",
            "budget_s": plan["budget_s"], "elapsed_s": 0.0, "resets": 0, "preloaded": 0,
        }

    def elapsed(self) -> float:
        return _now() - self.started

    def write(self) -> None:
        """Replace the output file; what a child may have put in its place is removed first."""
        self.results["elapsed_s"] = round(self.elapsed(), 3)
        data = json.dumps(self.results).encode("utf-8")
        partial = self.output + ".tmp"
        _remove(partial)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if os.path.isdir(self.output) and not os.path.islink(self.output):
            _remove(self.output)
        os.replace(partial, self.output)


def baseline(run: Run, workdir: Workdir) -> tuple[set[str], dict[str, float], float] | None:
    """Run every planned test on the unmodified code; None when that run is unusable."""
    plan = run.plan
    tests: list[str] = plan["tests"]
    log = os.path.join(STATE_DIR, "baseline.log")
    limit = max(1.0, min(plan["budget_s"], plan["deadline_s"] - run.elapsed()))
    outcome, report = run_tests([*plan["pytest_args"], *tests], workdir.root, limit, log=log, full=True)
    tail = _tail(log)
    workdir.tidy()
    passed = {t for t in report.get("passed", []) if isinstance(t, str)} & set(tests)
    durations = {k: float(v) for k, v in (report.get("durations") or {}).items()
                 if isinstance(k, str) and isinstance(v, (int, float)) and k in passed}
    status = {"survived": "passed", "killed": "failed"}.get(outcome.status, outcome.status)
    run.results["baseline"] = {
        "status": status, "exit_code": outcome.exit_code, "seconds": round(outcome.seconds, 3),
        "tests": len(tests), "passed": sorted(passed), "detail": outcome.detail,
        "log_tail": tail if outcome.status != "survived" else "",
    }
    if outcome.status not in ("survived", "killed") or not passed:
        return None
    modules = [m for m in report.get("modules", []) if isinstance(m, str)]
    run.results["preloaded"] = _preimport(modules)
    run.results["threads"] = _threads()
    overhead = max(0.2, outcome.seconds - sum(durations.values()))
    return passed, durations, overhead


def judge(run: Run, workdir: Workdir, passed: set[str], durations: dict[str, float], overhead: float) -> None:
    plan = run.plan
    names: list[str] = plan["tests"]
    judged = 0
    for mutant in plan["mutants"]:
        if judged >= plan["judge"]:
            run.results["stopped"] = "sample"
            return
        # Fastest first: with -x the first failing test ends the run.
        tests = sorted((names[i] for i in mutant["tests"] if names[i] in passed),
                       key=lambda t: (durations.get(t, 0.0), t))
        entry: dict[str, Any] = {"id": mutant["id"], "tests": len(tests)}
        if not tests:
            entry["status"] = "no_tests"
            run.results["mutants"].append(entry)
            continue
        expected = overhead + sum(durations.get(t, 0.0) for t in tests)
        timeout = min(plan["max_timeout_s"], max(plan["min_timeout_s"], plan["timeout_factor"] * expected + 1.0))
        if run.elapsed() >= plan["budget_s"] or run.elapsed() + timeout > plan["deadline_s"]:
            run.results["stopped"] = "budget"
            return
        try:
            mutation = Mutation(workdir.root, mutant)
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            entry.update(status="error", detail=f"not applied: {exc}"[:200])
            run.results["mutants"].append(entry)
            continue
        with mutation:
            outcome, report = run_tests([*plan["pytest_args"], *tests], workdir.root, timeout)
        first = report.get("failed")
        entry.update(status=outcome.status, seconds=round(outcome.seconds, 3), exit_code=outcome.exit_code,
                     detail=outcome.detail)
        if outcome.status == "killed" and isinstance(first, list) and first and first[0] in tests:
            entry["killed_by"] = first[0]
        run.results["mutants"].append(entry)
        if outcome.status not in ("error", "no_tests"):
            judged += 1
        try:
            workdir.tidy()
        except OSError:
            run.results["stopped"] = "workdir"  # the copy could not be rebuilt: stop judging
            return
        run.results["resets"] = workdir.resets
        run.write()
    run.results["stopped"] = "done"


def main(argv: list[str]) -> int:
    _prctl_dumpable(0)
    with open(argv[1], encoding="utf-8") as handle:
        plan = json.load(handle)
    os.makedirs(STATE_DIR, exist_ok=True)
    run = Run(plan)
    workdir = Workdir(plan["workdir"], plan["source"])
    import pytest  # noqa: F401  # loaded once here, so every child starts with it

    run.write()
    found = baseline(run, workdir)
    if found is None:
        run.results["stopped"] = "baseline"
    else:
        judge(run, workdir, *found)
    run.results["resets"] = workdir.resets
    run.write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
