"""The quality grader's secret detector: a corpus of fake secrets that must all be found, and of
decoys (CSS class names, hashes, UUIDs, base64 images, placeholders) that must never be."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from graders.quality import QualityGrader
from graders.quality.secret_scan import find_secrets, mask
from tests.graders.conftest import make_context

CORPUS = tomllib.loads(
    (Path(__file__).parent / "fixtures" / "secrets" / "corpus.toml").read_text(encoding="utf-8")
)
CASES = Path(__file__).parent / "fixtures" / "quality_cases"


def _id(entry: dict[str, Any]) -> str:
    return str(entry["file"])


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS["secret"]) >= 20
    assert len(CORPUS["decoy"]) >= 20


@pytest.mark.parametrize("entry", CORPUS["secret"], ids=_id)
def test_every_fake_secret_is_found_masked_in_its_line(entry: dict[str, Any]) -> None:
    text = entry["text"]
    hits = find_secrets(entry["file"], text)
    assert hits, f"not flagged: {entry['file']}"
    assert entry["what"].lower() in " ".join(h.what for h in hits).lower()
    for hit in hits:
        assert hit.line is not None and 1 <= hit.line <= text.count("\n") + 1
        assert hit.masked in hit.context
        # the masked form hides the middle of the value, and the context never shows it whole
        assert "…" in hit.masked
        assert len(hit.masked.split()[-1]) < 12
    for token in (t.strip("\"'(){};,") for t in text.replace("=", " ").split()):
        if len(token) >= 20 and any(c.isdigit() for c in token):
            assert all(token not in h.context for h in hits), token


@pytest.mark.parametrize("entry", CORPUS["decoy"], ids=_id)
def test_no_decoy_is_flagged(entry: dict[str, Any]) -> None:
    assert find_secrets(entry["file"], entry["text"]) == [], entry["why"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("sk-proj-4f9XbT2qLmN7vR1sK8wZ3yH6", "sk-pr…3yH6"),
        ("Vb7q!x2Rk9", "V…"),
        ("hK8$wq2Lz!ab9", "hK8…b9"),
    ],
)
def test_mask_keeps_only_the_ends(value: str, shown: str) -> None:
    assert mask(value) == shown


def test_a_key_near_miss_is_not_a_key() -> None:
    """A provider prefix alone is not enough: the rest must be long, mixed and random."""
    assert find_secrets("a.py", 'x = "sk-learn-pipeline-for-tickets-v2-final"') == []
    assert find_secrets("a.py", 'x = "sk-' + "Ab1" * 11 + '"') == []  # repetitive: low entropy
    assert find_secrets("a.py", 'x = "ghp_short1A"') == []
    found = find_secrets("a.py", 'x = "sk-Q7vR2mK9xT4bN8wL3pZ6yH1cF5dJ0sG2aE7uY4iO9"')
    assert [h.what for h in found] == ["an OpenAI or Anthropic API key"]


def test_password_assignments_need_a_real_looking_value() -> None:
    assert find_secrets("db.py", 'DB_PASSWORD = "Tr0ub4dor&3-horse"')
    for decoy in (
        'password = "password123"',
        'password = "changeme"',
        'password = ""',
        'password = "Enter your password"',
        'password_field = "Xy7#kq2!Lm"',
        'password = "<secret>"',
    ):
        assert find_secrets("db.py", decoy) == [], decoy


def _notebook(cells: list[dict[str, Any]]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_notebook_outputs_are_never_scanned_but_code_cells_are(tmp_path: Path) -> None:
    key = "sk-proj-Q7vR2mK9xT4bN8wL3pZ6yH1cF5dJ0sG2aE7uY4iO9"
    output_only = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "source": "print(settings)\n",
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": f"OPENAI_API_KEY={key}\n"},
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"text/html": f'<pre>api_key = "{key}"</pre>', "text/plain": key},
            },
        ],
    }
    (tmp_path / "solution.ipynb").write_text(_notebook([output_only]))
    result = QualityGrader().grade(make_context(tmp_path, kind="notebook"))
    assert not [f for f in result.findings if f.rule == "quality:secret"]

    in_code = {
        "cell_type": "code",
        "execution_count": 2,
        "metadata": {},
        "source": f'import openai\n\nclient = openai.OpenAI(api_key="{key}")\n',
        "outputs": [],
    }
    (tmp_path / "solution.ipynb").write_text(_notebook([output_only, in_code]))
    result = QualityGrader().grade(make_context(tmp_path, kind="notebook"))
    secrets = [f for f in result.findings if f.rule == "quality:secret"]
    assert len(secrets) == 1
    assert secrets[0].file == "solution.ipynb" and "(cell 2, line 3)" in secrets[0].message
    assert "sk-pr…4iO9" in secrets[0].message and key not in secrets[0].message


def test_the_sklearn_repr_notebook_of_the_issue_has_no_secret(tmp_path: Path) -> None:
    """Issue 9: sklearn's HTML repr in an output was reported four times as an OpenAI key."""
    result = QualityGrader().grade(make_context(CASES / "sklearn_repr_notebook", kind="notebook"))
    assert not [f for f in result.findings if f.rule == "quality:secret"]
    assert result.metrics["secrets"] == 0
