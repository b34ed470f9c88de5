"""The last build step: prove the fresh image runs a notebook with no network, as grading will."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import docker

from sandbox.errors import InfrastructureError
from sandbox.runner import Sandbox
from sandbox.spec import Limits, Mount, RunSpec, Verdict

__all__ = ["verify_image"]

_NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "cells": [
        {
            "cell_type": "code",
            "id": "check",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "import numpy, pandas, sklearn, scipy\nprint('sandbox-image-ok', sum(range(4)))",
        }
    ],
}


def verify_image(client: docker.DockerClient, tag: str) -> None:
    """Run a one-cell notebook in ``tag`` under the real sandbox; raise if it does not work."""
    with tempfile.TemporaryDirectory(prefix="sandbox-verify-") as folder:
        submission = Path(folder) / "submission"
        submission.mkdir()
        (submission / "check.ipynb").write_text(json.dumps(_NOTEBOOK))
        submission.chmod(0o755)
        result = Sandbox(client).run(
            RunSpec(
                command=[
                    "python",
                    "/opt/harness/run_notebook.py",
                    "check.ipynb",
                    "--cell-timeout",
                    "60",
                ],
                image=tag,
                limits=Limits(wall_seconds=120, memory_bytes=1024 * 1024 * 1024),
                mounts=[Mount(submission, "/submission")],
                name_hint="verify-image",
            )
        )
    if result.verdict is not Verdict.ok:
        raise InfrastructureError(
            f"the new sandbox image {tag} cannot run a notebook offline ({result.message}):\n"
            f"{result.log[-2000:]}"
        )
