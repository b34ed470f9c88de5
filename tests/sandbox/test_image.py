"""The image tag tracks its inputs; the built image is cached and runs notebooks offline."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import docker
import pytest

import sandbox
import sandbox.image
import sandbox.image.base
from sandbox import ImageRecipe, Mount, RunSpec, Verdict, collect_outputs, image_tag
from tests.sandbox.conftest import MiB, make_limits, make_output, make_submission


def copy_lock(tmp_path: Path, extra: str = "") -> Path:
    lock = tmp_path / "environment.lock"
    lock.write_text(sandbox.image.DEFAULT_LOCK_FILE.read_text() + extra)
    return lock


def test_tag_is_stable_for_the_same_inputs(tmp_path: Path) -> None:
    first = image_tag(ImageRecipe())
    assert first == image_tag(ImageRecipe())
    assert first == image_tag(ImageRecipe(lock_file=copy_lock(tmp_path)))
    # Where the packages come from and where the cache lives do not change the image.
    assert first == image_tag(ImageRecipe(debian_mirror="http://mirror.example/debian"))
    assert first == image_tag(ImageRecipe(cache_dir=tmp_path))
    assert first.startswith("takehome-sandbox:")


def test_tag_changes_with_each_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = image_tag(ImageRecipe())
    changed = {
        "lock": image_tag(ImageRecipe(lock_file=copy_lock(tmp_path, "six==1.17.0\n"))),
        "base": image_tag(ImageRecipe(base_image="python:3.11-slim")),
        "repo": image_tag(ImageRecipe(repo="other")),
    }
    dockerfile = tmp_path / "Dockerfile.tmpl"
    dockerfile.write_text(sandbox.image.DOCKERFILE_TEMPLATE.read_text() + "\n# changed\n")
    monkeypatch.setattr(sandbox.image, "DOCKERFILE_TEMPLATE", dockerfile)
    changed["dockerfile"] = image_tag(ImageRecipe())
    monkeypatch.undo()
    runner = tmp_path / "run_notebook.py"
    runner.write_text(sandbox.image.RUNTIME_FILES[0].read_text() + "\n# changed\n")
    monkeypatch.setattr(sandbox.image, "RUNTIME_FILES", (runner,))
    changed["runtime"] = image_tag(ImageRecipe())
    monkeypatch.undo()
    assert image_tag(ImageRecipe()) == base
    assert base not in changed.values()
    assert len(set(changed.values())) == len(changed), changed


def test_ensure_image_is_cached(sandbox_image: str) -> None:
    messages: list[str] = []
    started = time.monotonic()
    assert sandbox.ensure_image(ImageRecipe(), progress=messages.append) == sandbox_image
    assert time.monotonic() - started < 2
    assert messages == []  # nothing built, nothing to report


def test_image_holds_the_pinned_environment(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    pins = dict(
        line.split("==")
        for line in sandbox.image.DEFAULT_LOCK_FILE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    code = (
        "import sys, importlib.metadata as md; print(sys.version_info[:2]);"
        "print({d.metadata['Name'].lower().replace('_', '-'): d.version for d in md.distributions()})"
    )
    result = box.run(
        RunSpec(
            command=["python", "-c", code], image=sandbox_image, limits=make_limits(), copy_in=None
        )
    )
    assert result.verdict is Verdict.ok, result.log
    version_line, installed_line = result.log.strip().splitlines()
    assert version_line == "(3, 11)"
    installed = eval(installed_line)  # a dict literal we printed ourselves
    for name, version in pins.items():
        assert installed.get(name.lower()) == version, name


def notebook(*sources: str) -> str:
    cells = [
        {
            "cell_type": "code",
            "id": f"c{i}",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": src,
        }
        for i, src in enumerate(sources)
    ]
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "cells": cells,
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
        }
    )


def run_notebook(
    box: sandbox.Sandbox, image: str, tmp_path: Path, nb: str
) -> tuple[sandbox.RunResult, Path]:
    submission = make_submission(tmp_path, {"solution.ipynb": nb, "helper.txt": "from helper"})
    out = make_output(tmp_path)
    result = box.run(
        RunSpec(
            command=[
                "python",
                "/opt/harness/run_notebook.py",
                "/work/solution.ipynb",
                "--cell-timeout",
                "20",
                "--output",
                "/out/executed.ipynb",
            ],
            image=image,
            limits=make_limits(wall_seconds=60, memory_bytes=512 * MiB),
            mounts=[Mount(submission, "/submission")],
            outputs={"/out": out},
            env={"PREDICTIONS_CSV": "/out/predictions.csv"},
        )
    )
    return result, out


def test_notebook_runner_executes_offline(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    nb = notebook(
        "import os, pandas as pd\nprint(open('helper.txt').read())",
        "pd.DataFrame({'id': [1], 'label': ['x']}).to_csv(os.environ['PREDICTIONS_CSV'], index=False)",
    )
    result, out = run_notebook(box, sandbox_image, tmp_path, nb)
    assert result.verdict is Verdict.ok, result.log
    collected = collect_outputs(out, max_file_bytes=MiB, max_total_bytes=4 * MiB)
    assert sorted(f.name for f in collected.files) == ["executed.ipynb", "predictions.csv"]
    assert (out / "predictions.csv").read_text() == "id,label\n1,x\n"
    executed = json.loads((out / "executed.ipynb").read_text())
    assert "from helper" in json.dumps(executed["cells"][0]["outputs"])


def test_notebook_runner_reports_the_failing_cell(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    nb = notebook("x = 1", "raise ValueError('broken feature pipeline')", "print('never')")
    result, _ = run_notebook(box, sandbox_image, tmp_path, nb)
    assert result.verdict is Verdict.failed
    assert result.exit_code == 1
    assert "a cell failed" in result.log
    assert "ValueError: broken feature pipeline" in result.log


def test_notebook_runner_rejects_a_non_notebook(
    box: sandbox.Sandbox, sandbox_image: str, tmp_path: Path
) -> None:
    result, _ = run_notebook(box, sandbox_image, tmp_path, "this is not json")
    assert result.verdict is Verdict.failed and result.exit_code == 2
    assert "cannot read solution.ipynb as a notebook" in result.log


def test_explicit_base_image_is_used_as_given(
    sandbox_image: str, docker_client: docker.DockerClient
) -> None:
    # The base the session image was built on, named explicitly: the build cache makes it quick.
    base = sandbox.image.base.bootstrap_base_tag()
    try:
        docker_client.images.get(base)
    except docker.errors.ImageNotFound:
        base = sandbox.image.base.REGISTRY_BASE
    recipe = ImageRecipe(base_image=base)
    messages: list[str] = []
    tag = sandbox.ensure_image(recipe, client=docker_client, progress=messages.append)
    try:
        assert tag == image_tag(recipe) != sandbox_image
        assert any(f"FROM {base}" in m for m in messages), messages
        assert messages[-1] == f"sandbox image ready: {tag}"
    finally:
        docker_client.images.remove(tag)


def test_missing_explicit_base_is_an_infrastructure_error(
    docker_client: docker.DockerClient,
) -> None:
    recipe = ImageRecipe(base_image="takehome-no-such-base:1", repo="takehome-sandbox-test")
    with pytest.raises(sandbox.InfrastructureError, match="neither present nor pullable"):
        sandbox.ensure_image(recipe, client=docker_client)


def test_prune_images_keeps_the_current_tag(
    sandbox_image: str, docker_client: docker.DockerClient
) -> None:
    repo, _, _ = sandbox_image.partition(":")
    stale = f"{repo}:stale-{uuid.uuid4().hex[:8]}"
    docker_client.images.get(sandbox_image).tag(stale)
    removed = sandbox.prune_images(ImageRecipe(), client=docker_client)
    assert stale in removed and sandbox_image not in removed
    assert docker_client.images.get(sandbox_image) is not None
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(stale)
