"""Sections matched on meaning (a heading's words and the text under it), and the evaluation
method a writeup describes."""

from __future__ import annotations

import pytest

from graders.writeup.method import evaluation_method
from graders.writeup.sections import (
    Block,
    SectionMatch,
    classify_heading,
    extract_headings,
    match_section,
    split_blocks,
)


def block(heading: str, body: str = "") -> Block:
    return Block(heading, 1, body)


@pytest.mark.parametrize(
    ("section", "heading"),
    [
        ("approach", "Methodology"),
        ("approach", "How it works"),
        ("approach", "Model and pipeline"),
        ("evaluation", "Results"),
        ("evaluation", "Results & error analysis"),
        ("evaluation", "Performance on validation data"),
        ("evaluation", "Evaluation and results"),
        ("trade-offs", "Limitations and caveats"),
        ("trade-offs", "Design decisions"),
        ("trade-offs", "Tradeoffs"),
        ("next steps", "Future work"),
        ("next steps", "What I would do with more time"),
        ("next steps", "Improvements"),
        ("data quality", "Data-quality checks"),
        ("Evaluation and results", "Results"),
    ],
)
def test_section_headings_match_on_their_words(section: str, heading: str) -> None:
    assert match_section(section, [block(heading)], "").match is SectionMatch.heading


def test_unrelated_headings_do_not_count() -> None:
    coverage = match_section(
        "next steps", [block("Installation"), block("Usage")], "pip install it"
    )
    assert coverage.match is SectionMatch.missing
    passing = match_section("trade-offs", [block("Notes")], "The main trade-off was speed.")
    assert passing.match is SectionMatch.body


def test_a_testing_heading_is_not_the_approach() -> None:
    # Issue 9: "pipeline" in this heading made it the Approach section.
    testing = block(
        "Testing a machine learning pipeline",
        "Every step is covered by pytest: the loader, the cleaning function, and an assert that "
        "the fitted pipeline predicts a known label.",
    )
    assert classify_heading(testing) == ["testing"]
    assert match_section("approach", [testing], "").match is not SectionMatch.heading


def test_a_pipeline_heading_about_the_model_is_the_approach() -> None:
    pipeline = block(
        "Pipeline",
        "Subject and body are cleaned, vectorised with TF-IDF (word bigrams) and classified "
        "with a logistic regression.",
    )
    assert classify_heading(pipeline) == ["approach"]
    assert match_section("approach", [pipeline], "").match is SectionMatch.heading


def test_a_vague_heading_counts_only_when_its_text_describes_the_section() -> None:
    about_model = block(
        "Overview", "A TF-IDF vectorizer with a linear SVM classifier and balanced class weights."
    )
    about_company = block("Overview", "Tillpoint receives thousands of tickets a month.")
    assert match_section("approach", [about_model], "").match is SectionMatch.heading
    assert match_section("approach", [about_company], "").match is SectionMatch.missing


def test_one_heading_can_cover_two_sections() -> None:
    both = block("Model and results", "Logistic regression; 5-fold CV accuracy 0.88.")
    assert classify_heading(both) == ["approach", "evaluation"]


@pytest.mark.parametrize(
    ("heading", "topic"),
    [
        ("Data", "data"),
        ("Installation", "usage"),
        ("How to run", "usage"),
        ("Project structure", "structure"),
        ("Running the tests", "testing"),
        ("License", "meta"),
    ],
)
def test_readme_headings_besides_the_sections_are_recognised(heading: str, topic: str) -> None:
    assert classify_heading(block(heading)) == [topic]


def test_blocks_hold_the_text_under_each_heading() -> None:
    text = "# Title\nintro\n\n## Approach\nTF-IDF.\n\nSetext\n------\nunder it\n"
    blocks = split_blocks(text, "README.md")
    assert [(b.heading, b.line, b.body.strip()) for b in blocks] == [
        ("Title", 1, "intro"),
        ("Approach", 4, "TF-IDF."),
        ("Setext", 7, "under it"),
    ]
    assert {b.doc for b in blocks} == {"README.md"}


def test_headings_in_every_common_style() -> None:
    text = (
        "# Title\n\nSetext\n======\n\nReST sub\n--------\n\n**Bold heading**\n\nLabel line:\n\n"
        "```\n# not a heading inside code\n```\n- list item\n---\n"
    )
    assert [h for _, h in extract_headings(text)] == [
        "Title",
        "Setext",
        "ReST sub",
        "Bold heading",
        "Label line",
    ]


def test_a_line_before_a_code_fence_is_not_a_setext_heading() -> None:
    assert extract_headings("Then run it\n```\npython train.py\n```\n") == []


# --- evaluation method ---------------------------------------------------------------------------


def test_every_element_of_an_evaluation_method_is_found() -> None:
    method = evaluation_method(
        [
            "## Evaluation\n\nI used 5-fold stratified cross-validation and compared the model "
            "with a majority-class baseline (0.31 accuracy). The confusion matrix shows that most "
            "mistakes are how-to questions read as feature requests."
        ]
    )
    assert set(method.found) == {
        "cross_validation",
        "stratified",
        "baseline",
        "per_class",
        "error_analysis",
    }
    assert method.points == 15


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("I held out 20% of the tickets as a test set.", "holdout"),
        ("I held out a stratified sample of 1,000 tickets.", "holdout"),
        ("I set aside 10% for validation.", "holdout"),
        ("Scores on the hold-out set are below.", "holdout"),
        ("An 80/20 train/test split, stratified by queue.", "holdout"),
        ("I used train_test_split with a fixed seed.", "holdout"),
        ("Scores are averaged over 5 folds.", "cross_validation"),
        ("Per-class F1 is lowest for refunds.", "per_class"),
        ("The weakest queues are feature requests and how-to questions.", "per_class"),
        ("It beats the dummy classifier by 50 points.", "baseline"),
        ("I read 50 misclassified tickets.", "error_analysis"),
    ],
)
def test_method_elements_in_real_phrasings(text: str, key: str) -> None:
    assert key in evaluation_method([text]).found


@pytest.mark.parametrize(
    "text",
    [
        # plans and things not done are not a method
        "With more time I would use 5-fold cross-validation and look at a confusion matrix.",
        "I did not stratify the split.",
        "## Next steps\n\nRun stratified cross-validation and an error analysis.",
        # a baseline that is not compared with anything
        "A linear model is a strong baseline for short texts like these.",
        # a title, not a description
        "# Majority-class baseline\n\nRun python main.py.",
        # the word test in another sense
        "The tests run with pytest; the code was tested by hand.",
        # the harness's held-out set is not the candidate's method
        "Its held-out scores are measured by the harness.",
        "No separate validation: the numbers come from the grader.",
    ],
)
def test_near_misses_describe_no_method(text: str) -> None:
    assert evaluation_method([text]).found == {}


def test_per_class_figures_count_as_per_class_analysis() -> None:
    assert "per_class" in evaluation_method(["| queue | F1 |"], per_class_claims=True).found


def test_a_data_split_heading_is_about_evaluation() -> None:
    split = block("Data split", "Training set 80%, test set 20%, stratified by queue.")
    assert classify_heading(split) == ["evaluation"]
    assert classify_heading(block("Data", "6,400 rows, eight imbalanced classes.")) == ["data"]


def test_a_pipe_table_header_over_dashes_is_not_a_heading() -> None:
    text = "    Model | Accuracy |\n    -------------------\n    SVM | 0.66 |\n"
    assert extract_headings(text) == []
