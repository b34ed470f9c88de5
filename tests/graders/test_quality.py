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
from graders.quality.hygiene import find_absolute_path
from graders.types import GraderResult, GraderStatus, ScoreComponent, Severity
from harness.assignments.loader import _sandbox_environment
from tests.graders.conftest import golden_copy, make_context

MiB = 1024 * 1024
CASES = Path(__file__).parent / "fixtures" / "quality_cases"


def grade(
    workspace: Path, *, environment: dict[str, str] | None = None, **options: object
) -> GraderResult:
    """Grade as the pipeline does: the sandbox's environment lock is known to the grader."""
    kind = "project" if (workspace / "submission.toml").exists() else "notebook"
    ctx = make_context(workspace, kind=kind)
    env = dict(_sandbox_environment()) if environment is None else environment
    ctx = ctx.model_copy(
        update={
            "assignment": ctx.assignment.model_copy(
                update={"grader_options": {"quality": options}, "environment": env}
            )
        }
    )
    return QualityGrader().grade(ctx)


def case_copy(name: str, dest_root: Path) -> Path:
    """A copy of ``fixtures/quality_cases/<name>``."""
    dest = dest_root / name
    shutil.copytree(CASES / name, dest, symlinks=True)
    return dest


def component(result: GraderResult, basis: str) -> ScoreComponent:
    return next(c for c in result.breakdown if c.basis == basis)


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
    structure = component(notebook, "metrics.importable_share")
    assert structure.points == 0 and structure.max_points > 0


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
    assert "quality:no-dependencies" in rules(golden_results["messy"])
    assert "quality:unpinned-dependencies" not in rules(golden_results["no_tests"])


@pytest.mark.parametrize("name", ["strong", "solid", "messy", "notebook_only", "hostile_static"])
def test_every_point_traces_to_a_metric_or_rule(
    golden_results: dict[str, GraderResult], name: str
) -> None:
    result = golden_results[name]
    earned = sum(c.points for c in result.breakdown)
    available = sum(c.max_points for c in result.breakdown)
    assert result.score == pytest.approx(100 * earned / available, abs=0.01)
    for part in result.breakdown:
        assert 0 <= part.points <= part.max_points
        if part.basis.startswith("metrics."):
            assert part.basis.removeprefix("metrics.") in result.metrics
        else:
            assert part.basis.startswith("quality:")
    # criteria that earn points add up to 100 when all apply; penalties only add to what is available
    rewarded = [c for c in result.breakdown if not c.criterion.startswith("Penalty")]
    left_out = [c for c in rewarded if c.max_points == 0]
    assert all("left out" in c.criterion for c in left_out)
    assert sum(c.max_points for c in rewarded) <= 100


def test_a_fully_applicable_rubric_is_worth_100(golden_results: dict[str, GraderResult]) -> None:
    strong = golden_results["strong"]
    assert sum(c.max_points for c in strong.breakdown) == 100
    assert not strong.details["left_out"]


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
    } == secrets
    assert ("config.py", 6) in located(result, "quality:absolute-path")
    assert ("config.py", 7) in located(result, "quality:absolute-path")
    assert result.metrics["unparseable_files"] >= 7
    # the secrets themselves never reach the report, their masked form does
    text = " ".join(f.message for f in result.findings)
    for secret in (
        "AKIAZ7Q2M4RX6KD3",
        "u8Jq3Zk2Lr9Vx0Tb",
        "q8Zr2LmX0vT4nK7pB1sW9yD3",
        "sk-proj-4f9XbT2q",
    ):
        assert secret not in text
    assert "q8Zr2…9yD3" in text
    penalty = component(result, "quality:secret")
    assert penalty.points == 0 and penalty.max_points == 10


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
    (tmp_path / "submission.toml").write_text('[train]\ncommand = "true"\n')
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
        (
            {
                "pyproject.toml": '[project]\nname = "x"\ndependencies = ["pandas"]\n',
                "requirements.txt": "pandas==3.1.1\n",
            },
            True,
            1.0,
        ),
        ({"Pipfile": '[packages]\npandas = "==3.1.1"\nnumpy = "*"\n'}, True, 0.5),
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


# --- Issue 9: credit where a reviewer gives none -------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


_TOML = '[train]\ncommand = "python train.py {train} {model_dir}"\n'
_MODULE = '''"""Features."""

import pandas as pd


def ticket_text(frame: pd.DataFrame) -> pd.Series:
    """Subject and body of each ticket."""
    return frame["subject"] + " " + frame["body"]
'''
_ENTRY = '''"""Train."""

import sys

import pandas as pd

from features import ticket_text


def main(path: str) -> None:
    """Print how many tickets there are."""
    print(len(ticket_text(pd.read_csv(path))))


if __name__ == "__main__":
    main(sys.argv[1])
'''


def test_a_conda_freeze_earns_no_dependency_credit(tmp_path: Path) -> None:
    result = grade(case_copy("conda_freeze", tmp_path))
    assert {
        "quality:dependency-freeze",
        "quality:dependency-local-path",
        "quality:dependency-platform",
        "quality:dependency-environment-conflict",
        "quality:dependency-unused-heavy",
    } <= rules(result)
    conflict = next(
        f for f in result.findings if f.rule == "quality:dependency-environment-conflict"
    )
    lock = dict(_sandbox_environment())
    assert f"scikit-learn==1.0.2 (sandbox: {lock['scikit-learn']})" in conflict.message
    unused = next(f for f in result.findings if f.rule == "quality:dependency-unused-heavy")
    assert "torch==2.0.1+cpu" in unused.message and "keras==2.12.0" in unused.message
    assert component(result, "metrics.dependencies_pinned_share").points == 0
    assert component(result, "metrics.dependency_problems").points == 0
    assert result.metrics["dependencies_freeze"] is True
    unusable = next(c for c in result.breakdown if "cannot be installed elsewhere" in c.criterion)
    assert unusable.points == 0 and unusable.max_points == 10


def test_pins_matching_the_grading_environment_earn_full_dependency_credit(tmp_path: Path) -> None:
    lock = dict(_sandbox_environment())
    pins = "".join(f"{name}=={lock[name]}\n" for name in ("pandas", "scikit-learn"))
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "requirements.txt": pins,
            "features.py": _MODULE,
            "train.py": _ENTRY,
        },
    )
    result = grade(workspace)
    assert not {r for r in rules(result) if r.startswith("quality:dependency")}
    for basis in ("metrics.dependencies_pinned_share", "metrics.dependency_problems"):
        part = component(result, basis)
        assert part.points == part.max_points > 0
    assert result.metrics["dependencies_checked_against_environment"] is True


@pytest.mark.parametrize(
    ("requirements", "rule"),
    [
        ("pandas==3.1.1\nscikit-learn<1.0\n", "quality:dependency-environment-conflict"),
        ("pandas==3.1.1\nscikit-learn==1.9.1\ntorch==2.3.0+cu121\n", "quality:dependency-platform"),
        ("pandas==3.1.1\nscikit-learn==1.9.1\npywin32==306\n", "quality:dependency-platform"),
        ("pandas=3.1.1=py311h1234_0\nscikit-learn==1.9.1\n", "quality:dependency-unparseable"),
        (
            "pandas==3.1.1\nscikit-learn @ file:///home/ana/wheels/sk.whl\n",
            "quality:dependency-local-path",
        ),
        ("pandas==3.1.1\n", "quality:dependency-undeclared"),
    ],
)
def test_dependency_problems_are_found(tmp_path: Path, requirements: str, rule: str) -> None:
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "requirements.txt": requirements,
            "features.py": _MODULE + "\nimport sklearn  # noqa: E402\n",
            "train.py": _ENTRY,
        },
    )
    result = grade(workspace)
    assert rule in rules(result)
    part = component(result, "metrics.dependency_problems")
    assert part.points < part.max_points


@pytest.mark.parametrize(
    "requirements",
    [
        "pandas==3.1.1\nscikit-learn>=1.5\n",
        'pandas==3.1.1\nscikit-learn==1.9.1\npywin32==306; sys_platform == "win32"\n',
    ],
)
def test_dependency_near_misses_are_not_problems(tmp_path: Path, requirements: str) -> None:
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "requirements.txt": requirements,
            "features.py": _MODULE + "\nimport sklearn  # noqa: E402\n",
            "train.py": _ENTRY,
        },
    )
    result = grade(workspace)
    assert not {r for r in rules(result) if r.startswith("quality:dependency")}


def test_without_the_environment_pins_are_not_compared(tmp_path: Path) -> None:
    result = grade(case_copy("conda_freeze", tmp_path), environment={})
    assert "quality:dependency-environment-conflict" not in rules(result)
    assert result.metrics["dependencies_checked_against_environment"] is False


def test_a_conda_environment_file_with_build_strings_is_platform_specific(tmp_path: Path) -> None:
    env = (
        "name: tickets\nchannels:\n  - defaults\ndependencies:\n  - python=3.11\n"
        "  - pandas=3.1.1=py311h1234_0\n  - scikit-learn=1.9\n  - pip:\n    - joblib==1.6.0\n"
        "prefix: C:\\Users\\ana\\miniconda3\\envs\\tickets\n"
    )
    workspace = _write(
        tmp_path, {"environment.yml": env, "features.py": _MODULE, "train.py": _ENTRY}
    )
    result = grade(workspace)
    assert {"quality:dependency-platform", "quality:dependency-local-path"} <= rules(result)
    assert "quality:dependency-environment-conflict" not in rules(
        result
    )  # scikit-learn=1.9 is 1.9.*


def test_a_script_named_tf_idf_is_not_an_importable_module(tmp_path: Path) -> None:
    result = grade(case_copy("tfidf_script", tmp_path))
    assert ("tf-idf.py", None) in located(result, "quality:not-importable-name")
    assert "tf_idf.py" in next(
        f.message for f in result.findings if f.rule == "quality:not-importable-name"
    )
    assert result.metrics["importable_share"] == 0
    assert result.metrics["structure"] == "scripts"
    assert component(result, "metrics.importable_share").points == 0


def test_the_same_code_with_a_valid_name_and_a_main_guard_is_importable(tmp_path: Path) -> None:
    workspace = case_copy("tfidf_script", tmp_path)
    source = (workspace / "tf-idf.py").read_text()
    head, _, tail = source.partition("\nmode = sys.argv[1]\n")
    body = "\n".join(
        f"    {ln}" if ln else ln for ln in ("mode = sys.argv[1]\n" + tail).splitlines()
    )
    (workspace / "tf_idf.py").write_text(
        f'{head}\n\ndef main():\n{body}\n\n\nif __name__ == "__main__":\n    main()\n'
    )
    (workspace / "tf-idf.py").unlink()
    (workspace / "submission.toml").write_text(
        (workspace / "submission.toml").read_text().replace("tf-idf.py", "tf_idf.py")
    )
    result = grade(workspace)
    assert "quality:not-importable-name" not in rules(result)
    assert (result.metrics["importable_share"] or 0) > 0.3
    assert result.metrics["structure"] == "modules"
    assert (component(result, "metrics.importable_share").points or 0) > 8


def test_glue_that_only_wires_arguments_barely_moves_the_score(tmp_path: Path) -> None:
    """Issue 9: a 15-line launcher beside a 35-line script added ~16 points."""
    alone = grade(case_copy("script_only", tmp_path))
    glued = grade(case_copy("script_with_glue", tmp_path))
    assert alone.score is not None and glued.score is not None
    assert abs(glued.score - alone.score) <= 3
    assert glued.metrics["definition_lines"] == 0
    modules = {m["file"]: m for m in glued.details["modules"]}
    assert modules["run.py"]["definition_lines"] == 0


def test_real_functions_beside_a_script_do_count(tmp_path: Path) -> None:
    """Near miss of the glue rule: a module with a function that computes is organisation."""
    workspace = case_copy("script_only", tmp_path)
    (workspace / "text.py").write_text(
        '"""Ticket text."""\n\nimport re\n\n\ndef clean(text: str) -> str:\n'
        '    """Lower-case and collapse whitespace."""\n    return re.sub(r"\\s+", " ", text.lower()).strip()\n'
    )
    (workspace / "classify.py").write_text(
        "from text import clean\n" + (workspace / "classify.py").read_text()
    )
    result = grade(workspace)
    assert result.metrics["definition_lines"] > 0
    assert (result.metrics["importable_modules"] or 0) >= 1


def test_criteria_that_do_not_apply_are_left_out_and_said_so(tmp_path: Path) -> None:
    result = grade(case_copy("script_only", tmp_path))
    assert result.metrics["functions"] == 0
    for basis in (
        "metrics.complex_functions",
        "metrics.type_hint_coverage",
        "metrics.docstring_coverage",
    ):
        part = component(result, basis)
        assert part.max_points == 0 and "left out, there are no" in part.criterion
    assert "Left out as not applicable: Functions of manageable complexity" in result.summary
    # the code not being in functions is judged once, by the organisation criteria
    assert component(result, "metrics.functions_share").points == 0
    assert (result.score or 0) < 50


def test_nothing_to_judge_does_not_inflate_a_near_empty_submission(tmp_path: Path) -> None:
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "README.md": "# Tickets\n",
            "requirements.txt": "pandas==3.1.1\n",
            "train.py": '"""Tiny."""\n\nimport pandas as pd\n\n\ndef load(path: str) -> pd.DataFrame:\n'
            '    """Read the tickets."""\n    return pd.read_csv(path)\n',
        },
    )
    result = grade(workspace)
    # one clean, typed, documented function: those criteria count for a small share only
    hints = component(result, "metrics.type_hint_coverage")
    assert 0 < hints.max_points < 4
    assert (result.score or 0) < 60


def test_work_at_import_time_committed_files_ide_folders_and_java(tmp_path: Path) -> None:
    result = grade(case_copy("import_time_work", tmp_path))
    work = [f for f in result.findings if f.rule == "quality:import-time-work"]
    assert [(f.file, f.line) for f in work] == [("model.py", 8)]
    assert "reads data" in work[0].message and "trains a model" in work[0].message
    assert "loads a saved model" in work[0].message
    assert ("data/train.csv", None) in located(result, "quality:committed-data")
    assert ("artifacts/model.pkl", None) in located(result, "quality:model-binary")
    assert (".idea", None) in located(result, "quality:ide-folder")
    assert (".DS_Store", None) in located(result, "quality:os-file")
    java = [f for f in result.findings if f.rule == "quality:other-language"]
    assert len(java) == 1 and "1 Java file (client/src/main/java/com/acme) is" in java[0].message
    modules = {m["file"]: m for m in result.details["modules"]}
    assert modules["model.py"]["importable"] is False
    assert component(result, "quality:import-time-work").max_points == 5
    assert component(result, "metrics.clutter").max_points == 9  # 3 kinds of clutter, 3 each
    assert component(result, "metrics.committed_binaries").max_points == 10  # data and a model, 5 each
    # the same code without the clutter, the committed files and the import-time work
    tidy = case_copy("import_time_work", tmp_path / "tidy")
    for junk in (".idea", "client", "data", "artifacts"):
        shutil.rmtree(tidy / junk)
    (tidy / ".DS_Store").unlink()
    model = (tidy / "model.py").read_text()
    (tidy / "model.py").write_text(
        model.replace(
            'TRAIN = pd.read_csv("data/train.csv", dtype=str, keep_default_na=False)\n', ""
        )
        .replace(
            'VECTORIZER = TfidfVectorizer(min_df=2).fit(TRAIN["subject"] + " " + TRAIN["body"])\n',
            "VECTORIZER = TfidfVectorizer(min_df=2)\n",
        )
        .replace('PRETRAINED = joblib.load("artifacts/model.pkl")\n', "")
    )
    cleaned = grade(tidy)
    assert not {"quality:import-time-work", "quality:ide-folder", "quality:other-language"} & rules(
        cleaned
    )
    assert (cleaned.score or 0) > (result.score or 0) + 10


def test_import_time_near_misses(tmp_path: Path) -> None:
    """Work inside functions, an entry script's own top level, a small test fixture and caches."""
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "features.py": _MODULE + '\n\nDATA_DIR = Path(__file__).parent / "data"\n'
            'LABELS = ("billing", "refund")\n',
            "train.py": '"""Train."""\n\nimport sys\n\nimport pandas as pd\n\nfrom features import ticket_text\n\n'
            "frame = pd.read_csv(sys.argv[1])\nprint(len(ticket_text(frame)))\n",
            "tests/data/sample.csv": "id,subject,body,label\nT-1,a,b,billing\n",
            "tests/test_features.py": "from features import ticket_text\n\n\ndef test_x():\n    assert ticket_text\n",
            "__pycache__/features.cpython-311.pyc": "x",
        },
    )
    (workspace / "features.py").write_text(
        (workspace / "features.py")
        .read_text()
        .replace("import pandas as pd", "from pathlib import Path\n\nimport pandas as pd")
    )
    result = grade(workspace)
    assert "quality:import-time-work" not in rules(result)
    assert ("train.py", 9) in located(result, "quality:script-at-top-level")
    assert (
        next(f for f in result.findings if f.rule == "quality:script-at-top-level").severity
        is Severity.info
    )
    assert "quality:committed-data" not in rules(result)
    assert ("__pycache__", None) in located(result, "quality:cache-folder")
    assert result.metrics["clutter"] == 0
    assert component(result, "quality:import-time-work").max_points == 0


def test_the_task_data_is_committed_data_whatever_its_size(tmp_path: Path) -> None:
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "train.py": _ENTRY,
            "features.py": _MODULE,
            "train.csv": "id,subject,body,label\nT-1,a,b,billing\n",
            "examples/sample_tickets.csv": "id,subject,body\nT-1,a,b\n",
        },
    )
    result = grade(workspace)
    assert located(result, "quality:committed-data") == {("train.csv", None)}


@pytest.mark.parametrize(
    ("lines", "findings", "low", "high"),
    [
        (20, 3, 0.2, 0.6),  # 3 warnings in 20 lines: weak evidence, not zero
        (10, 0, 0.5, 0.75),  # a clean 10-line file: not full credit on its own
        (400, 0, 0.9, 1.0),  # a clean 400-line code base: nearly full credit
        (400, 40, 0.0, 0.1),  # 10 warnings per 100 lines over 400 lines: nothing
    ],
)
def test_lint_density_is_shrunk_for_small_code_bases(
    tmp_path: Path, lines: int, findings: int, low: float, high: float
) -> None:
    # one unused import (F401, a warning) per finding, in sorted order so isort has nothing to say
    body = [f"import module_{i:03d}" for i in range(findings)]
    body += [""] * bool(findings) + [f"value_{i} = {i}" for i in range(lines - findings)]
    (tmp_path / "submission.toml").write_text(_TOML)
    (tmp_path / "train.py").write_text("\n".join(body) + "\n")
    result = grade(tmp_path)
    assert result.metrics["violations"] == findings
    lint = component(result, "metrics.weighted_violations_per_100_lines")
    assert low <= lint.points / lint.max_points <= high


def test_a_stdlib_only_solution_needs_no_dependency_file(tmp_path: Path) -> None:
    result = grade(golden_copy("hostile_tests", tmp_path))
    assert "quality:no-dependencies" not in rules(result)
    part = component(result, "metrics.dependencies_pinned_share")
    assert part.max_points == 0 and "standard library" in part.criterion
    # near miss: importing pandas without declaring it costs the dependency points
    workspace = _write(
        tmp_path / "b", {"submission.toml": _TOML, "train.py": _ENTRY, "features.py": _MODULE}
    )
    result = grade(workspace)
    assert "quality:no-dependencies" in rules(result)
    assert component(result, "metrics.dependencies_pinned_share").max_points > 0


def test_the_harness_gives_graders_the_sandbox_environment() -> None:
    from harness.assignments.loader import load_assignment
    from harness.settings import Settings

    lock = Path(__file__).resolve().parents[2] / "sandbox" / "environment.lock"
    pinned = dict(
        line.split("==")
        for line in lock.read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    view = load_assignment("support-tickets", Settings()).view()
    assert view.environment == pinned
    assert view.environment["scikit-learn"]


@pytest.mark.parametrize(
    ("files", "importable"),
    [
        # src layout without __init__.py, imported as `src.data` by the entry script
        (
            {
                "src/data.py": _MODULE,
                "train.py": _ENTRY.replace("from features import", "from src.data import"),
            },
            {"src/data.py", "train.py"},
        ),
        # a package with relative imports, run with -m
        (
            {
                "pkg/__init__.py": '"""Package."""\n',
                "pkg/features.py": _MODULE,
                "pkg/cli.py": _ENTRY.replace("from features import", "from .features import"),
            },
            {"pkg/__init__.py", "pkg/features.py", "pkg/cli.py"},
        ),
        # a module nothing imports and that is not an entry point: dead code, not importable logic
        (
            {"features.py": _MODULE, "unused.py": _MODULE, "train.py": _ENTRY},
            {"features.py", "train.py"},
        ),
    ],
)
def test_what_counts_as_importable(
    tmp_path: Path, files: dict[str, str], importable: set[str]
) -> None:
    command = "python -m pkg.cli {train}" if "pkg/cli.py" in files else "python train.py {train}"
    workspace = _write(tmp_path, {"submission.toml": f'[train]\ncommand = "{command}"\n', **files})
    result = grade(workspace)
    found = {m["file"] for m in result.details["modules"] if m["importable"]}
    assert found == importable


def test_a_virtual_environment_is_clutter_but_a_package_named_env_is_not(tmp_path: Path) -> None:
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "train.py": _ENTRY,
            "features.py": _MODULE,
            ".venv/pyvenv.cfg": "home = /usr/bin\n",
            ".venv/lib/python3.11/site-packages/x.py": "x = 1\n",
            "env/__init__.py": '"""Simulated ticket streams."""\n',
        },
    )
    result = grade(workspace)
    assert located(result, "quality:environment-folder") == {(".venv", None)}
    assert result.metrics["clutter"] == 1


def test_imports_the_grading_environment_lacks_are_an_error(tmp_path: Path) -> None:
    lock = dict(_sandbox_environment())
    assert "tensorflow" not in lock
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "requirements.txt": f"pandas=={lock['pandas']}\ntensorflow==2.16.1\n",
            "features.py": _MODULE
            + "\n\ndef model():\n    import tensorflow as tf\n\n    return tf\n",
            "train.py": _ENTRY,
        },
    )
    result = grade(workspace)
    found = [f for f in result.findings if f.rule == "quality:dependency-unavailable"]
    assert len(found) == 1 and "tensorflow" in found[0].message
    assert found[0].severity is Severity.error
    assert component(result, "metrics.imports_missing_from_environment").max_points == 5


def test_guarded_optional_imports_and_tests_imports_are_not_required(tmp_path: Path) -> None:
    workspace = _write(
        tmp_path,
        {
            "submission.toml": _TOML,
            "requirements.txt": "pandas==3.1.1\n",
            "features.py": _MODULE
            + "\ntry:\n    import matplotlib.pyplot as plt\nexcept ImportError:\n    plt = None\n",
            "train.py": _ENTRY,
            "tests/test_features.py": "import hypothesis\n\n\ndef test_x():\n    assert hypothesis\n",
        },
    )
    result = grade(workspace)
    assert "quality:dependency-unavailable" not in rules(result)
    assert component(result, "metrics.imports_missing_from_environment").max_points == 0
