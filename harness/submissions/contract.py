"""The submission contract: how the harness runs a candidate's code.

A submission root holds ``submission.toml`` with a train and a predict command (and, optionally, a
serve command that starts an HTTP server on the trained model), or, without it, exactly one
notebook that is run headless. Anything else is rejected with a message telling the candidate
exactly what to add.
"""

from __future__ import annotations

import re
import shlex
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputRejected

__all__ = [
    "CONTRACT_FILE",
    "PLACEHOLDERS",
    "SERVE_PLACEHOLDERS",
    "NotebookContract",
    "ProjectContract",
    "SubmissionContract",
    "detect_contract",
    "render_command",
]

CONTRACT_FILE = "submission.toml"
PLACEHOLDERS = ("train", "test", "model_dir", "predictions")
SERVE_PLACEHOLDERS = ("port", "model_dir")
"""What a ``[serve]`` command may use: the port to listen on and the trained model's folder."""
_MAX_TOML_BYTES = 64 * 1024
_MAX_COMMAND = 2000

_EXAMPLE = (
    "[train]\n"
    'command = "python train.py --train {train} --model-dir {model_dir}"\n'
    "[predict]\n"
    'command = "python predict.py --model-dir {model_dir} --input {test} --output {predictions}"'
)
_SERVE_EXAMPLE = '[serve]\ncommand = "python serve.py --model-dir {model_dir} --port {port}"'


@dataclass(frozen=True)
class ProjectContract:
    """A submission with ``submission.toml``."""

    train_command: str
    predict_command: str
    kind: str = "project"
    serve_command: str | None = None
    """The optional ``[serve]`` command: an HTTP server on ``{port}`` using ``{model_dir}``."""


@dataclass(frozen=True)
class NotebookContract:
    """A notebook-only submission, run headless with the paths in environment variables."""

    notebook: str
    """Path of the notebook relative to the submission root."""
    kind: str = "notebook"


SubmissionContract = ProjectContract | NotebookContract


def _placeholders(template: str) -> set[str]:
    names: set[str] = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(field)
    return names


def _braced(names: tuple[str, ...]) -> str:
    shown = ["{" + n + "}" for n in names]
    return ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]


def _check_command(
    section: str,
    command: object,
    required: tuple[str, ...],
    allowed: tuple[str, ...] = PLACEHOLDERS,
    example: str = _EXAMPLE,
) -> str:
    if not isinstance(command, str) or not command.strip():
        raise InputRejected(
            f"{CONTRACT_FILE}: [{section}] needs a `command` string, for example:\n{example}"
        )
    if len(command) > _MAX_COMMAND or "\n" in command or "\x00" in command:
        raise InputRejected(f"{CONTRACT_FILE}: [{section}] command must be one line under {_MAX_COMMAND} characters.")
    try:
        names = _placeholders(command)
    except ValueError as exc:
        raise InputRejected(
            f"{CONTRACT_FILE}: [{section}] command has a malformed placeholder ({exc}); use "
            f"{_braced(allowed)}, and double braces {{{{ }}}} for literal ones."
        ) from exc
    unknown = sorted(names - set(allowed))
    if unknown:
        raise InputRejected(
            f"{CONTRACT_FILE}: [{section}] command uses unknown placeholder(s) "
            f"{', '.join('{' + n + '}' for n in unknown)}; the available ones are "
            f"{_braced(allowed)}. Braces that are not a placeholder must "
            "be doubled: write {{ and }} (e.g. ${{HOME}} for a shell's ${HOME})."
        )
    missing = [n for n in required if n not in names]
    if missing:
        raise InputRejected(
            f"{CONTRACT_FILE}: [{section}] command must pass "
            f"{' and '.join('{' + n + '}' for n in missing)} to your code, for example:\n{example}"
        )
    try:
        shlex.split(command)
    except ValueError as exc:
        raise InputRejected(f"{CONTRACT_FILE}: [{section}] command cannot be parsed ({exc}); check its quotes.") from exc
    return command


def _serve_command(data: dict[str, object]) -> str | None:
    """The optional ``[serve]`` command, checked like the others; None when there is none."""
    if "serve" not in data:
        return None
    table = data["serve"]
    if not isinstance(table, dict):
        raise InputRejected(f"{CONTRACT_FILE}: [serve] must be a table, for example:\n{_SERVE_EXAMPLE}")
    return _check_command("serve", table.get("command"), ("port",), SERVE_PLACEHOLDERS, _SERVE_EXAMPLE)


def detect_contract(root: Path) -> SubmissionContract:
    """Read the contract of an extracted submission, or reject it saying exactly what to add."""
    toml_path = root / CONTRACT_FILE
    if toml_path.is_file() and not toml_path.is_symlink():
        if toml_path.stat().st_size > _MAX_TOML_BYTES:
            raise InputRejected(f"{CONTRACT_FILE} is larger than 64 KiB; it only needs two commands.")
        try:
            data = tomllib.loads(toml_path.read_bytes().decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputRejected(
                f"{CONTRACT_FILE} is not valid TOML ({exc}). It should look like:\n{_EXAMPLE}"
            ) from exc
        sections = {}
        for section in ("train", "predict"):
            table = data.get(section)
            if not isinstance(table, dict):
                raise InputRejected(
                    f"{CONTRACT_FILE} has no [{section}] table. It should look like:\n{_EXAMPLE}"
                )
            sections[section] = table.get("command")
        return ProjectContract(
            train_command=_check_command("train", sections["train"], ("train", "model_dir")),
            predict_command=_check_command("predict", sections["predict"], ("test", "predictions")),
            serve_command=_serve_command(data),
        )
    notebooks = sorted(p.name for p in root.glob("*.ipynb") if p.is_file() and not p.is_symlink())
    if len(notebooks) == 1:
        return NotebookContract(notebook=notebooks[0])
    if len(notebooks) > 1:
        raise InputRejected(
            f"The submission has no {CONTRACT_FILE} and {len(notebooks)} notebooks at its root "
            f"({', '.join(notebooks[:5])}), so the harness cannot tell which one to run. Add a "
            f"{CONTRACT_FILE} with your train and predict commands:\n{_EXAMPLE}\n"
            "or keep exactly one notebook at the root."
        )
    nested = sorted(str(p.relative_to(root)) for p in root.glob("*/" + CONTRACT_FILE))
    hint = f" (found {nested[0]}: move it to the root of the archive)" if nested else ""
    raise InputRejected(
        f"The submission has no {CONTRACT_FILE} at its root{hint}. Add one that says how to train "
        f"and predict:\n{_EXAMPLE}\nor submit a single notebook (.ipynb) at the root that reads "
        "TRAIN_CSV and TEST_CSV and writes PREDICTIONS_CSV."
    )


_SAFE = re.compile(r"^[A-Za-z0-9_./-]+$")


def render_command(template: str, paths: dict[str, str]) -> str:
    """Substitute container paths into a command template (paths are shell-quoted)."""
    quoted = {k: (v if _SAFE.match(v) else shlex.quote(v)) for k, v in paths.items()}
    return template.format(**quoted)
