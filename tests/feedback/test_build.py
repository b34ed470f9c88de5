"""Feedback from a report, as a pure function: every rule the graders emit has a sentence for
candidates (or is about the harness itself), unknown rules are counted and never quoted, and the
bands and credits sit where they should."""

from __future__ import annotations

import re
from pathlib import Path

from graders.methodology.flow import Rule
from graders.types import Finding, ScoreComponent, Severity
from harness.feedback.build import build_feedback
from harness.feedback.catalog import about_the_harness, improve_text
from tests.db.factories import make_report

GRADERS = Path(__file__).resolve().parents[2] / "graders"


def _rules_in_graders() -> set[str]:
    found = set()
    for path in GRADERS.rglob("*.py"):
        found |= set(re.findall(r'rule="([a-z_]+:[a-z0-9_-]+)"', path.read_text()))
    found |= {f"methodology:{r.value}" for r in Rule}
    found |= {f"accuracy:{stage}-{verdict}" for stage in ("train", "predict", "notebook")
              for verdict in ("failed", "timed-out", "out-of-memory")}
    return found


def test_every_grader_rule_has_a_sentence_or_is_about_the_harness() -> None:
    rules = _rules_in_graders()
    assert len(rules) > 50
    missing = sorted(r for r in rules if improve_text(r) is None and not about_the_harness(r))
    assert missing == []


def _feedback(**grader_changes: object):  # type: ignore[no-untyped-def]
    report = make_report(score=60.0)
    for name, change in grader_changes.items():
        grader = report.grader(name)
        assert grader is not None
        for key, value in change.items():  # type: ignore[attr-defined]
            setattr(grader, key, value)
    return build_feedback(report, title="t", show_scores=False, comments=[], heldout_ids=frozenset())


def test_an_unknown_rule_is_counted_not_quoted() -> None:
    secret = "a message written for reviewers, quoting 0.8123 on held-out tickets"
    f = _feedback(tests={"findings": [Finding(rule="tests:brand-new-rule", message=secret,
                                              severity=Severity.warning)]})
    assert f.others == {"Tests": 1}
    assert secret not in repr(f)
    info = _feedback(tests={"findings": [Finding(rule="tests:brand-new-rule", message=secret,
                                                 severity=Severity.info)]})
    assert info.others == {}  # an info-level note is not worth a line


def test_strength_at_75_and_credited_practices() -> None:
    strong = _feedback(tests={"score": 75.0})
    assert any(p.area == "Tests" for p in strong.went_well)
    near = _feedback(tests={"score": 74.9})
    assert not any(p.area == "Tests" for p in near.went_well)
    assert [a.band for a in near.areas if a.name == "Tests"] == ["solid"]
    practice = ScoreComponent(criterion="CV", points=15, max_points=15,
                              basis="methodology:practice:cross_validation")
    unearned = ScoreComponent(criterion="weights", points=0, max_points=10,
                              basis="methodology:practice:class_weighting")
    report = make_report(score=60.0)
    from graders.types import GraderResult, GraderStatus

    report.graders.append(GraderResult(name="methodology", version="1", status=GraderStatus.ok,
                                       score=40.0, breakdown=[practice, unearned]))
    f = build_feedback(report, title="t", show_scores=True, comments=[], heldout_ids=frozenset())
    texts = [p.text for p in f.went_well if p.area == "Methodology"]
    assert texts == ["You used cross-validation rather than a single train/validation split."]
    assert [a.score for a in f.areas if a.name == "Methodology"] == [40.0]


def test_a_measured_server_is_an_area_and_a_server_left_out_is_not() -> None:
    from graders.types import GraderResult, GraderStatus

    served = make_report(score=60.0, serving=True)
    serving = served.grader("serving")
    assert serving is not None
    serving.findings = [Finding(rule="serving:bad-request:malformed_json", severity=Severity.warning,
                                message="answered 500 to 'malformed_json'")]
    f = build_feedback(served, title="t", show_scores=True, comments=[], heldout_ids=frozenset())
    assert [a.score for a in f.areas if a.name == "Model server"] == [serving.score]
    texts = [p.text for p in f.to_improve if p.area == "Model server"]
    assert texts == [improve_text("serving:bad-request:")] and "500" not in repr(f)
    # near miss: no [serve] where a server is optional; the grader is skipped, not a zero area
    plain = make_report(score=60.0)
    plain.graders.append(GraderResult(name="serving", version="1", status=GraderStatus.skipped,
                                      summary="Not applicable: no [serve] in submission.toml."))
    g = build_feedback(plain, title="t", show_scores=True, comments=[], heldout_ids=frozenset())
    assert "Model server" not in [a.name for a in g.areas] and "Model server" not in g.others


def test_policy_rules_stay_with_reviewers_but_a_missing_disclosure_is_explained() -> None:
    assert improve_text("writeup:ai-use-forbidden") is None
    assert improve_text("writeup:ai-disclosure") is None
    missing = improve_text("writeup:ai-disclosure-missing")
    assert missing is not None and "AI" in missing
    assert improve_text("tests:mutant-survived") is not None
    assert about_the_harness("tests:mutation-partial")
    assert about_the_harness("notebooks:run-failed")
