"""The ``quality`` grader on golden submissions and hostile input."""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

from graders._notebooks import neutralise_magics
from graders.quality import QualityGrader
from graders.quality.duplication import WINDOW, find_duplication
from graders.quality.hygiene import find_absolute_path, find_secrets
from graders.types import GraderResult, GraderStatus, Severity
from tests.graders.conftest import golden_copy, make_context

MiB = 1024 * 1024


def grade(workspace: Path, **options: object) -> GraderResult:
    ctx = make_context(workspace)
    if options:
        ctx = ctx.model_copy(
            update={
                "assignment": ctx.assignment.model_copy(
                    update={"grader_options": {"quality": options}}
                )
            }
        )
    return QualityGrader().grade(ctx)


def rules(result: GraderResult) -> set[str]:
    return {f.rule for f in result.findings}


def located(result: GraderResult, rule: str) -> set[tuple[str | None, int | None]]:
    return {(f.file, f.line) for f in result.findings if f.rule == rule}


@pytest.fixture(scope="module")
def golden_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GraderResult]:
    root = tmp_path_factory.mktemp("quality")
    names = [
        "strong",
        "solid",
        "messy",
        "notebook_only",
        "no_tests",
        "trivial_tests",
        "hostile_static",
    ]
    return {name: grade(golden_copy(name, root)) for name in names}


def test_quality_orders_strong_over_solid_over_messy(
    golden_results: dict[str, GraderResult],
) -> None:
    strong, solid, messy = (golden_results[n].score for n in ("strong", "solid", "messy"))
    assert strong is not None and solid is not None and messy is not None
    assert strong > solid > messy
    assert strong >= 90
    assert messy <= 60


def test_notebook_only_ranks_below_a_structured_project(
    golden_results: dict[str, GraderResult],
) -> None:
    notebook = golden_results["notebook_only"]
    assert notebook.metrics["structure"] == "notebook-only"
    assert "quality:notebook-only" in rules(notebook)
    assert (notebook.score or 0) < (golden_results["solid"].score or 0)
    structure = next(c for c in notebook.breakdown if c.basis == "quality:notebook-only")
    assert structure.points == 0


def test_notebook_magics_do_not_become_lint_findings(
    golden_results: dict[str, GraderResult],
) -> None:
    notebook = golden_results["notebook_only"]
    assert notebook.metrics["unparseable_files"] == 0
    assert not {
        r
        for r in rules(notebook)
        if r in {"quality:syntax-error", "quality:F821", "quality:invalid-syntax"}
    }
    assert notebook.metrics["notebook_code_lines"] > 10


def test_strong_is_clean_and_fully_structured(golden_results: dict[str, GraderResult]) -> None:
    m = golden_results["strong"].metrics
    assert m["structure"] == "modules"
    assert m["has_entry_point"] is True
    assert m["dependencies_pinned_share"] == 1.0
    assert m["type_hint_coverage"] == 1.0
    assert m["docstring_coverage"] == 1.0
    assert m["lint_errors"] == 0
    assert m["secrets"] == 0
    # cli.py talks to the user with print(); that is not a library-code smell
    assert "quality:T201" not in rules(golden_results["strong"])


def test_messy_findings_name_rule_file_and_line(golden_results: dict[str, GraderResult]) -> None:
    messy = golden_results["messy"]
    assert ("helpers.py", 9) in located(messy, "quality:E722")
    assert ("solution.py", 57) in located(messy, "quality:E722")
    assert ("solution.py", 13) in located(messy, "quality:C901")
    assert ("solution.py", 13) in located(messy, "quality:B006")
    assert ("helpers.py", 4) in located(messy, "quality:F403")
    assert ("helpers.py", 17) in located(messy, "quality:absolute-path")
    assert ("solution.py", 10) in located(messy, "quality:absolute-path")
    assert {
        "quality:F401",
        "quality:duplicate-code",
        "quality:no-dependencies",
        "quality:N802",
    } <= rules(messy)
    # print() in the helper module is flagged; in the entry script solution.py it is not
    prints = located(messy, "quality:T201")
    assert prints and {file for file, _ in prints} == {"helpers.py"}
    assert messy.metrics["duplicated_share"] > 0.1
    assert messy.metrics["type_hint_coverage"] == 0.0
    assert (messy.metrics["weighted_violations_per_100_lines"] or 0) > 10
    bare_except = next(f for f in messy.findings if f.rule == "quality:E722")
    assert bare_except.severity is Severity.warning


def test_unpinned_and_missing_dependencies_are_reported(
    golden_results: dict[str, GraderResult],
) -> None:
    solid = golden_results["solid"]
    assert "quality:unpinned-dependencies" in rules(solid)
    assert solid.metrics["dependencies_pinned_share"] == 0.0
    assert "quality:no-dependencies" in rules(golden_results["hostile_static"])
    assert "quality:unpinned-dependencies" not in rules(golden_results["no_tests"])


@pytest.mark.parametrize("name", ["strong", "solid", "messy", "notebook_only", "hostile_static"])
def test_every_point_traces_to_a_metric_or_rule(
    golden_results: dict[str, GraderResult], name: str
) -> None:
    result = golden_results[name]
    earned = sum(c.points for c in result.breakdown)
    available = sum(c.max_points for c in result.breakdown)
    assert available == 100
    assert result.score == pytest.approx(100 * earned / available, abs=0.01)
    for component in result.breakdown:
        if component.basis.startswith("metrics."):
            assert component.basis.removeprefix("metrics.") in result.metrics
        else:
            assert component.basis.startswith("quality:")


def _add_runtime_hostile_files(workspace: Path) -> None:
    """Hostile files too big (or too odd) to keep in git: generated per run."""
    (workspace / "huge.py").write_text("x = 1\n" * (MiB // 6 + 10))
    (workspace / "deep_unary.py").write_text("x = " + "not " * 100_000 + "y\n")
    (workspace / "deep_parens.py").write_text("x = " + "(" * 300 + "1" + ")" * 300 + "\n")
    data = workspace / "data"
    data.mkdir()
    (data / "train_copy.csv").write_text(
        "id,text,label\n" + "T-1,some ticket text here,billing\n" * 70_000
    )
    nested = workspace
    for i in range(30):
        nested = nested / f"d{i}"
    nested.mkdir(parents=True)
    (nested / "lost.py").write_text("import os\n")
    (workspace / "escape.py").symlink_to("/etc/passwd")
    os.mkfifo(workspace / "pipe.py")


def test_hostile_input_gives_a_finding_each_never_a_crash(tmp_path: Path) -> None:
    workspace = golden_copy("hostile_static", tmp_path)
    _add_runtime_hostile_files(workspace)
    result = grade(workspace)
    assert result.status is GraderStatus.ok
    assert result.score is not None
    assert ("bad_syntax.py", 1) in located(result, "quality:syntax-error")
    assert ("deep_parens.py", 1) in located(result, "quality:syntax-error")
    deep = {file for file, _ in located(result, "quality:too-deeply-nested")}
    assert {"deep.py", "deep_unary.py"} <= deep
    assert ("huge.py", None) in located(result, "quality:huge-file")
    assert ("blob.py", None) in located(result, "quality:binary-python-file")
    assert ("latin1.py", None) in located(result, "quality:not-utf8")
    assert ("notebooks/broken.ipynb", None) in located(result, "quality:malformed-notebook")
    assert ("model.pkl", None) in located(result, "quality:model-binary")
    assert ("data/train_copy.csv", None) in located(result, "quality:committed-data")
    assert (".env", None) in located(result, "quality:env-file")
    assert {"quality:symlink", "quality:analysis-truncated"} <= rules(result)
    secrets = located(result, "quality:secret")
    assert {
        ("config.py", 3),
        ("config.py", 4),
        ("config.py", 5),
        ("keys/deploy_key.pem", 1),
        (".env", 1),
    } <= secrets
    assert ("config.py", 6) in located(result, "quality:absolute-path")
    assert ("config.py", 7) in located(result, "quality:absolute-path")
    assert result.metrics["unparseable_files"] >= 7
    # the secrets themselves never reach the report
    text = " ".join(f.message for f in result.findings)
    for secret in (
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI",
        "q8Zr2LmX0vT4nK7pB1sW9yD3",
        "sk-proj-4f9XbT2q",
    ):
        assert secret not in text
    secret_points = next(c for c in result.breakdown if c.basis == "quality:secret")
    assert secret_points.points == 0


def test_grading_writes_nothing_into_the_workspace(tmp_path: Path) -> None:
    workspace = golden_copy("messy", tmp_path)
    before = sorted(p.relative_to(workspace) for p in workspace.rglob("*"))
    grade(workspace)
    assert sorted(p.relative_to(workspace) for p in workspace.rglob("*")) == before


def test_candidate_ruff_config_and_noqa_cannot_change_the_rules(tmp_path: Path) -> None:
    workspace = tmp_path / "sub"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text(
        '[tool.ruff]\nextend-exclude = ["*.py"]\n[tool.ruff.lint]\nignore = ["ALL"]\nselect = []\n'
    )
    (workspace / "ruff.toml").write_text('[lint]\nignore = ["E722", "F401"]\n')
    (workspace / "lib.py").write_text(
        "import os  # noqa: F401\n\n\ndef f():\n    try:\n        return 1\n    except:  # noqa\n        return 2\n"
    )
    result = grade(workspace)
    assert ("lib.py", 1) in located(result, "quality:F401")
    assert ("lib.py", 7) in located(result, "quality:E722")


def test_a_tool_that_runs_out_of_time_is_a_finding(tmp_path: Path) -> None:
    workspace = golden_copy("solid", tmp_path)
    result = grade(workspace, tool_timeout_s=0.0001)
    assert result.status is GraderStatus.ok
    assert "quality:tool-failed" in rules(result)
    assert any("timed out" in f.message for f in result.findings if f.rule == "quality:tool-failed")


@pytest.mark.parametrize(
    "cell",
    [
        "%matplotlib inline\nimport os",
        "!pip install foo\nx = 1",
        "files = !ls -la\nprint(files)",
        "if True:\n    %time x = 1\n    !echo hi",
        "%%bash\necho hi\nls | wc -l",
        "%%time\ny = [i for i in range(3)]",
        "df?\nimport sys",
        "!apt-get install \\\n  something",
    ],
)
def test_magics_become_valid_python_with_the_same_lines(cell: str) -> None:
    out = neutralise_magics(cell)
    ast.parse(out)
    assert out.count("\n") == cell.count("\n")


def test_duplicated_blocks_are_found_across_files() -> None:
    block = "\n".join(f"value_{i} = compute(items, {i})" for i in range(WINDOW + 2))
    result = find_duplication(
        [("a.py", f"x = 1\n{block}\n"), ("b.py", f"{block}\ny = 2\n"), ("c.py", "z = 3\n")]
    )
    assert result.duplicated_lines == 2 * (WINDOW + 2)
    assert result.blocks[0].lines == WINDOW + 2
    assert {result.blocks[0].rel, result.blocks[0].other_rel} == {"a.py", "b.py"}


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('KEY = "AKIAABCDEFGHIJKLMNOP"', "AWS access key id"),
        ("token = 'ghp_" + "a1B2" * 9 + "'", "GitHub token"),
        ('SLACK = "xoxb-1234567890-abcdefghij"', "Slack token"),
        ('client = OpenAI(api_key="sk-' + "Zx9" * 10 + '")', "OpenAI-style API key"),
        ('GOOGLE = "AIza' + "B" * 35 + '"', "Google API key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "private key"),
        ('password = "Tr0ub4dor&3-horse"', "hard-coded password"),
    ],
)
def test_secret_shapes_are_found(text: str, what: str) -> None:
    hits = find_secrets("x.py", text)
    assert hits and what in hits[0].what


@pytest.mark.parametrize(
    "text",
    [
        'api_key = os.environ["API_KEY"]',
        'api_key = "your-api-key-here"',
        'password = "changeme"',
        'token = "aaaaaaaaaaaaaaaa"',
        "tokenizer = 'bert-base-uncased-whole-word'",
    ],
)
def test_placeholders_and_environment_lookups_are_not_secrets(text: str) -> None:
    assert find_secrets("x.py", text) == []


@pytest.mark.parametrize(
    ("value", "hit"),
    [
        ("/home/ana/data/train.csv", True),
        ("/Users/ana/Desktop/model.pkl", True),
        ("C:\\Users\\ana\\train.csv", True),
        ("/content/drive/MyDrive/tickets.csv", True),
        ("/kaggle/input/tickets/train.csv", True),
        ("~/Downloads/train.csv", True),
        ("data/train.csv", False),
        ("https://example.com/home/x", False),
        ("/", False),
    ],
)
def test_hard_coded_absolute_paths(value: str, hit: bool) -> None:
    assert (find_absolute_path(value) is not None) is hit


def test_an_empty_submission_scores_low_without_crashing(tmp_path: Path) -> None:
    result = grade(tmp_path)
    assert result.status is GraderStatus.ok
    assert result.metrics["structure"] == "none"
    assert (result.score or 0) < 30


def test_generated_notebook_cells_keep_their_cell_numbers(tmp_path: Path) -> None:
    workspace = golden_copy("notebook_only", tmp_path)
    nb = (workspace / "solution.ipynb").read_text()
    (workspace / "solution.ipynb").write_text(
        nb.replace("import os\\n", "import os\\nimport json\\n", 1)
    )
    result = grade(workspace)
    unused = [f for f in result.findings if f.rule == "quality:F401"]
    assert unused and "(cell 2, line 2)" in unused[0].message
    assert unused[0].file == "solution.ipynb"
    shutil.rmtree(workspace)


def test_metrics_stop_at_the_time_budget_and_say_so(tmp_path: Path) -> None:
    result = grade(golden_copy("strong", tmp_path), time_budget_s=0)
    truncated = [f for f in result.findings if f.rule == "quality:analysis-truncated"]
    assert truncated and "time budget" in truncated[0].message
    assert result.metrics["functions"] == 0
    assert result.status is GraderStatus.ok


@pytest.mark.parametrize(
    ("files", "declared", "pinned"),
    [
        (
            {"requirements.txt": "pandas==3.1.1\nscikit-learn>=1.5  # fast\n-r other.txt\n# c\n"},
            True,
            0.5,
        ),
        (
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["numpy==2.4.6", "scipy"]\n'},
            True,
            0.5,
        ),
        (
            {
                "pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\npandas = "3.1.1"\nnumpy = "^2"\n'
            },
            True,
            0.5,
        ),
        ({"requirements.in": "pandas\n", "poetry.lock": "# lock\n"}, True, 1.0),
        ({"environment.yml": "dependencies:\n  - numpy=2.4\n  - pandas\n"}, True, 0.5),
        ({"pyproject.toml": "[[[ not toml"}, False, None),
        ({"setup.py": "from setuptools import setup\n"}, True, None),
        ({}, False, None),
    ],
)
def test_dependency_declarations(
    tmp_path: Path, files: dict[str, str], declared: bool, pinned: float | None
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    (tmp_path / "main.py").write_text("def f() -> int:\n    return 1\n")
    result = grade(tmp_path)
    assert result.metrics["dependencies_declared"] is declared
    assert result.metrics["dependencies_pinned_share"] == pinned
