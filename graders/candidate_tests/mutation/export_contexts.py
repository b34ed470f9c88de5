"""Which test ran which line: exported from coverage's data after the candidate's pytest run.

Installed by the grading harness: the tests stage mounts this file read-only and runs it after
pytest (``python export_contexts.py DATA_FILE OUT_JSON``), in the same sandbox. It needs only the
standard library and ``coverage``. The JSON it writes is compact (tests are numbered once) and
bounded; the harness reads it as untrusted data, like every file a sandbox wrote:

    {"format": 1, "tests": ["tests/test_a.py::test_x", ...],
     "files": {"pkg/mod.py": {"12": [0, 3], "1": [-1]}}, "truncated": false}

``-1`` stands for code run outside any test (at import, while pytest collected the modules).
The phase suffixes pytest-cov adds (``|setup``, ``|run``, ``|teardown``) are merged: a fixture
that runs a line makes the test depend on it too.
"""

from __future__ import annotations

import json
import os
import sys

FORMAT = 1
MAX_TESTS = 20_000
MAX_REFS = 2_000_000
"""(line, test) pairs written at most; past it the export says it is truncated."""
OUTSIDE_TESTS = -1


def _test_id(context: str) -> str:
    name, bar, phase = context.rpartition("|")
    return name if bar and phase in {"setup", "run", "teardown"} else context


def export(data_file: str) -> dict[str, object]:
    from coverage import CoverageData

    data = CoverageData(basename=data_file)
    data.read()
    tests: list[str] = []
    numbers: dict[str, int] = {}
    files: dict[str, dict[str, list[int]]] = {}
    refs, truncated = 0, False
    for path in sorted(data.measured_files()):
        lines: dict[str, list[int]] = {}
        for line, contexts in sorted(data.contexts_by_lineno(path).items()):
            ids: set[int] = set()
            for context in contexts:
                test = _test_id(context)
                if not test:
                    ids.add(OUTSIDE_TESTS)
                    continue
                if test not in numbers:
                    if len(tests) >= MAX_TESTS:
                        truncated = True
                        continue
                    numbers[test] = len(tests)
                    tests.append(test)
                ids.add(numbers[test])
            refs += len(ids)
            if refs > MAX_REFS:
                truncated = True
                break
            lines[str(line)] = sorted(ids)
        files[path] = lines
        if refs > MAX_REFS:
            break
    return {"format": FORMAT, "tests": tests, "files": files, "truncated": truncated}


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: export_contexts.py DATA_FILE OUT_JSON", file=sys.stderr)
        return 2
    data_file, out = argv[1], argv[2]
    if not os.path.isfile(data_file):
        return 0  # no coverage data (no tests ran): nothing to export
    try:
        payload = export(data_file)
    except Exception as exc:  # a broken data file must not change the stage's verdict
        print(f"harness: per-test coverage not exported ({type(exc).__name__})", file=sys.stderr)
        return 0
    tmp = f"{out}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, separators=(",", ":"))
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
