"""The shipped judgments validate and cover the corpus exactly; the validator refuses bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.calibration.judgments import (
    DIMENSIONS,
    CalibrationError,
    check_coverage,
    load_judgments,
)

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
JUDGMENTS = HERE / "judgments.toml"


def judgment_toml(slug: str = "sub_a", **overrides: str) -> str:
    lines = [f"[submissions.{slug}]"]
    for dimension in DIMENSIONS:
        lines.append(overrides.get(dimension, f'{dimension} = {{ score = 50, why = "fine" }}'))
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "judgments.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_judgments_validate_and_cover_the_corpus_exactly() -> None:
    judgments = load_judgments(JUDGMENTS)
    slugs = check_coverage(judgments, CORPUS)
    assert len(slugs) >= 24
    assert set(slugs) == set(judgments)
    for judgment in judgments.values():
        assert all(0 <= judgment.score(d) <= 100 for d in DIMENSIONS)


def test_shipped_judgments_span_the_scale_on_every_dimension() -> None:
    judgments = load_judgments(JUDGMENTS).values()
    for dimension in DIMENSIONS:
        scores = [j.score(dimension) for j in judgments]
        assert min(scores) <= 15 and max(scores) >= 85, dimension
        middle = [s for s in scores if 30 <= s <= 70]
        assert len(middle) >= 4, f"{dimension} clusters at the ends"


def test_every_corpus_submission_has_a_contract() -> None:
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        notebooks = list(folder.glob("*.ipynb"))
        assert (folder / "submission.toml").is_file() or len(notebooks) == 1, folder.name


def test_a_valid_file_loads(tmp_path: Path) -> None:
    judged = load_judgments(write(tmp_path, judgment_toml()))
    assert judged["sub_a"].score("overall") == 50
    assert judged["sub_a"].overall.why == "fine"


@pytest.mark.parametrize("line", [
    'model = { score = 50, why = "fine", extra = 1 }',    # unknown key in a dimension
    'modle = { score = 50, why = "typo" }',               # unknown dimension (model missing)
])
def test_unknown_keys_are_refused(tmp_path: Path, line: str) -> None:
    with pytest.raises(CalibrationError, match="not a valid judgments file"):
        load_judgments(write(tmp_path, judgment_toml(model=line)))


def test_an_unknown_top_level_table_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="notes"):
        load_judgments(write(tmp_path, judgment_toml() + '[notes]\nauthor = "me"\n'))


@pytest.mark.parametrize("score", ["101", "-1", "85.5", "true", '"80"'])
def test_scores_outside_0_100_or_not_integers_are_refused(tmp_path: Path, score: str) -> None:
    with pytest.raises(CalibrationError, match="overall"):
        load_judgments(write(tmp_path, judgment_toml(overall=f'overall = {{ score = {score}, why = "x y" }}')))


@pytest.mark.parametrize("score", [0, 100])
def test_the_ends_of_the_scale_are_accepted(tmp_path: Path, score: int) -> None:
    judged = load_judgments(write(tmp_path, judgment_toml(overall=f'overall = {{ score = {score}, why = "edge" }}')))
    assert judged["sub_a"].score("overall") == score


def test_a_reason_must_be_one_non_empty_line(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="why"):
        load_judgments(write(tmp_path, judgment_toml(tests='tests = { score = 5, why = "" }')))
    with pytest.raises(CalibrationError, match="why"):
        load_judgments(write(tmp_path, judgment_toml(tests='tests = { score = 5, why = "two\\nlines" }')))


def test_a_missing_dimension_is_refused(tmp_path: Path) -> None:
    text = judgment_toml().replace('methodology = { score = 50, why = "fine" }\n', "")
    with pytest.raises(CalibrationError, match="methodology"):
        load_judgments(write(tmp_path, text))


def test_invalid_toml_and_missing_file_are_reported(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match="not valid TOML"):
        load_judgments(write(tmp_path, "[submissions.a\n"))
    with pytest.raises(CalibrationError, match="Cannot read"):
        load_judgments(tmp_path / "absent.toml")


def test_coverage_names_unjudged_folders_and_orphan_judgments(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for name in ("sub_a", "sub_b"):
        (corpus / name).mkdir(parents=True)
    judged = load_judgments(write(tmp_path, judgment_toml("sub_a") + judgment_toml("sub_c")))
    with pytest.raises(CalibrationError, match=r"no judgment for sub_b.*without a corpus folder: sub_c"):
        check_coverage(judged, corpus)
    (corpus / "sub_c").mkdir()
    (corpus / "sub_b").rmdir()
    assert check_coverage(judged, corpus) == ["sub_a", "sub_c"]
