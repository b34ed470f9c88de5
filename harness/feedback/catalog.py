"""What candidates read: feedback written for them, keyed by the graders' rules.

A grader's own messages are written for reviewers and may quote measurements on the held-out
tickets (a prediction file's missing ids, per-queue scores). Candidates never see them: each
finding's *rule* picks a sentence from this catalog instead, and the only detail carried over
is where in their own code it points (file and line). A rule the catalog does not know becomes
a count under its area, never its message.
"""

from __future__ import annotations

__all__ = [
    "AREAS",
    "IMPROVE",
    "PRACTICE_CREDITS",
    "STRENGTHS",
    "about_the_harness",
    "area_of",
    "improve_text",
]

AREAS: dict[str, str] = {
    "accuracy": "Prediction quality",
    "tests": "Tests",
    "quality": "Code quality",
    "writeup": "Writeup",
    "methodology": "Methodology",
    "serving": "Model server",
}
"""The graders whose results become feedback, by the name candidates read (a grader that did not
apply to the submission, such as ``serving`` without a server, is left out)."""

STRENGTHS: dict[str, str] = {
    "accuracy": "Your model did clearly better than the simple baseline we hand out, on tickets "
    "it had never seen.",
    "tests": "Your tests ran, passed and exercised a good share of your code.",
    "quality": "Your code was tidy and well organised: few lint issues, a clear structure, "
    "dependencies declared.",
    "writeup": "Your writeup explained your approach, how you evaluated it and the trade-offs, "
    "with numbers that matched what we measured.",
    "methodology": "Your evaluation was sound: no leakage between training and validation data, "
    "and a final model trained the way you validated it.",
    "serving": "Your model server started quickly, answered with the same labels as your predict "
    "command, and turned bad requests away with clear 4xx answers.",
}
"""Said when an area scored 75 or more."""

PRACTICE_CREDITS: dict[str, str] = {
    "cross_validation": "You used cross-validation rather than a single train/validation split.",
    "class_weighting": "You handled the imbalance between queues (class or sample weights).",
    "stratified": "Your splits kept the queues' proportions (stratified).",
    "time_aware": "Your validation respected time: newer tickets scored by a model of older ones.",
}
"""Good practices the methodology grader credited, by its practice key."""

IMPROVE: dict[str, str] = {
    # Prediction quality
    "accuracy:below-baseline": "Your model scored below the simple baseline we hand out. Start "
    "from the baseline and check each change against a validation split before keeping it.",
    "accuracy:shift-drop": "Your model lost much of its quality on tickets written differently "
    "from the training data. Features that rely less on exact wording tend to hold up better.",
    "accuracy:classes-never-predicted": "Some queues were never predicted at all. Check that no "
    "class is dropped while preparing the data, and that rare queues are not swamped.",
    "accuracy:class-below-baseline": "A few queues did noticeably worse than with the baseline; "
    "per-class scores on your own validation split would show which.",
    "accuracy:invalid-predictions": "Your predictions could not be scored as delivered. The "
    "prediction file needs one row per input ticket, with the id column and a label from the "
    "label set.",
    "accuracy:train-": "The training run did not finish in the sandbox. Run your command from a "
    "clean checkout, within the time and memory limits in the task.",
    "accuracy:predict-": "The prediction run did not finish in the sandbox. Run your command from "
    "a clean checkout, within the time and memory limits in the task.",
    "accuracy:notebook-": "Your notebook did not run from top to bottom in the sandbox. Restart "
    "the kernel and run all cells before sending it.",
    # Tests
    "tests:no-tests": "We found no tests. A few focused tests of your data handling and of the "
    "prediction interface go a long way.",
    "tests:none-collected": "pytest collected no tests from your files; check the file and "
    "function names start with test_.",
    "tests:collection-error": "Some of your test files failed to import, so their tests never ran.",
    "tests:failed": "Some of your tests failed when we ran them.",
    "tests:trivial-test": "Some tests only restate constants or check nothing about your code; "
    "test behaviour instead (shapes, labels, edge cases).",
    "tests:bad-coverage": "Your tests exercised little of your code.",
    "tests:not-run": "Your tests could not be run in the sandbox.",
    "tests:mutant-survived": "When we made small deliberate bugs in your code (a flipped "
    "comparison, a changed constant), some went unnoticed by your tests; assert on what your "
    "code returns, not only that it runs.",
    "tests:unparseable-test-file": "A test file could not be parsed as Python.",
    # Code quality
    "quality:secret": "A credential or key appears to be committed in the code; keep secrets "
    "out of repositories.",
    "quality:notebook-only": "All the logic lived in a notebook. Moving it into modules with a "
    "command-line entry point makes it testable and reusable.",
    "quality:logic-in-notebooks": "Much of the logic lived in notebooks rather than modules.",
    "quality:no-readme": "There was no README saying how to run the code.",
    "quality:no-dependencies": "No dependency file was included; pin what the code needs.",
    "quality:unpinned-dependencies": "Dependencies were not pinned to versions.",
    "quality:dependency-": "The declared dependencies did not match what the code imports or "
    "what the environment provides.",
    "quality:duplicate-code": "Some code was duplicated; a shared function would remove repeats.",
    "quality:low-maintainability": "Some functions were long or deeply nested; smaller functions "
    "are easier to test and review.",
    "quality:import-time-work": "Some modules do real work when imported; keep it behind a "
    "function or a main guard.",
    "quality:absolute-path": "The code uses absolute paths from your machine; take paths as "
    "arguments instead.",
    "quality:no-entry-point": "There was no clear entry point to train and predict.",
    "quality:missing-entry-script": "A script named in submission.toml was missing.",
    "quality:script-at-top-level": "Scripts run their work at module level; wrap it in a main "
    "function.",
    "quality:other-language": "Part of the submission was in another language than the task asked.",
    "quality:": "The code review flagged lint or style issues (unused imports, naming, "
    "complexity).",
    # Writeup
    "writeup:missing": "We found no writeup. A short README on your approach, evaluation and "
    "trade-offs is part of the task.",
    "writeup:missing-section": "The writeup left out some of the sections the task asks for.",
    "writeup:section-not-headed": "Some sections were there but hard to find; use headings.",
    "writeup:no-evaluation-method": "The writeup did not say how you evaluated the model.",
    "writeup:no-numbers": "The writeup gave no numbers from your own evaluation.",
    "writeup:inflated-claim": "Some numbers in the writeup were higher than what we measured; "
    "report the figures your own validation gives.",
    "writeup:unverified-claims": "Some claims in the writeup could not be checked against a "
    "measurement.",
    "writeup:claims-unchecked": "Some claims in the writeup could not be checked against a "
    "measurement.",
    "writeup:off-topic": "The writeup read as if written for another task.",
    "writeup:not-specific": "The writeup stayed generic; say what you did on this data and why.",
    "writeup:too-short": "The writeup was very short.",
    "writeup:too-long": "The writeup was long; the key points were hard to find.",
    "writeup:ai-disclosure-missing": "The task asked you to say in the writeup whether you used "
    "AI assistants, and for what; the writeup did not say.",
    # Methodology
    "methodology:fit-before-split": "Something was fitted on all the data before the split "
    "(a vectorizer or scaler), so the validation score saw information it should not have.",
    "methodology:fit-on-test-features": "Something was fitted on the data you predict on; fit "
    "only on training data.",
    "methodology:evaluated-on-training-data": "The model was scored on the data it was trained "
    "on, which overstates how well it does.",
    "methodology:final-model-on-subset": "The final model never saw all the training data.",
    "methodology:dropped-classes": "Some classes were dropped before training.",
    "methodology:unseeded": "Random steps were not seeded, so results are hard to reproduce.",
    "methodology:unstratified-split": "The validation split did not keep the queues' proportions.",
    "methodology:no-held-out-evaluation": "We found no evaluation on data held out from training.",
    "methodology:densified-sparse": "A sparse matrix was turned dense, which costs memory.",
    # Model server
    "serving:missing": "The assignment asks for a model server, and submission.toml had no "
    "[serve] command to start one.",
    "serving:not-run": "Your server was not started because an earlier stage did not finish.",
    "serving:failed": "Your server exited while it was being measured; its log shows why.",
    "serving:timed_out": "Your server did not answer within the time limits (it never became "
    "ready on the given port, or requests took too long).",
    "serving:out_of_memory": "Your server went over the memory limit while it was measured.",
    "serving:output_too_large": "Your server wrote more than allowed (its log or its answers).",
    "serving:unknown-label": "Your server answered labels that are not one of the queues.",
    "serving:disagrees": "Your server's labels differed from your predict command's for the same "
    "tickets: serve with exactly the model and preprocessing you predict with.",
    "serving:bad-request:": "Not every bad request (malformed JSON, missing or wrong-typed fields, "
    "empty, overlong or non-UTF-8 text, an oversized body) got a 4xx answer with a message while "
    "the server kept running.",
}
"""Rule (exact, or a prefix ending in ``-`` or ``:``) to what the candidate reads."""

_SKIPPED = (
    "notebooks:",
    "tests:findings-truncated",
    "quality:findings-truncated",
    "quality:analysis-truncated",
    "quality:tool-failed",
    "tests:no-report",
    "tests:bad-report",
    "tests:report-mismatch",
    "methodology:not-analysed",
    "tests:mutation-not-measured",
    "tests:mutation-partial",
    # The AI-assistance policy: a disclosure is recorded for reviewers, and a use the
    # assignment forbids is for a person to raise with the candidate, never an automatic note.
    "writeup:ai-disclosure",
    "writeup:ai-use-forbidden",
)
"""Rules about the harness's own processing, or for reviewers only, not feedback on the work."""


def area_of(rule: str) -> str | None:
    """The area a rule belongs to (its grader), if feedback covers that grader."""
    grader = rule.partition(":")[0]
    return grader if grader in AREAS else None


def about_the_harness(rule: str) -> bool:
    """Whether ``rule`` reports on the harness's own processing (left out of feedback)."""
    return any(rule.startswith(p) if p.endswith(":") else rule == p for p in _SKIPPED)


def improve_text(rule: str) -> str | None:
    """What to tell the candidate about ``rule``; None for rules feedback leaves out or does
    not know (counted instead)."""
    if about_the_harness(rule):
        return None
    if rule in IMPROVE:
        return IMPROVE[rule]
    prefixes = [p for p in IMPROVE if p.endswith(("-", ":")) and rule.startswith(p)]
    return IMPROVE[max(prefixes, key=len)] if prefixes else None
