"""The candidate's starter kit: one zip with the task, the training data, the rubric and the
grading environment. The held-out tickets are never in it.

The rubric and environment files are generated from the spec and the sandbox's lock file, so
what candidates read is what grading uses.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import sandbox

if TYPE_CHECKING:
    from harness.assignments.loader import Assignment

__all__ = ["build_starter_kit", "environment_text", "rubric_markdown"]

_FIXED_TIME = (2026, 1, 1, 0, 0, 0)
ENVIRONMENT_LOCK = Path(sandbox.__file__).parent / "environment.lock"

GRADER_DESCRIPTIONS = {
    "accuracy": "Prediction quality on held-out tickets you never see: macro-F1 and accuracy "
    "against the baseline (with 95% bootstrap intervals), and robustness on a second held-out set "
    "from a shifted distribution.",
    "tests": "Your own pytest tests, run in the sandbox with coverage (training data available as "
    "TRAIN_CSV): are there meaningful tests, do they pass, how much of your code do they cover.",
    "quality": "Code quality: lint findings, complexity, structure (importable modules and an entry "
    "point rather than logic only in a notebook), type hints, docstrings, pinned dependencies.",
    "writeup": "Your README or WRITEUP: approach, evaluation and results, trade-offs and what you "
    "would do next. Metrics you claim are compared with what the harness measured.",
    "notebooks": "Notebooks are rendered for reviewers; they are not scored on their own.",
    "methodology": "How you trained and evaluated, read from your code: leakage before the split, "
    "evaluation on training data, classes dropped before training, a final model that never saw "
    "all the data, fixed seeds.",
}


def rubric_markdown(assignment: Assignment) -> str:
    weights = assignment.spec.rubric_weights()
    lines = [
        f"# Rubric: {assignment.spec.title}",
        "",
        "Your overall score is the weighted mean of these graders' scores (each 0-100).",
        "Every point on the report you will be graded with traces back to a metric or a finding.",
        "",
        "| grader | weight | what it looks at |",
        "|---|---|---|",
    ]
    for name, weight in sorted(weights.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {weight:.0%} | {GRADER_DESCRIPTIONS.get(name, '')} |")
    lines += _human_review_lines(assignment)
    lines += ["", f"Time box: {assignment.spec.time_box_hours} hours, paid.", ""]
    lines += ["## AI assistance", "", assignment.spec.integrity.ai_policy.statement, ""]
    return "\n".join(lines)


def _human_review_lines(assignment: Assignment) -> list[str]:
    """The human scorecard, with its anchored levels, when the assignment has one."""
    review = assignment.spec.review
    if review is None:
        return []
    total = sum(c.weight for c in review.criteria)
    lines = [
        "",
        "## Human review",
        "",
        f"{review.scorecards} reviewers also score your work independently on these criteria, "
        "each at one of the levels below (level 1 is the lowest). The hiring decision weighs "
        f"their scores at {review.human_weight / (review.human_weight + review.automated_weight):.0%} "
        "and the automated score above at "
        f"{review.automated_weight / (review.human_weight + review.automated_weight):.0%}.",
    ]
    for c in review.criteria:
        lines += ["", f"### {c.name} ({c.weight / total:.0%})", "", c.judges, ""]
        lines += [f"{i}. {text}" for i, text in enumerate(c.levels, start=1)]
    return lines


def environment_text() -> str:
    packages = [
        line.strip()
        for line in ENVIRONMENT_LOCK.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return "\n".join(
        [
            "Grading environment (the sandbox your code runs in):",
            "- Python 3.11 on Linux, no network access, CPU only",
            "- These packages, at exactly these versions, and nothing else:",
            "",
            *packages,
            "",
        ]
    )


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def build_starter_kit(assignment: Assignment, dest: Path) -> Path:
    """Write the starter kit zip to ``dest`` (a file path) and return it. Deterministic bytes."""
    spec = assignment.spec
    top = f"{spec.name}-starter-kit"
    files: dict[str, bytes] = {
        "TASK.md": assignment.task_markdown().encode(),
        "RUBRIC.md": rubric_markdown(assignment).encode(),
        "ENVIRONMENT.txt": environment_text().encode(),
        f"data/{Path(spec.data.train).name}": assignment.train_csv.read_bytes(),
    }
    kit_dir = assignment.root / "starter_kit"
    if kit_dir.is_dir():
        for path in sorted(kit_dir.rglob("*")):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                files[path.relative_to(kit_dir).as_posix()] = path.read_bytes()
    for extra in spec.starter_kit:
        path = assignment.path(extra)
        files[Path(extra).name] = path.read_bytes()
    private = {assignment.path(p).read_bytes() for p in (spec.data.heldout_features, spec.data.heldout_labels,
                                                         spec.data.shifted_features, spec.data.shifted_labels) if p}
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in sorted(files):
            if files[name] in private:
                raise ValueError(f"starter kit file {name} is a copy of held-out data; refusing to ship it")
            _add(zf, f"{top}/{name}", files[name])
    tmp.replace(dest)
    return dest
