"""The submission contract: submission.toml or exactly one root notebook, else a precise message."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputRejected
from harness.submissions.contract import (
    NotebookContract,
    ProjectContract,
    detect_contract,
    render_command,
)

GOOD_TOML = """
[train]
command = "python train.py --train {train} --model-dir {model_dir}"
[predict]
command = "python predict.py --model-dir {model_dir} --input {test} --output {predictions}"
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_project_contract(tmp_path: Path) -> None:
    contract = detect_contract(write(tmp_path, {"submission.toml": GOOD_TOML}))
    assert isinstance(contract, ProjectContract)
    assert "{predictions}" in contract.predict_command and contract.kind == "project"


def test_single_notebook(tmp_path: Path) -> None:
    contract = detect_contract(write(tmp_path, {"solution.ipynb": "{}", "sub/other.ipynb": "{}"}))
    assert contract == NotebookContract(notebook="solution.ipynb")


def test_two_notebooks_without_toml(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match=r"2 notebooks.*cannot tell which one"):
        detect_contract(write(tmp_path, {"a.ipynb": "{}", "b.ipynb": "{}"}))


def test_nothing_says_what_to_add(tmp_path: Path) -> None:
    with pytest.raises(InputRejected) as info:
        detect_contract(write(tmp_path, {"train.py": ""}))
    assert "no submission.toml" in info.value.message and "[train]" in info.value.message


def test_nested_toml_hint(tmp_path: Path) -> None:
    with pytest.raises(InputRejected, match="move it to the root"):
        detect_contract(write(tmp_path, {"inner/submission.toml": GOOD_TOML, "x.py": ""}))


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ("[train\ncommand='x'", "not valid TOML"),
        ("[train]\ncommand='python t.py {train} {model_dir}'\n", "no [predict] table"),
        ("[train]\ncommand='python t.py {train} {model_dir}'\n[predict]\ncommand='p {test}'\n",
         "must pass {predictions}"),
        ("[train]\ncommand='python t.py {train} {model_dir} {secret}'\n[predict]\ncommand='p {test} {predictions}'\n",
         "unknown placeholder"),
        ("[train]\ncommand=42\n[predict]\ncommand='p {test} {predictions}'\n", "needs a `command` string"),
        ("[train]\ncommand='python \"t.py {train} {model_dir}'\n[predict]\ncommand='p {test} {predictions}'\n",
         "quotes"),
    ],
)
def test_bad_toml_messages(tmp_path: Path, toml: str, fragment: str) -> None:
    with pytest.raises(InputRejected, match=fragment.replace("[", r"\[").replace("{", r"\{").replace("}", r"\}")):
        detect_contract(write(tmp_path, {"submission.toml": toml}))


def test_unknown_placeholders_explain_literal_braces(tmp_path: Path) -> None:
    bad = "[train]\ncommand='sh -c \"cd ${HOME} && python t.py {train} {model_dir}\"'\n[predict]\ncommand='p {test} {predictions}'\n"
    with pytest.raises(InputRejected) as info:
        detect_contract(write(tmp_path / "bad", {"submission.toml": bad}))
    assert "[train] command uses unknown placeholder(s) {HOME}" in info.value.message
    assert "{{ and }}" in info.value.message and "${{HOME}}" in info.value.message
    # following the advice gives a valid contract whose command keeps the literal braces
    good = bad.replace("${HOME}", "${{HOME}}")
    contract = detect_contract(write(tmp_path / "good", {"submission.toml": good}))
    assert isinstance(contract, ProjectContract)
    rendered = render_command(contract.train_command, {"train": "/data/train.csv", "model_dir": "/model"})
    assert rendered == 'sh -c "cd ${HOME} && python t.py /data/train.csv /model"'


def test_render_command_quotes_unsafe_paths() -> None:
    rendered = render_command("python p.py --out {predictions}", {"predictions": "/out/a b;rm -rf.csv"})
    assert rendered == "python p.py --out '/out/a b;rm -rf.csv'"
    assert render_command("x {train}", {"train": "/data/train.csv"}) == "x /data/train.csv"


SERVE_BASE = """
[train]
command = "python train.py {train} {model_dir}"
[predict]
command = "python predict.py {model_dir} {test} {predictions}"
"""


def _serve_contract(tmp_path: Path, serve: str) -> object:
    (tmp_path / "submission.toml").write_text(SERVE_BASE + serve)
    return detect_contract(tmp_path)


def test_an_optional_serve_command_is_read(tmp_path: Path) -> None:
    contract = _serve_contract(tmp_path, '[serve]\ncommand = "python serve.py --model-dir {model_dir} --port {port}"\n')
    assert isinstance(contract, ProjectContract)
    assert contract.serve_command == "python serve.py --model-dir {model_dir} --port {port}"
    assert _serve_contract(tmp_path, "").serve_command is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("serve", "message"),
    [
        ('[serve]\ncommand = "python serve.py {model_dir}"\n', "[serve] command must pass {port}"),
        ('[serve]\ncommand = "python serve.py {port} {test}"\n', "the available ones are {port} and {model_dir}"),
        ('[[serve]]\ncommand = "python serve.py {port}"\n', "[serve] must be a table"),
        ("[serve]\ncommand = 3\n", "[serve] needs a `command` string"),
        ('[serve]\ncommand = "python serve.py \'{port}"\n', "[serve] command cannot be parsed"),
    ],
    ids=["no-port", "unknown-placeholder", "not-a-table", "not-a-string", "bad-quotes"],
)
def test_an_unusable_serve_command_is_rejected_saying_what_to_fix(tmp_path: Path, serve: str, message: str) -> None:
    with pytest.raises(InputRejected) as caught:
        _serve_contract(tmp_path, serve)
    assert message in caught.value.message
