"""The writeup grader reports AI disclosure against the assignment's policy, without points."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.types import AssignmentView, GradingContext
from graders.writeup import WriteupGrader
from graders.writeup.disclosure import DisclosureKind, find_disclosure

BASE = """# Approach
TF-IDF on subject and body with a logistic regression; class weights for the rare queues.

## Evaluation
Stratified 5-fold cross-validation on the training data: macro-F1 0.86.

## Trade-offs
No metadata features.

## Next steps
Character n-grams.
"""


@pytest.mark.parametrize(("text", "kind"), [
    ("## Use of AI\nI used ChatGPT to draft the argument parsing and two tests.\n", DisclosureKind.used),
    ("## AI disclosure\n\nNo AI assistants were used.\n", DisclosureKind.not_used),
    ("I used GitHub Copilot for boilerplate while writing the CLI.", DisclosureKind.used),
    ("The tests were drafted with the help of Claude and reviewed by me.", DisclosureKind.used),
    ("I did not use any AI tools.", DisclosureKind.not_used),
    ("AI assistance\n-------------\nCopilot was on in my editor.\n", DisclosureKind.used),
])
def test_disclosures_are_found(text: str, kind: DisclosureKind) -> None:
    found = find_disclosure([("README.md", BASE + "\n" + text, True)])
    assert found is not None and found.kind is kind and found.line is not None


@pytest.mark.parametrize("text", [
    "With more time I would use an LLM to label more tickets.",
    "Our queue model is like an AI for tickets; we used stratified splits.",
    "A fine-tuned language model such as BERT could improve recall.",
    "",
])
def test_plans_and_other_uses_of_the_word_are_not_disclosures(text: str) -> None:
    assert find_disclosure([("README.md", BASE + "\n" + text, True)]) is None


def _grade(tmp_path: Path, policy: str | None, extra: str) -> dict[str, object]:
    (tmp_path / "README.md").write_text(BASE + "\n" + extra)
    view = AssignmentView(name="support-tickets", title="Tickets", labels=["billing", "refund"],
                          ai_policy=policy)
    result = WriteupGrader().grade(GradingContext(workspace=tmp_path, assignment=view))
    return {"rules": {f.rule for f in result.findings}, "score": result.score,
            "metric": result.metrics["ai_disclosure"], "points": [f.points for f in result.findings
                                                                  if f.rule.startswith("writeup:ai")]}


def test_a_missing_disclosure_is_reported_when_required_and_costs_nothing(tmp_path: Path) -> None:
    required = _grade(tmp_path, "allowed_with_disclosure", "")
    assert "writeup:ai-disclosure-missing" in required["rules"] and required["metric"] == "none"
    assert required["points"] == [None]
    allowed = _grade(tmp_path, "allowed", "")
    assert not {r for r in allowed["rules"] if str(r).startswith("writeup:ai")}  # type: ignore[attr-defined]
    assert allowed["score"] == required["score"]
    disclosed = _grade(tmp_path, "allowed_with_disclosure", "## Use of AI\nNone.\nI did not use AI tools.\n")
    assert "writeup:ai-disclosure" in disclosed["rules"] and disclosed["metric"] == "not_used"


def test_use_under_a_forbidding_policy_is_reported(tmp_path: Path) -> None:
    used = _grade(tmp_path, "forbidden", "I used ChatGPT to write the tests.")
    assert "writeup:ai-use-forbidden" in used["rules"] and used["metric"] == "used"
    not_used = _grade(tmp_path, "forbidden", "I did not use any AI tools.")
    assert "writeup:ai-use-forbidden" not in not_used["rules"]
    unknown = _grade(tmp_path, None, "")
    assert not {r for r in unknown["rules"] if str(r).startswith("writeup:ai")}  # type: ignore[attr-defined]


def test_a_missing_writeup_says_the_disclosure_is_missing_too(tmp_path: Path) -> None:
    view = AssignmentView(name="t", title="T", labels=["a", "b"], ai_policy="allowed_with_disclosure")
    result = WriteupGrader().grade(GradingContext(workspace=tmp_path, assignment=view))
    assert {"writeup:missing", "writeup:ai-disclosure-missing"} <= {f.rule for f in result.findings}
