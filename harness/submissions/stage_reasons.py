"""What a candidate is told about a stage that did not succeed, and what is never shown to them.

The rule (also in ``docs/candidate-messages.md``): a candidate sees, for each stage that failed,
its verdict in words, the limit it hit, and one line they can act on, but never anything that
could carry held-out data.

- ``tests`` and ``train`` never see held-out data (only the submission and the public training
  CSV are mounted), so the last error line of their output (a Python exception, or pytest's
  summary) is shown, cut to 300 characters.
- ``predict`` and ``notebook`` read the held-out features, which a ``print`` or an exception
  message could echo; their output is never shown. Only the exit code and, when the last error
  line names a built-in Python exception, its name (``ModuleNotFoundError``), never its message.
- ``score`` checks the predictions file on the host. Its problems are shown as counts; the
  values it quotes to reviewers (ids, labels, the header) are cut, because a submission can
  write held-out text into its predictions.
- A harness failure (Docker, disk) says so without its internals; the message a rejected
  archive gets is about the candidate's own archive and is shown as it is.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HELDOUT_STAGES",
    "LOG_SAFE_STAGES",
    "PROBE_STAGES",
    "StageReason",
    "candidate_stage_message",
    "last_error_line",
    "reasons_from_report",
]

LOG_SAFE_STAGES = frozenset({"tests", "train"})
"""Stages whose output may be quoted to the candidate: they never see held-out data."""
HELDOUT_STAGES = frozenset({"predict", "notebook", "predict_nomodel", "serve"})
"""Stages that read held-out tickets: only the runner's own words about them reach the candidate."""
PROBE_STAGES = frozenset({"predict_nomodel", "mutation"})
"""The harness's own measurements of a submission, not steps of it: the re-run of predict
without the trained model (a real model *should* fail there) and mutation testing. Their
outcome never makes an upload read as "a stage failed" to its candidate."""

_LABELS = {
    "static": "Static analysis",
    "tests": "Your tests",
    "train": "Training",
    "predict": "Prediction",
    "notebook": "The notebook run",
    "serve": "Your model server",
    "score": "Scoring your predictions",
}
_HINTS = {
    "tests": "Run your tests locally in a fresh virtual environment with the packages of "
    "ENVIRONMENT.txt from the starter kit.",
    "train": "Run your train command locally from a fresh copy of your archive, with the "
    "packages of ENVIRONMENT.txt from the starter kit.",
    "predict": "Run your predict command locally on the public training CSV (without the label "
    "column) to reproduce it.",
    "notebook": "Restart the kernel and run every cell from the top, reading the paths from "
    "TRAIN_CSV, TEST_CSV, MODEL_DIR and PREDICTIONS_CSV.",
    "serve": "Start your [serve] command locally with a model from your train command and check "
    "that the health path answers within the time the task gives.",
    "score": "Write predictions.csv with the header id,label, one row per id of the input, and "
    "only the labels listed in the task.",
}
_BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)
_ERROR_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning))\b(.*)$")
_PYTEST_SUMMARY = re.compile(r"^=+ .*\b(failed|error|errors|passed|no tests ran)\b.* =+$")
_QUOTED = re.compile(r"(, first: .*?)(?=;|$)|'[^']*'|\"[^\"]*\"")
_MAX_LINE = 300
_HARNESS_MESSAGE = re.compile(
    r"^(exit code -?\d+( \(killed by SIG[A-Z]+\))?|no exit code|killed after [\w .,()-]+"
    r"|out of memory \(limit \d+ MiB\)|wrote more than [\w .]+ to its output folders)$"
)
"""The runner's own messages about a stage (sandbox/runner.py): safe for any stage. Anything
else in a message of a stage that read held-out data is dropped."""


@dataclass(frozen=True)
class StageReason:
    """One stage that did not succeed, as the candidate reads it."""

    stage: str
    verdict: str
    reason: str


def last_error_line(log: str) -> str | None:
    """The last line of a log that reads as an exception or pytest's summary, if any."""
    for raw in reversed(log.splitlines()):
        line = raw.strip()
        if _ERROR_LINE.match(line) or _PYTEST_SUMMARY.match(line):
            return line
    return None


def _exception_name(log: str) -> str | None:
    line = last_error_line(log)
    match = _ERROR_LINE.match(line or "")
    name = match.group(1).rsplit(".", 1)[-1] if match else None
    return name if name in _BUILTIN_ERRORS else None


def _what(verdict: str, message: str) -> str:
    if verdict == "timed_out":
        return f"ran past its time limit ({message})" if message else "ran past its time limit"
    if verdict == "out_of_memory":
        return f"ran out of memory ({message})" if message else "ran out of memory"
    if verdict == "output_too_large":
        return "wrote more output than allowed"
    if verdict == "no_tests":
        return "found no tests (pytest collected none)"
    if verdict == "infra_error":
        return "could not run because of a problem on our side; the hiring team can regrade it"
    return f"failed ({message})" if message else "failed"


def _score_problems(message: str) -> str:
    """The score stage's problems without the values they quote (counts stay)."""
    return _QUOTED.sub("", message).replace(" ,", ",").strip()


def _safe_message(stage: str, message: str) -> str:
    """``message`` when it may reach the candidate: always for stages without held-out data;
    for the others only the runner's own words ("exit code 1", "killed after 600 s ...")."""
    if stage in HELDOUT_STAGES:
        return message if _HARNESS_MESSAGE.match(message) else ""
    return message[:_MAX_LINE]


def candidate_stage_message(stage: str, verdict: str | None, message: str) -> str:
    """A live progress message made safe for the candidate's status page (no log involved)."""
    if stage == "score":
        return _score_problems(message) if verdict not in (None, "", "ok") else ""
    if verdict == "infra_error":
        return _what(verdict, "")
    return _safe_message(stage, message)


def _reason(stage: str, verdict: str, message: str, log: str) -> str:
    label = _LABELS.get(stage, stage)
    if stage == "score":
        return f"{label} failed: {_score_problems(message)}. {_HINTS['score']}"
    shown = _safe_message(stage, message) if verdict != "infra_error" else ""
    text = f"{label} {_what(verdict, shown)}."
    if verdict == "failed" and stage in LOG_SAFE_STAGES:
        line = last_error_line(log)
        if line:
            text += f' The last error: "{line[:_MAX_LINE]}".'
    elif verdict == "failed" and stage in HELDOUT_STAGES:
        name = _exception_name(log)
        if name:
            text += f" It raised {name} (its message is not shown: this stage reads held-out data)."
        else:
            text += " Its output is not shown: this stage reads held-out data."
    hint = _HINTS.get(stage)
    if hint and verdict not in ("infra_error",):
        text += " " + hint
    return text


def reasons_from_report(stages: Iterable[Mapping[str, Any]]) -> list[StageReason]:
    """The stages of a stored report (its ``stages`` list) that did not succeed, as reasons."""
    out = []
    for stage in stages:
        verdict = str(stage.get("verdict", ""))
        name = str(stage.get("name", ""))
        if verdict in ("ok", "skipped", "") or name in PROBE_STAGES:
            continue
        out.append(
            StageReason(
                stage=name,
                verdict=verdict,
                reason=_reason(
                    name, verdict, str(stage.get("message", "")), str(stage.get("log_tail", ""))
                ),
            )
        )
    return out
