"""The generator is deterministic and reproduces the committed data byte for byte."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .conftest import ASSIGNMENT_DIR

REPO = ASSIGNMENT_DIR.parents[1]
GENERATED = [
    "public/train.csv",
    "private/heldout_features.csv",
    "private/heldout_labels.csv",
    "private/shifted_features.csv",
    "private/shifted_labels.csv",
    "private/generation_metadata.json",
]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "assignments.support_tickets.generator", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    took = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    assert took < 30
    for rel in GENERATED:
        assert _sha256(tmp_path / rel) == _sha256(ASSIGNMENT_DIR / rel), (
            f"{rel} differs from the committed file"
        )
    produced = sorted(
        p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()
    )
    assert produced == sorted(GENERATED)


def test_metadata_records_the_hash_of_every_data_file(metadata: dict[str, Any]) -> None:
    assert set(metadata["files"]) == set(GENERATED) - {"private/generation_metadata.json"}
    for rel, digest in metadata["files"].items():
        assert _sha256(ASSIGNMENT_DIR / rel) == digest


def test_seed_is_stored_in_the_generator_folder(metadata: dict[str, Any]) -> None:
    config = (ASSIGNMENT_DIR / "generator" / "config.toml").read_text(encoding="utf-8")
    assert f"seed = {metadata['seed']}" in config


def test_generator_uses_only_the_standard_library_and_numpy() -> None:
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    for path in sorted((ASSIGNMENT_DIR / "generator").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            outside = [r for r in roots if r not in allowed]
            assert not outside, f"{path.name} imports {outside}"
