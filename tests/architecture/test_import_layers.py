"""The import graph of ``harness``, ``api``, ``graders`` and ``sandbox`` keeps its layers.

The layers of ``harness`` are stated here as data, lowest first. A package may import packages of
its own layer and of lower layers; the graph of packages has no cycle (a package in the same
layer as another may import it, but never both ways). ``docs/ARCHITECTURE.md`` says the same in words.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.import_graph import Edge, Rules, check, scan, unit_of

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("harness", "api", "graders", "sandbox")


def _layer(name: str, *units: str) -> tuple[str, frozenset[str]]:
    return name, frozenset(f"harness.{u}" for u in units)


LAYERS = [
    # Domain-neutral pieces and pure rules: they import nothing of harness but harness.errors
    # (db and settings import nothing of ours at all).
    _layer("kit", "errors", "settings", "version", "db", "ledger", "validation", "redaction"),
    # Services every domain uses, holding no domain rows of their own beyond their log.
    _layer("shared", "audit", "notify", "assignments", "evaluation", "privacy", "serving"),
    _layer("accounts", "accounts"),
    # The invitation: candidate, link, promised terms (as columns), decisions, anonymous review.
    _layer("invitations", "invitations"),
    # What happens to an invitation over time: its clock, and the one payment it earns.
    _layer("invitation services", "timeboxes", "payments"),
    # Uploads (taking the clock and the payment into account), their stored reports, and the
    # code-similarity index over them.
    _layer("submissions", "submissions", "reports", "integrity"),
    # Human review of a graded submission: seats, blind scorecards, reconciliation, decisions
    # resting on them, agreement figures.
    _layer("human review", "review"),
    # Grading a queued submission, in this process or on remote workers.
    _layer("grading", "grading", "jobs", "worker"),
    # Reading across domains (what reviewers see, process speed) and the periodic sweep.
    _layer("read models and periodic work", "process_speed", "reviewing", "sweep"),
    # The hiring team's other systems and the candidate's side after a decision: ATS adapters,
    # candidate feedback and the survey.
    _layer("hiring-team integrations", "ats", "feedback"),
    # Export, erasure and the retention sweep: they reach every domain's candidate data.
    _layer("retention", "retention"),
    # Entry points: they may import anything.
    _layer("entry points", "demo", "calibration", "cli", "migrations"),
]

ALLOWED = {
    ("harness.cli.serve_cmd", "api.app"): (
        "`harness serve` is the composition root that builds the web app; nothing in api "
        "imports harness.cli, so the edge closes no cycle"
    ),
}

RULES = Rules(layers=LAYERS, allowed=ALLOWED)


@pytest.fixture(scope="module")
def edges() -> list[Edge]:
    return scan(REPO, PACKAGES)


def test_the_import_graph_keeps_its_rules(edges: list[Edge]) -> None:
    violations = check(edges, RULES)
    assert not violations, "\n".join(str(v) for v in violations)


def test_the_scan_sees_lazy_and_type_checking_imports(edges: list[Edge]) -> None:
    """Near-miss guard for the scanner itself: the serve command's import sits inside a
    function; if the scan missed it, the allow-list entry above would be dead."""
    assert any(e.importer == "harness.cli.serve_cmd" and e.imported == "api.app" for e in edges)


def test_every_layered_package_exists(edges: list[Edge]) -> None:
    """A layer naming a package that is gone is a stale rule."""
    present = {unit_of(m) for e in edges for m in (e.importer, e.imported)}
    missing = sorted(u for _, units in LAYERS for u in units if u not in present)
    assert not missing, f"LAYERS names packages that do not exist: {missing}"


def test_allowed_edges_are_still_there(edges: list[Edge]) -> None:
    """An allow-list entry whose import is gone must be removed, not left to excuse another."""
    seen = {(e.importer, e.imported) for e in edges}
    stale = sorted(k for k in ALLOWED if k not in seen)
    assert not stale, f"allow-list entries with no such import: {stale}"


# --- The checker on tiny synthetic trees: it must fail where it should, and only there. ---


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for rel in list(files):
        parent = (root / rel).parent
        while parent != root:
            (parent / "__init__.py").touch()
            parent = parent.parent
    return root


TWO_LAYERS = Rules(
    layers=[
        ("low", frozenset({"harness.low"})),
        ("high", frozenset({"harness.high"})),
    ]
)


def test_a_cycle_through_a_lazy_import_fails_naming_module_and_line(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "harness/low/a.py": "from harness.high import b\n",
            "harness/high/b.py": "def f():\n    from harness.low.a import x\n    return x\n",
        },
    )
    violations = check(scan(root, ["harness"]), TWO_LAYERS)
    cycles = [v for v in violations if v.rule == "cycle"]
    assert len(cycles) == 1
    assert "harness/high/b.py:2 imports harness.low.a" in cycles[0].message
    assert "harness/low/a.py:1 imports harness.high.b" in cycles[0].message


def test_a_type_checking_import_counts(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "harness/low/a.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from harness.high.b import B\n"
            ),
            "harness/high/b.py": "class B: ...\n",
        },
    )
    violations = check(scan(root, ["harness"]), TWO_LAYERS)
    assert [v.rule for v in violations] == ["layer"]
    assert "harness/low/a.py:3" in violations[0].message
    assert "harness.low (layer 0 'low') may not import harness.high" in violations[0].message


def test_a_relative_import_is_resolved(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "harness/low/a.py": "from ..high import b\n",
            "harness/high/b.py": "",
        },
    )
    violations = check(scan(root, ["harness"]), TWO_LAYERS)
    assert [v.rule for v in violations] == ["layer"]


def test_a_downward_import_passes(tmp_path: Path) -> None:
    """Near miss: the higher layer importing the lower one, lazily or not, is fine."""
    root = _tree(
        tmp_path,
        {
            "harness/low/a.py": "X = 1\n",
            "harness/high/b.py": "from harness.low.a import X\ndef f():\n    import harness.low\n",
        },
    )
    assert check(scan(root, ["harness"]), TWO_LAYERS) == []


def test_a_package_in_no_layer_fails(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"harness/low/a.py": "", "harness/new/c.py": "import harness.low.a\n"})
    violations = check(scan(root, ["harness"]), TWO_LAYERS)
    assert [v.rule for v in violations] == ["unlayered"]
    assert "harness.new is in no layer" in violations[0].message


def test_top_level_rules(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "sandbox/run.py": "import graders.types\n",
            "graders/g.py": "from harness.low import a\n",
            "graders/types.py": "",
            "graders/registry.py": "",
            "harness/low/a.py": "def f():\n    from api.app import create_app\n",
            "api/app.py": "from graders.registry import x\nfrom graders.types import y\n",
        },
    )
    rules = Rules(layers=[("low", frozenset({"harness.low"}))])
    by_rule = {v.rule: v.message for v in check(scan(root, PACKAGES), rules)}
    # Four top-level packages each importing another one they must not always close a loop.
    assert set(by_rule) == {"cycle", "sandbox", "graders", "harness->api", "api->internals"}
    assert by_rule["harness->api"].startswith("harness/low/a.py:2: harness.low.a imports api.app")
    assert "graders.registry" in by_rule["api->internals"]
    # The result types api may import are not reported.
    assert "graders.types" not in by_rule["api->internals"].split(";")[0]


def test_an_allowed_edge_is_exempt_from_top_level_rules_only(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "harness/cli/serve.py": "from api.app import make\n",
            "api/app.py": "import harness.cli.serve\n",
        },
    )
    rules = Rules(
        layers=[("top", frozenset({"harness.cli"}))],
        allowed={("harness.cli.serve", "api.app"): "composition root"},
    )
    violations = check(scan(root, PACKAGES), rules)
    # The harness->api rule is waived, but the cycle it closes is still reported.
    assert [v.rule for v in violations] == ["cycle"]


def test_a_router_importing_another_router_fails(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "api/routers/pages.py": "from api.routers.json_api import helper\n",
            "api/routers/json_api.py": "from api.deps import Session\n",
            "api/deps.py": "Session = object\n",
        },
    )
    violations = check(scan(root, ["api"]), Rules(layers=[]))
    assert [v.rule for v in violations] == ["router->router"]
    assert violations[0].message.startswith("api/routers/pages.py:1: api.routers.pages imports")
