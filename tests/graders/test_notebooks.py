"""The ``notebooks`` grader: sanitised HTML for reviewers and run-order checks."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graders.notebooks import CSP, NotebooksGrader, sanitise_html
from graders.types import GraderResult, GraderStatus
from tests.graders.conftest import golden_copy, make_context

ACTIVE_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "form",
    "input",
    "svg",
    "math",
    "style",
    "link",
    "meta",
    "base",
}


class _Collector(HTMLParser):
    """Every start tag with its attributes, for checking what survived sanitising."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Collector()
    parser.feed(html)
    return parser.tags


def assert_inert(body: str) -> None:
    """No element or attribute that can run script or load anything from elsewhere."""
    for tag, attrs in tags_of(body):
        assert tag not in ACTIVE_TAGS, f"<{tag}> survived"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler {name}={value!r} on <{tag}>"
            assert name not in {"style", "srcdoc", "formaction", "id"}, f"{name} on <{tag}>"
            squashed = "".join(value.split()).lower()
            assert not squashed.startswith(("javascript:", "vbscript:", "data:text")), (
                f"{name}={value!r}"
            )
            if tag == "img" and name == "src":
                assert squashed.startswith("data:image/")
            if tag == "a" and name == "href":
                assert squashed.startswith(("http://", "https://", "mailto:"))


def body_of(page: str) -> str:
    return page[page.index("<body>") :]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GraderResult:
    return NotebooksGrader().grade(
        make_context(golden_copy("hostile_static", tmp_path_factory.mktemp("nb")))
    )


def test_script_and_event_handler_payloads_do_not_survive(hostile: GraderResult) -> None:
    page = hostile.artifacts["notebook:notebooks/xss.ipynb"]
    body = body_of(page)
    assert_inert(body)
    lowered = body.lower()
    for payload in (
        "<script",
        "onerror=",
        "onclick=",
        "onload=",
        "javascript:alert",
        "srcdoc",
        "evil.example",
    ):
        if payload == "javascript:alert":
            # the markdown link is left as plain text, never as an href
            assert 'href="javascript' not in lowered
            continue
        assert payload not in lowered, payload
    for marker in (
        "application-javascript",
        "html-script",
        "md-script",
        "svg-onload",
        "markdown-output",
    ):
        assert f"alert('{marker}')" not in body
    # benign content is still there for the reviewer
    assert ">hi</div>" in body
    assert "data:image/png;base64,iVBOR" in body
    assert "data:image/svg+xml;base64," in body
    assert "ValueError" in body
    assert "&lt;script&gt;alert('traceback')" in body


def test_the_page_declares_a_script_free_content_security_policy(hostile: GraderResult) -> None:
    page = hostile.artifacts["notebook:notebooks/xss.ipynb"]
    meta = [attrs for tag, attrs in tags_of(page) if tag == "meta" and attrs.get("http-equiv")]
    assert meta and meta[0]["content"] == CSP
    assert "default-src 'none'" in CSP
    assert "script-src" not in CSP  # falls back to default-src 'none'
    assert page.count("<script") == 0


def test_removed_active_outputs_are_reported(hostile: GraderResult) -> None:
    removed = [f for f in hostile.findings if f.rule == "notebooks:content-removed"]
    assert removed and removed[0].file == "notebooks/xss.ipynb"
    assert hostile.metrics["active_outputs_removed"] == 2
    assert ("notebooks/xss.ipynb", "notebooks:error-output") in {
        (f.file, f.rule) for f in hostile.findings
    }


def test_a_malformed_notebook_is_a_finding(hostile: GraderResult) -> None:
    assert hostile.status is GraderStatus.ok
    malformed = [f for f in hostile.findings if f.rule == "notebooks:malformed"]
    assert [f.file for f in malformed] == ["notebooks/broken.ipynb"]
    assert hostile.metrics["malformed_notebooks"] == 1
    assert "notebook:notebooks/broken.ipynb" not in hostile.artifacts


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<a href=' JAVA\tSCRIPT:alert(1)'>x</a>",
        "<a href='/reviewer/decide?accept=1'>relative</a>",
        "<img src='https://tracker.example/p.gif'>",
        "<iframe src='https://example.com'></iframe>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math>",
        "<div style='background:url(javascript:alert(1))'>x</div>",
        "<form action='https://example.com'><button>go</button></form>",
        "<object data='x.swf'></object><embed src='x.swf'>",
        "<p id='csrf_token'>clobber</p>",
        "<!--<script>alert(1)</script>-->",
        "<base href='https://example.com/'>",
        "<meta http-equiv='refresh' content='0;url=https://example.com'>",
        "<details open ontoggle=alert(1)>x</details>",
        "<img src='data:text/html;base64,PHNjcmlwdD4='>",
    ],
)
def test_sanitiser_neutralises(payload: str) -> None:
    assert_inert(sanitise_html(payload))


def test_notebook_only_is_rendered_and_its_run_order_checked(tmp_path: Path) -> None:
    result = NotebooksGrader().grade(
        make_context(golden_copy("notebook_only", tmp_path), kind="notebook")
    )
    assert result.status is GraderStatus.ok
    assert set(result.artifacts) == {"notebook:solution.ipynb"}
    assert result.metrics["notebooks"] == 1
    assert result.metrics["code_cells"] == 5
    assert result.metrics["cells_with_outputs"] == 4
    assert result.metrics["execution_order_problems"] == 1
    order = [f for f in result.findings if f.rule == "notebooks:out-of-order"]
    assert order and "2, 1, 3, 4, 5" in order[0].message
    assert (
        next(c for c in result.breakdown if c.basis == "metrics.execution_order_problems").points
        == 0
    )
    assert "<table>" in result.artifacts["notebook:solution.ipynb"]


def test_no_notebooks_means_skipped(tmp_path: Path) -> None:
    result = NotebooksGrader().grade(make_context(golden_copy("strong", tmp_path)))
    assert result.status is GraderStatus.skipped
    assert result.score is None
    assert result.artifacts == {}


def _notebook(cells: list[dict[str, object]]) -> str:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_oversized_outputs_are_omitted_and_the_page_stays_bounded(tmp_path: Path) -> None:
    big = "x" * (3 * 1024 * 1024)
    cells = [
        {"cell_type": "code", "execution_count": i + 1, "metadata": {}, "source": "print('x')",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": big}]}
        for i in range(3)
    ]  # fmt: skip
    (tmp_path / "big.ipynb").write_text(_notebook(cells))
    result = NotebooksGrader().grade(make_context(tmp_path))
    page = result.artifacts["notebook:big.ipynb"]
    assert len(page) < 1024 * 1024
    assert page.count("omitted from this view") == 3
    assert "notebooks:content-removed" in {f.rule for f in result.findings}


@pytest.mark.parametrize(
    "content",
    [
        "",
        "null",
        "[]",
        '{"nbformat": 4}',
        '{"nbformat": 99, "cells": []}',
        '{"nbformat": 4, "cells": "nope"}',
        '{"nbformat": 4, "cells": [42, {"cell_type": "code", "source": 5, "outputs": "x"}]}',
        "[" * 100_000,
        '{"nbformat": 4, "cells": [{"cell_type": "markdown", "source": ["a", 1, null]}]}',
    ],
)
def test_odd_notebook_json_never_crashes(tmp_path: Path, content: str) -> None:
    (tmp_path / "odd.ipynb").write_text(content)
    result = NotebooksGrader().grade(make_context(tmp_path))
    assert result.status is GraderStatus.ok
    assert result.metrics["notebooks"] == 1


def test_unexecuted_notebook_is_reported(tmp_path: Path) -> None:
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "source": "x = 1",
            "outputs": [],
        }
    ]
    (tmp_path / "fresh.ipynb").write_text(_notebook(cells))
    result = NotebooksGrader().grade(make_context(tmp_path))
    assert "notebooks:not-executed" in {f.rule for f in result.findings}
    assert result.metrics["executed_cells"] == 0


def test_the_graded_run_is_rendered_beside_the_notebook_as_submitted(tmp_path: Path) -> None:
    """Issue 11: reviewers see the outputs of the harness's own run, not only what was saved."""
    from graders.notebooks.grader import EXECUTED_NOTEBOOK
    from graders.types import StageName, StageOutcome, Verdict

    workspace = golden_copy("notebook_only", tmp_path / "ws")
    saved = json.loads((workspace / "solution.ipynb").read_text())
    ran = {
        **saved,
        "cells": [
            *saved["cells"],
            {
                "cell_type": "code",
                "execution_count": 6,
                "metadata": {},
                "source": "print(1)",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": "HARNESS-RUN 0.873\n"}
                ],
            },
        ],
    }
    executed = tmp_path / "out" / EXECUTED_NOTEBOOK
    executed.parent.mkdir()
    executed.write_text(json.dumps(ran))
    stage = StageOutcome(
        name=StageName.notebook, verdict=Verdict.ok, files={EXECUTED_NOTEBOOK: executed}
    )
    result = NotebooksGrader().grade(
        make_context(workspace, kind="notebook", stages={StageName.notebook: stage})
    )
    assert set(result.artifacts) == {"notebook:solution.ipynb", "notebook-run:solution.ipynb"}
    assert "HARNESS-RUN 0.873" in result.artifacts["notebook-run:solution.ipynb"]
    assert "HARNESS-RUN" not in result.artifacts["notebook:solution.ipynb"]
    assert result.metrics["graded_run_rendered"] is True
    # The score counts the submitted notebooks only: the same as without the run.
    without = NotebooksGrader().grade(make_context(workspace, kind="notebook"))
    assert result.score == without.score and without.metrics["graded_run_rendered"] is False
    # Near miss: a link in place of the file is not followed.
    executed.unlink()
    executed.symlink_to(workspace / "solution.ipynb")
    linked = NotebooksGrader().grade(
        make_context(workspace, kind="notebook", stages={StageName.notebook: stage})
    )
    assert "notebook-run:solution.ipynb" not in linked.artifacts
