"""Metric claims in a writeup: extraction by metric name, and the comparison with the matching
held-out measurement (or none: unverified)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.types import GraderResult, PredictionScores, Severity
from graders.writeup import ClaimVerdict, WriteupGrader, check_claim, extract_claims
from graders.writeup.claims import Claim, ClaimContext
from tests.graders.conftest import LABELS, make_context, make_scores

# About 0.88 accuracy, 0.865 macro-F1, bootstrap intervals of about +-0.016.
MEASURED = make_scores(0.88, 0.865, half_width=0.016)
assert MEASURED.heldout is not None
HELDOUT = MEASURED.heldout


def grade(workspace: Path, scores: PredictionScores | None = MEASURED) -> GraderResult:
    return WriteupGrader().grade(make_context(workspace, scores=scores))


def rules(result: GraderResult) -> set[str]:
    return {f.rule for f in result.findings}


def claims_of(text: str) -> list[tuple[str, float, ClaimContext]]:
    return [
        (c.metric, c.value, c.context) for c in extract_claims(text, "README.md", labels=LABELS)
    ]


@pytest.mark.parametrize(
    ("text", "metric", "value", "context"),
    [
        (
            "The model reaches an accuracy of 0.91 on held-out data.",
            "accuracy",
            0.91,
            ClaimContext.test,
        ),
        ("We get an F1 of 88% overall.", "f1", 0.88, ClaimContext.test),
        ("macro-F1: 0.87", "macro_f1", 0.87, ClaimContext.test),
        ("| accuracy | 0.91 |", "accuracy", 0.91, ClaimContext.test),
        ("It scores 91.5% accuracy.", "accuracy", 0.915, ClaimContext.test),
        ("Macro averaged F1 score = .84", "macro_f1", 0.84, ClaimContext.test),
        ("Weighted F1 is 0.9", "weighted_f1", 0.9, ClaimContext.test),
        ("micro-F1 = 0.9", "accuracy", 0.9, ClaimContext.test),
        ("F1 (macro) 0.83", "macro_f1", 0.83, ClaimContext.test),
        ("5-fold cross-validation accuracy: 0.89", "accuracy", 0.89, ClaimContext.cv),
        ("Training accuracy was 0.99.", "accuracy", 0.99, ClaimContext.train),
        ("The baseline (0.80 accuracy) is behind.", "accuracy", 0.80, ClaimContext.baseline),
        ("We hope to reach 95% accuracy.", "accuracy", 0.95, ClaimContext.target),
        ("The one-vs-rest ROC AUC ≈ 0.99.", "auc", 0.99, ClaimContext.test),
        ("AUC of 0.97 on the test set", "auc", 0.97, ClaimContext.test),
        ("Log loss is 0.41.", "log_loss", 0.41, ClaimContext.test),
        ("Balanced accuracy 0.86.", "balanced_accuracy", 0.86, ClaimContext.test),
        ("Top-3 accuracy reaches 0.98.", "top_k_accuracy", 0.98, ClaimContext.test),
        ("Cohen's kappa is 0.84.", "kappa", 0.84, ClaimContext.test),
        ("Precision: 0.9", "precision", 0.9, ClaimContext.test),
        ("Recall is 85%.", "recall", 0.85, ClaimContext.test),
    ],
)
def test_metrics_are_parsed_by_name(
    text: str, metric: str, value: float, context: ClaimContext
) -> None:
    assert claims_of(text) == [(metric, pytest.approx(value), context)]


def test_accuracy_next_to_auc_keeps_its_own_value() -> None:
    # Issue 9: "AUC ≈ 0.99" was read as an accuracy claim because AUC was not a metric name.
    assert claims_of("Accuracy is 0.86 and the one-vs-rest ROC AUC ≈ 0.99, log loss 0.41.") == [
        ("accuracy", 0.86, ClaimContext.test),
        ("auc", 0.99, ClaimContext.test),
        ("log_loss", 0.41, ClaimContext.test),
    ]


def test_a_list_of_metrics_shares_one_value() -> None:
    claims = claims_of("Accuracy, Precision, Recall and F1 all sit at about 0.88.")
    assert claims == [
        ("accuracy", 0.88, ClaimContext.test),
        ("precision", 0.88, ClaimContext.test),
        ("recall", 0.88, ClaimContext.test),
        ("f1", 0.88, ClaimContext.test),
    ]
    assert claims_of("Accuracy/macro-F1 are both around 0.87.") == [
        ("accuracy", 0.87, ClaimContext.test),
        ("macro_f1", 0.87, ClaimContext.test),
    ]


def test_a_list_followed_by_as_many_values_pairs_them_in_order() -> None:
    assert claims_of("Accuracy and macro-F1 are 0.88 and 0.86 respectively.") == [
        ("accuracy", 0.88, ClaimContext.test),
        ("macro_f1", 0.86, ClaimContext.test),
    ]


def test_metrics_each_with_its_own_value_are_not_a_list() -> None:
    assert claims_of("Accuracy 0.88, macro-F1 0.86 and weighted F1 0.87.") == [
        ("accuracy", 0.88, ClaimContext.test),
        ("macro_f1", 0.86, ClaimContext.test),
        ("weighted_f1", 0.87, ClaimContext.test),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Accuracy improved by 5% over the baseline.",
        "The macro-F1 is 0.85 ± 0.01.",
        "Training took 0.5 seconds per accuracy evaluation.",
        "We use scikit-learn 1.5 for accuracy computations.",
        "Balanced accuracy 0.99.",
    ],
)
def test_non_claims_are_not_extracted_as_inflatable_numbers(text: str) -> None:
    claims = extract_claims(text, "README.md")
    assert all(c.value < 0.9 or c.metric == "balanced_accuracy" for c in claims)


@pytest.mark.parametrize(
    ("text", "contexts"),
    [
        # cross-validation named once for the whole sentence, "training data" is what CV ran on
        (
            "5-fold cross-validation on the training data: accuracy 0.88, macro-F1 0.86.",
            [ClaimContext.cv, ClaimContext.cv],
        ),
        (
            "The cross-validated accuracy is 0.88 and the macro-F1 is 0.86.",
            [ClaimContext.cv, ClaimContext.cv],
        ),
        # a hold-out carved from the training data is a test figure for the candidate
        ("On 20% of the training data held back, accuracy is 0.85.", [ClaimContext.test]),
        # the baseline marker belongs to the value next to it, not to the model's figure
        (
            "Macro-F1 is 0.88 against 0.80 for the baseline.",
            [ClaimContext.test, ClaimContext.baseline],
        ),
        (
            "Training accuracy 0.99, test accuracy 0.88.",
            [ClaimContext.train, ClaimContext.test],
        ),
        # a value the model is compared against, named as a baseline further on
        (
            "5-fold CV: macro-F1 0.86, against 0.80 macro-F1 for a TF-IDF + LR baseline.",
            [ClaimContext.cv, ClaimContext.baseline],
        ),
        # a training score stays one even after a cross-validation marker
        (
            "With 5-fold CV the training accuracy is 0.99.",
            [ClaimContext.train],
        ),
    ],
)
def test_each_value_gets_the_context_nearest_to_it(text: str, contexts: list[ClaimContext]) -> None:
    assert [c for _, _, c in claims_of(text)] == contexts


def test_a_metric_table_with_a_cv_column_and_a_baseline_row() -> None:
    table = (
        "| model | accuracy | macro-F1 |\n|---|---|---|\n| baseline | 0.80 | 0.75 |\n"
        "| tfidf + LR (5-fold CV) | 0.88 | 0.86 |\n| final, test set | 91.2% | 0.89 |\n"
    )
    claims = [(c.metric, c.value, c.context, c.line) for c in extract_claims(table, "README.md")]
    assert ("accuracy", 0.8, ClaimContext.baseline, 3) in claims
    assert ("macro_f1", 0.86, ClaimContext.cv, 4) in claims
    assert ("accuracy", pytest.approx(0.912), ClaimContext.test, 5) in claims


def test_a_markdown_table_of_classes_gives_per_class_claims() -> None:
    table = (
        "| queue | precision | recall | F1 |\n|---|---|---|---|\n"
        "| Bug report | 0.91 | 0.90 | 0.90 |\n| Security & privacy | 0.80 | 0.70 | 0.75 |\n"
        "| macro avg | 0.86 | 0.85 | 0.85 |\n| comp.graphics | 0.7 | 0.7 | 0.7 |\n"
    )
    claims = {(c.metric, c.label, c.value) for c in extract_claims(table, "R.md", labels=LABELS)}
    assert ("f1", "bug_report", 0.9) in claims
    assert ("recall", "security_privacy", 0.7) in claims
    assert ("macro_f1", None, 0.85) in claims
    assert ("precision", None, 0.86) in claims  # an averaged precision: overall, unverified
    # a row for a class this task does not have is a per-class claim that cannot be checked
    assert ("f1", "comp.graphics", 0.7) in claims


REPORT = """The classification report on the validation split:

```
                  precision    recall  f1-score   support

  account_access       0.88      0.90      0.89       150
security_privacy       0.75      0.70      0.72        40
        sci.space      0.90      0.90      0.90        60

        accuracy                           0.87      1120
       macro avg       0.86      0.85      0.85      1120
    weighted avg       0.87      0.87      0.87      1120
```
"""


def test_a_pasted_classification_report_is_read_row_by_row() -> None:
    claims = extract_claims(REPORT, "README.md", labels=LABELS)
    got = {(c.metric, c.label, c.value, c.known_label) for c in claims}
    assert ("f1", "account_access", 0.89, True) in got
    assert ("recall", "security_privacy", 0.7, True) in got
    assert ("f1", "sci.space", 0.9, False) in got
    assert ("accuracy", None, 0.87, True) in got
    assert ("macro_f1", None, 0.85, True) in got
    assert ("weighted_f1", None, 0.87, True) in got
    assert {c.context for c in claims} == {ClaimContext.cv}
    # the rows are read once, as a report, not again as sentences
    assert len(claims) == 3 * 3 + 1 + 3 + 3
    assert next(c for c in claims if c.metric == "accuracy").line == 10


def test_a_per_class_figure_in_a_sentence_names_its_label() -> None:
    [claim] = extract_claims(
        "The weakest queue is security_privacy, with an F1 of 0.71.", "R.md", labels=LABELS
    )
    assert (claim.metric, claim.label, claim.value) == ("f1", "security_privacy", 0.71)
    # a qualified average next to a label is still an overall figure
    [overall] = extract_claims(
        "Across billing and refund tickets the macro-F1 is 0.86.", "R.md", labels=LABELS
    )
    assert (overall.metric, overall.label) == ("macro_f1", None)


def _claim(
    metric: str, value: float, context: ClaimContext = ClaimContext.test, label: str | None = None
) -> Claim:
    return Claim(metric, value, "", context, "README.md", 1, label)


@pytest.mark.parametrize(
    ("metric", "value", "verdict"),
    [
        ("accuracy", 0.89, ClaimVerdict.agrees),
        ("accuracy", 0.92, ClaimVerdict.inflated),  # interval high 0.896, + 0.02
        ("macro_f1", 0.90, ClaimVerdict.agrees),  # high 0.881 + 0.02 = 0.901
        ("macro_f1", 0.91, ClaimVerdict.inflated),
        ("weighted_f1", 0.89, ClaimVerdict.agrees),  # 0.8725 + 0.016 + 0.02
        ("weighted_f1", 0.92, ClaimVerdict.inflated),
        ("precision", 0.99, ClaimVerdict.unverified),
        ("recall", 0.50, ClaimVerdict.unverified),
        ("auc", 0.99, ClaimVerdict.unverified),
        ("log_loss", 0.3, ClaimVerdict.unverified),
        ("balanced_accuracy", 0.99, ClaimVerdict.unverified),
    ],
)
def test_each_claim_is_compared_with_the_matching_measurement(
    metric: str, value: float, verdict: ClaimVerdict
) -> None:
    assert check_claim(_claim(metric, value), HELDOUT).verdict is verdict


def test_a_weighted_f1_claim_is_compared_with_weighted_f1_not_macro() -> None:
    scores = make_scores(0.88, 0.80, half_width=0.016, weighted_f1=0.87)
    assert scores.heldout is not None
    check = check_claim(_claim("weighted_f1", 0.88), scores.heldout)
    assert check.verdict is ClaimVerdict.agrees and check.measured == 0.87
    assert check_claim(_claim("macro_f1", 0.88), scores.heldout).verdict is ClaimVerdict.inflated


def test_an_unqualified_f1_between_the_two_readings_is_unverified() -> None:
    # macro-F1 0.80 (high 0.816), weighted-F1 0.87: 0.84 fits weighted only, 0.95 neither, 0.81 both
    scores = make_scores(0.88, 0.80, half_width=0.016, weighted_f1=0.87)
    assert scores.heldout is not None
    ambiguous = check_claim(_claim("f1", 0.84), scores.heldout)
    assert ambiguous.verdict is ClaimVerdict.unverified
    assert "does not say which average" in ambiguous.reason
    assert check_claim(_claim("f1", 0.95), scores.heldout).verdict is ClaimVerdict.inflated
    assert check_claim(_claim("f1", 0.81), scores.heldout).verdict is ClaimVerdict.agrees


def test_per_class_claims_use_the_class_figure_and_its_support() -> None:
    # make_scores: every class measured at 0.80 on 100 tickets -> half-width 1.96*0.04 = 0.078
    near = check_claim(_claim("f1", 0.89, label="billing"), HELDOUT)
    assert near.verdict is ClaimVerdict.agrees and near.high == pytest.approx(0.8784)
    assert (
        check_claim(_claim("f1", 0.92, label="billing"), HELDOUT).verdict is ClaimVerdict.inflated
    )
    assert (
        check_claim(_claim("recall", 0.95, label="refund"), HELDOUT).verdict
        is ClaimVerdict.inflated
    )
    unknown = Claim("f1", 0.99, "", ClaimContext.test, "R.md", 1, "sci.space", False)
    assert check_claim(unknown, HELDOUT).verdict is ClaimVerdict.unverified


def test_baseline_training_and_target_figures_are_not_checked() -> None:
    for context in (ClaimContext.baseline, ClaimContext.train, ClaimContext.target):
        assert (
            check_claim(_claim("accuracy", 0.99, context), HELDOUT).verdict
            is ClaimVerdict.not_checked
        )


def test_cv_claims_get_a_wider_margin_than_test_claims(tmp_path: Path) -> None:
    # measured 0.88, interval high 0.896: 0.93 is 0.034 above it
    (tmp_path / "README.md").write_text("# Results\n\nCross-validated accuracy 0.93.\n")
    assert "writeup:inflated-claim" not in rules(grade(tmp_path))
    (tmp_path / "README.md").write_text("# Results\n\nAccuracy on the test set is 0.93.\n")
    assert "writeup:inflated-claim" in rules(grade(tmp_path))
    # beyond the wider margin a validation figure is as untrustworthy as a test one
    (tmp_path / "README.md").write_text("# Results\n\nCross-validated accuracy 0.97.\n")
    result = grade(tmp_path)
    flagged = [f for f in result.findings if f.rule == "writeup:inflated-claim"]
    assert flagged and flagged[0].severity is Severity.error
    assert "validation score" in flagged[0].message
    assert (result.score or 0) <= 25


def test_training_and_baseline_numbers_are_never_inflated_claims(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Results\n\nTraining accuracy was 0.99. The baseline got 0.99 accuracy in their paper.\n"
    )
    result = grade(tmp_path)
    assert "writeup:inflated-claim" not in rules(result)
    assert result.metrics["claims_found"] == 2
    assert result.metrics["claims_checked"] == 0
    assert "none about the model's own held-out or validation performance" in result.summary


def test_an_unqualified_f1_above_only_one_reading_is_not_flagged(tmp_path: Path) -> None:
    scores = make_scores(0.88, 0.80, half_width=0.016, weighted_f1=0.87)
    (tmp_path / "README.md").write_text("# Results\n\nOur F1 is 0.88.\n")
    result = grade(tmp_path, scores=scores)
    assert "writeup:inflated-claim" not in rules(result)
    assert "writeup:unverified-claims" in rules(result)
    (tmp_path / "README.md").write_text("# Results\n\nOur F1 is 0.95.\n")
    assert "writeup:inflated-claim" in rules(grade(tmp_path, scores=scores))


def test_the_summary_never_says_agree_when_a_claim_is_inflated(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Results\n\nOn the test set accuracy is 0.88 and macro-F1 0.95.\n"
    )
    result = grade(tmp_path)
    assert "1 of 2 checked claims inflated" in result.summary
    assert "agree" not in result.summary
    (tmp_path / "README.md").write_text("# Results\n\nOn the test set accuracy is 0.88.\n")
    assert "1 checked claim agrees with the held-out measurement" in grade(tmp_path).summary


def test_numeric_labels_are_per_class_only_in_table_rows() -> None:
    text = (
        "Accuracy 0.88, then F1 of 0.86.\n\n| class | F1 |\n|---|---|\n| 0 | 0.91 |\n| 1 | 0.80 |\n"
    )
    claims = {(c.metric, c.label, c.value) for c in extract_claims(text, "R.md", labels=["0", "1"])}
    assert claims == {
        ("accuracy", None, 0.88),
        ("f1", None, 0.86),
        ("f1", "0", 0.91),
        ("f1", "1", 0.8),
    }


def test_a_pipe_table_under_a_line_of_dashes_is_read() -> None:
    text = (
        "## Test results\n\n"
        "    Model  | Accuracy | Macro-F1 |\n"
        "    ------------------------------\n"
        "    LinSVC |   0.86   |   0.84   |\n"
    )
    claims = {(c.metric, c.value) for c in extract_claims(text, "R.md", labels=LABELS)}
    assert claims == {("accuracy", 0.86), ("macro_f1", 0.84)}


def test_rows_of_a_class_table_for_classes_this_task_lacks_are_unverified_per_class() -> None:
    table = (
        "| Category | Precision | Recall | F1 |\n|---|---|---|---|\n"
        "| Hardware | 0.84 | 0.82 | 0.83 |\n| weighted avg | 0.85 | 0.85 | 0.85 |\n"
    )
    claims = extract_claims(table, "R.md", labels=LABELS)
    hardware = [c for c in claims if c.label == "Hardware"]
    assert len(hardware) == 3 and not any(c.known_label for c in hardware)
    assert all(check_claim(c, HELDOUT).verdict is ClaimVerdict.unverified for c in hardware)
    assert ("weighted_f1", None) in {(c.metric, c.label) for c in claims}


def test_a_list_of_labels_with_values_after_a_per_class_metric() -> None:
    claims = extract_claims(
        "Per-class F1 over the folds: refund 0.81, billing 0.86, security_privacy 0.74 and "
        "how_to 0.88, all within a point of each other across seeds.",
        "R.md",
        labels=LABELS,
    )
    assert [(c.metric, c.label, c.value) for c in claims] == [
        ("f1", "refund", 0.81),
        ("f1", "billing", 0.86),
        ("f1", "security_privacy", 0.74),
        ("f1", "how_to", 0.88),
    ]
    assert {c.context for c in claims} == {ClaimContext.cv}


def test_a_table_takes_its_context_from_the_line_before_it() -> None:
    text = (
        "Stratified 5-fold cross-validation, mean over folds:\n\n"
        "| model | accuracy |\n|---|---|\n| TF-IDF + LR | 0.88 |\n| majority class | 0.31 |\n"
    )
    claims = {(c.value, c.context) for c in extract_claims(text, "R.md")}
    assert claims == {(0.88, ClaimContext.cv), (0.31, ClaimContext.baseline)}
    plain = "Results:\n\n| model | accuracy |\n|---|---|\n| TF-IDF + LR | 0.88 |\n"
    assert [c.context for c in extract_claims(plain, "R.md")] == [ClaimContext.test]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an interval is not a second claim
        ("Accuracy 0.88 (95% CI 0.86-0.90) on the test set.", [("accuracy", 0.88, "test")]),
        ("Accuracy 0.86 to 0.90 across seeds.", [("accuracy", 0.86, "test")]),
        # a context in brackets right after the value is that value's
        (
            "Accuracy: 0.99 (train) / 0.85 (test)",
            [("accuracy", 0.99, "train"), ("accuracy", 0.85, "test")],
        ),
        ("Macro F1: 0.86 (5-fold CV)", [("macro_f1", 0.86, "cv")]),
        # an average named after an F1 value qualifies it
        (
            "F1-score: 0.86 (macro), 0.88 weighted",
            [("macro_f1", 0.86, "test"), ("weighted_f1", 0.88, "test")],
        ),
        ("- **Test Accuracy**: 84.82%", [("accuracy", 0.8482, "test")]),
    ],
)
def test_real_phrasings_of_results(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert [(m, pytest.approx(v), c.value) for m, v, c in claims_of(text)] == expected


def test_a_per_class_claim_for_a_label_the_held_out_split_lacks_is_unverified() -> None:
    heldout = HELDOUT.model_copy(
        update={"per_class": [c for c in HELDOUT.per_class if c.label != "refund"]}
    )
    check = check_claim(_claim("f1", 0.8, label="refund"), heldout)
    assert check.verdict is ClaimVerdict.unverified
    assert "no per-class figure for 'refund'" in check.reason
