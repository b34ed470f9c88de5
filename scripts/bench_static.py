"""Benchmark: static analysis of a 20,000-line synthetic submission.

Generates a submission (package modules, tests, a notebook, a README) in a temporary folder, then
times the static graders on it: ``quality``, the static part of ``tests`` (no test stage),
``writeup`` and ``notebooks``, in one grading context as the pipeline runs them. Target on the
reference machine: at most 5 s in all. Not a unit test; ``make bench-static`` runs it.

    python scripts/bench_static.py [--lines 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.candidate_tests import TestsGrader  # noqa: E402
from graders.notebooks import NotebooksGrader  # noqa: E402
from graders.quality import QualityGrader  # noqa: E402
from graders.types import AssignmentView, GradingContext  # noqa: E402
from graders.writeup import WriteupGrader  # noqa: E402

_WORDS = [
    "ticket",
    "label",
    "score",
    "frame",
    "token",
    "vector",
    "model",
    "batch",
    "queue",
    "reply",
]


def _function(rng: random.Random, index: int) -> list[str]:
    """A function of 8-40 lines with branches, loops, a docstring and hints some of the time."""
    name = f"{rng.choice(_WORDS)}_{rng.choice(_WORDS)}_{index}"
    typed = rng.random() < 0.6
    args = "items: list[str], limit: int = 10" if typed else "items, limit=10"
    ret = " -> dict[str, int]" if typed else ""
    lines = [f"def {name}({args}){ret}:"]
    if rng.random() < 0.7:
        lines.append(f'    """Count {rng.choice(_WORDS)}s in ``items`` up to ``limit``."""')
    lines.append("    counts = {}")
    lines.append("    for position, item in enumerate(items):")
    for branch in range(rng.randint(1, 6)):
        keyword = "if" if branch == 0 else "elif"
        lines.append(
            f"        {keyword} item.startswith({rng.choice(_WORDS)!r}) and position < limit:"
        )
        lines.append(f"            counts[item] = counts.get(item, 0) + {branch + 1}")
    lines.append("        else:")
    lines.append("            counts.setdefault(item, 0)")
    for _ in range(rng.randint(0, 12)):
        lines.append(f"    counts[{rng.choice(_WORDS)!r}] = len(items) * {rng.randint(1, 9)}")
    lines.append("    return counts")
    return lines


def _module(rng: random.Random, index: int, target: int) -> str:
    lines = [f'"""Synthetic module {index}."""', "", "import os", "import sys", "", ""]
    n = 0
    while len(lines) < target:
        lines.extend(_function(rng, index * 1000 + n))
        lines.extend(["", ""])
        n += 1
        if rng.random() < 0.05:  # a copy-pasted block, for the duplication detector
            lines.extend(_function(random.Random(index), 0)[1:])
            lines.extend(["", ""])
    if rng.random() < 0.2:
        lines.append('print("debug", os.getcwd(), sys.argv)')
    return "\n".join(lines) + "\n"


def _test_module(rng: random.Random, index: int, target: int) -> str:
    lines = ["import pytest", "", f"from pkg import mod_{index} as mod", "", ""]
    n = 0
    while len(lines) < target:
        if rng.random() < 0.3:
            lines.append('@pytest.mark.parametrize("value", [1, 2, 3])')
            lines.append(f"def test_case_{n}(value):")
        else:
            lines.append(f"def test_case_{n}():")
        lines.append("    result = {'a': 1}")
        lines.append("    assert result['a'] == 1")
        if rng.random() < 0.5:
            lines.append("    assert isinstance(result, dict)")
        lines.extend(["", ""])
        n += 1
    return "\n".join(lines) + "\n"


def _notebook(rng: random.Random, lines: int) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# Exploration\n\nSome notes."}]
    count = 0
    while lines > 0:
        count += 1
        body = "\n".join(_function(rng, 90_000 + count)) + f"\n{_WORDS[count % 10]}_value = {count}"
        cells.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "metadata": {},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": f"{count}\n"}],
                "source": ("%matplotlib inline\n" if count == 1 else "") + body,
            }
        )
        lines -= body.count("\n") + 1
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def generate(root: Path, total_lines: int, seed: int = 20261126) -> int:
    """Write a synthetic submission of about ``total_lines`` Python lines; return the exact count."""
    rng = random.Random(seed)
    pkg = root / "pkg"
    tests = root / "tests"
    pkg.mkdir(parents=True)
    tests.mkdir()
    (pkg / "__init__.py").write_text('"""Synthetic package."""\n')
    (root / "submission.toml").write_text(
        '[train]\ncommand = "python -m pkg.mod_0 --train {train}"\n'
        '[predict]\ncommand = "python -m pkg.mod_0 --input {test} --output {predictions}"\n'
    )
    (root / "requirements.txt").write_text("pandas==3.1.1\nscikit-learn>=1.5\n")
    module_lines = int(total_lines * 0.78)
    test_lines = int(total_lines * 0.17)
    notebook_lines = total_lines - module_lines - test_lines
    modules = max(1, module_lines // 400)
    for i in range(modules):
        (pkg / f"mod_{i}.py").write_text(_module(rng, i, module_lines // modules))
    for i in range(max(1, test_lines // 300)):
        (tests / f"test_mod_{i}.py").write_text(_test_module(rng, i % modules, 300))
    (root / "analysis.ipynb").write_text(_notebook(rng, notebook_lines))
    words = " ".join(rng.choice(_WORDS) for _ in range(600))
    (root / "README.md").write_text(
        f"# Synthetic\n\n## Approach\n\n{words}\n\n## Results\n\nAccuracy 0.88 and macro-F1 0.85 in 5-fold "
        "cross-validation.\n\n## Trade-offs\n\nNone.\n\n## Next steps\n\nMore.\n"
    )
    count = sum(p.read_text().count("\n") for p in root.rglob("*.py"))
    return count + notebook_lines


def run_once(root: Path) -> dict[str, float]:
    ctx = GradingContext(
        workspace=root,
        assignment=AssignmentView(
            name="support-tickets",
            title="bench",
            labels=["a", "b"],
            writeup_sections=["approach", "evaluation", "trade-offs", "next steps"],
        ),
    )
    times: dict[str, float] = {}
    for grader in (QualityGrader(), TestsGrader(), WriteupGrader(), NotebooksGrader()):
        started = time.perf_counter()
        result = grader.grade(ctx)
        times[grader.name] = time.perf_counter() - started
        if result.status.value == "error":
            raise SystemExit(f"{grader.name} errored: {result.summary}")
    times["total"] = sum(times.values())
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000, help="Python lines to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    parser.add_argument(
        "--target", type=float, default=5.0, help="seconds the total must stay under"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-static-") as tmp:
        root = Path(tmp) / "submission"
        lines = generate(root, args.lines)
        runs = [run_once(root) for _ in range(args.repeat)]
    median = {key: sorted(r[key] for r in runs)[len(runs) // 2] for key in runs[0]}
    print(
        f"static graders on a synthetic submission of {lines:,} Python lines ({args.repeat} runs, median):"
    )
    for key, seconds in median.items():
        print(f"  {key:<10} {seconds:6.2f} s")
    verdict = "within" if median["total"] <= args.target else "OVER"
    print(f"total {median['total']:.2f} s: {verdict} the {args.target:g} s target")
    return 0 if median["total"] <= args.target else 1


if __name__ == "__main__":
    raise SystemExit(main())
