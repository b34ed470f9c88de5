"""The expert's judgments of a calibration corpus: a validated TOML file.

One table per submission, keyed by the corpus folder's name::

    [submissions.my_slug]
    model = { score = 86, why = "..." }
    tests = { score = 80, why = "..." }
    ...

Unknown keys are refused, every score is an integer from 0 to 100 with a one-line reason, and
:func:`check_coverage` insists that every corpus folder has a judgment and every judgment a folder.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import HarnessError

__all__ = [
    "DIMENSIONS",
    "CalibrationError",
    "Judged",
    "Judgment",
    "JudgmentsFile",
    "check_coverage",
    "corpus_slugs",
    "load_judgments",
]

DIMENSIONS = ("model", "tests", "quality", "writeup", "methodology", "overall")
"""The judged dimensions, in display order."""


class CalibrationError(HarnessError):
    """The corpus or its judgments cannot be used (invalid file, folders and judgments differ)."""


class Judged(BaseModel):
    """One dimension's score and the reason for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    score: Annotated[int, Field(ge=0, le=100, strict=True)]
    """0-100, on the scale a hiring reviewer uses for a 5-hour take-home."""
    why: Annotated[str, Field(min_length=3, pattern=r"^[^\n]+$")]
    """One line of reasons."""


class Judgment(BaseModel):
    """An expert's view of one submission."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: Judged
    """Predictive quality to expect on the held-out tickets."""
    tests: Judged
    """The candidate's own tests: meaningful, passing in the sandbox, covering the code."""
    quality: Judged
    """Code, structure, dependencies and hygiene."""
    writeup: Judged
    """About this task, the asked sections, evaluation method, numbers that match, trade-offs."""
    methodology: Judged
    """Soundness of the ML method: leakage, evaluation, seeds, class handling, refit."""
    overall: Judged
    """The hiring signal as a whole."""

    def score(self, dimension: str) -> int:
        """The score of one of :data:`DIMENSIONS`."""
        judged: Judged = getattr(self, dimension)
        return judged.score


class JudgmentsFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    submissions: dict[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")], Judgment]
    """Judgment per corpus folder name."""


def load_judgments(path: Path) -> dict[str, Judgment]:
    """Read and validate a judgments file; :class:`CalibrationError` says what is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalibrationError(f"Cannot read the judgments file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CalibrationError(f"{path} is not valid TOML: {exc}") from exc
    try:
        return JudgmentsFile.model_validate(raw).submissions
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise CalibrationError(f"{path} is not a valid judgments file: {problems}") from exc


def corpus_slugs(corpus: Path) -> list[str]:
    """Names of the submission folders of a corpus, sorted."""
    if not corpus.is_dir():
        raise CalibrationError(f"The corpus folder {corpus} does not exist.")
    return sorted(p.name for p in corpus.iterdir() if p.is_dir() and not p.name.startswith("."))


def check_coverage(judgments: dict[str, Judgment], corpus: Path) -> list[str]:
    """The corpus's submission names, once every folder has a judgment and vice versa."""
    slugs = corpus_slugs(corpus)
    unjudged = sorted(set(slugs) - set(judgments))
    orphans = sorted(set(judgments) - set(slugs))
    problems = []
    if unjudged:
        problems.append(f"no judgment for {', '.join(unjudged)}")
    if orphans:
        problems.append(f"judgments without a corpus folder: {', '.join(orphans)}")
    if problems:
        raise CalibrationError(f"The judgments do not match the corpus {corpus}: {'; '.join(problems)}.")
    return slugs
