"""Execute a Jupyter notebook headless, inside the sandbox image.

    python /opt/harness/run_notebook.py NOTEBOOK [--cell-timeout S] [--output EXECUTED.ipynb]

The kernel is the image's ``python3`` (ipykernel in /opt/venv), started in the notebook's folder
with this process's environment; it talks to this process over Unix sockets in ``$HOME``, so it
works with no network at all. Exit 0 when every cell ran; 1 with the failing cell's error when one failed or timed out;
2 when the notebook cannot be read.

This file is copied into the image and runs there: it uses only the standard library and the
image's nbclient/nbformat.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets.config import Config

# Tracebacks come colored for terminals; the log is read in a browser.
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a notebook headless.")
    parser.add_argument("notebook", type=Path)
    parser.add_argument(
        "--cell-timeout",
        type=float,
        default=None,
        help="seconds one cell may run (default: no per-cell limit)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the executed notebook, outputs included",
    )
    args = parser.parse_args(argv)

    path: Path = args.notebook.resolve()
    try:
        nb = nbformat.read(str(path), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as exc:  # a malformed notebook is the candidate's error, not a crash
        print(f"run_notebook: cannot read {path.name} as a notebook: {exc}", file=sys.stderr)
        return 2

    timeout: Any = int(args.cell_timeout) if args.cell_timeout else None
    config = Config()
    config.KernelManager.transport = "ipc"
    client = NotebookClient(
        nb,
        config=config,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    status = 0
    try:
        client.execute()
    except CellTimeoutError as exc:
        print(f"run_notebook: a cell ran longer than {timeout} s:\n{_plain(exc)}", file=sys.stderr)
        status = 1
    except CellExecutionError as exc:
        print(f"run_notebook: a cell failed:\n{_plain(exc)}", file=sys.stderr)
        status = 1
    except DeadKernelError as exc:
        print(f"run_notebook: the kernel died (out of memory?): {exc}", file=sys.stderr)
        status = 1
    finally:
        if args.output is not None:
            try:
                nbformat.write(nb, str(args.output))  # type: ignore[no-untyped-call]
            except OSError as exc:
                print(f"run_notebook: cannot write {args.output}: {exc}", file=sys.stderr)
    if status == 0:
        print(f"run_notebook: {path.name}: {len(nb.cells)} cells ran", file=sys.stderr)
    return status


def _plain(exc: BaseException) -> str:
    return _ANSI.sub("", str(exc))


if __name__ == "__main__":
    sys.exit(main())
