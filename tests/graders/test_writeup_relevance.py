"""Is a writeup about this task? Labels in their natural forms, the task's words, other datasets."""

from __future__ import annotations

import pytest

from graders.types import AssignmentView
from graders.writeup.relevance import assess_relevance, task_vocabulary
from tests.graders.conftest import LABELS, SUMMARY, TITLE

VIEW = AssignmentView(name="support-tickets", title=TITLE, summary=SUMMARY, labels=LABELS)


def test_the_task_vocabulary_comes_from_labels_title_and_summary() -> None:
    vocab = task_vocabulary(VIEW)
    assert set(vocab.labels) == set(LABELS) - {"how_to"}
    assert set(vocab.spelled_labels) == {"how_to"}
    assert list(vocab.names) == ["tillpoint"]
    assert {"support", "ticket", "queue"} <= set(vocab.title_words)
    assert {"subject", "body", "metadata"} <= set(vocab.summary_words)
    # common English and machine-learning words say nothing about the task
    everything = set(vocab.title_words) | set(vocab.summary_words)
    assert not everything & {"right", "classifier", "model", "month", "small", "eight", "company"}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Most errors are bug reports read as how-to questions.", "bug_report"),
        ("Security & privacy tickets are rare.", "security_privacy"),
        ("security and privacy requests", "security_privacy"),
        ("the `feature_request` queue", "feature_request"),
        ("Feature-requests and billing", "feature_request"),
        ("how-to questions", "how_to"),
        ("the how_to queue", "how_to"),
        ("Refunds are confused with billing.", "refund"),
    ],
)
def test_labels_count_in_their_natural_forms(text: str, label: str) -> None:
    assert label in assess_relevance(text, VIEW).labels


def test_how_to_in_plain_english_is_not_the_queue() -> None:
    relevance = assess_relevance("This explains how to run the model and how to test it.", VIEW)
    assert "how_to" not in relevance.labels


def test_a_support_vector_machine_is_not_customer_support() -> None:
    relevance = assess_relevance("A support vector machine with a linear kernel.", VIEW)
    assert "support" not in relevance.terms


def test_a_relevant_writeup_earns_full_relevance() -> None:
    relevance = assess_relevance(
        "Tillpoint's support tickets go to eight queues; I join the subject and body. "
        "Billing and refund tickets are the most confused pair.",
        VIEW,
    )
    assert relevance.share == 1.0 and not relevance.off_topic
    assert {"billing", "refund"} <= set(relevance.labels)
    assert "tillpoint" in relevance.terms


def test_a_writeup_copied_from_a_newsgroups_tutorial_is_off_topic() -> None:
    relevance = assess_relevance(
        "We classify the 20 Newsgroups dataset: posts from comp.graphics, sci.space and "
        "rec.autos. Each newsgroup has about 1,000 posts.",
        VIEW,
    )
    assert relevance.off_topic and relevance.other_dataset == "20 Newsgroups"
    assert relevance.share == 0
    assert "comp.graphics" in relevance.foreign_examples


def test_one_passing_mention_of_another_dataset_is_not_off_topic() -> None:
    relevance = assess_relevance(
        "A linear model on TF-IDF is the classic recipe for topic classification, like "
        "20 Newsgroups; support tickets are short topical texts too.",
        VIEW,
    )
    assert relevance.foreign_mentions == 1 and not relevance.off_topic


def test_a_ticket_writeup_that_talks_about_spam_is_not_off_topic() -> None:
    # Spam and phishing tickets belong to this task's security queue: mentioned several times, but
    # the writeup names the queues and tickets more often.
    relevance = assess_relevance(
        "Phishing and spam reports go to security_privacy. Spam tickets are short, so the model "
        "confuses some spam with account_access tickets about suspicious logins. Billing and refund "
        "tickets are the largest queues; shipping tickets mention tracking numbers.",
        VIEW,
    )
    assert relevance.foreign_mentions >= 2
    assert not relevance.off_topic


def test_a_writeup_that_names_another_dataset_more_than_this_task_is_off_topic() -> None:
    # A copied README with a new title: "tickets" once, the IMDB project everywhere else.
    relevance = assess_relevance(
        "# Ticket classifier\n\nWe classify IMDB movie reviews by sentiment. The IMDB dataset has "
        "50,000 movie reviews; sentiment is balanced.",
        VIEW,
    )
    assert relevance.task_mentions == 1
    assert relevance.off_topic and relevance.other_dataset == "IMDB movie reviews"


def test_an_assignment_without_a_summary_still_knows_its_labels() -> None:
    bare = AssignmentView(name="x", title="X", labels=LABELS)
    relevance = assess_relevance("Billing, refund and shipping tickets.", bare)
    assert relevance.share == 1.0


def test_sms_codes_in_a_ticket_writeup_are_not_the_spam_dataset() -> None:
    relevance = assess_relevance(
        "Account access tickets are about SMS codes and two-factor logins; SMS delays are common.",
        VIEW,
    )
    assert relevance.foreign_mentions == 0


def test_numeric_labels_are_not_looked_for_in_prose() -> None:
    numeric = AssignmentView(name="x", title="X", labels=["0", "1"])
    assert assess_relevance("Accuracy 0.91 and 1 model.", numeric).labels == ()


def test_a_writeup_naming_another_dataset_and_nothing_of_this_task_is_off_topic() -> None:
    relevance = assess_relevance(
        "Texts from https://scikit-learn.org/stable/datasets/twenty_newsgroups.html, 20 categories.",
        VIEW,
    )
    assert relevance.foreign_mentions == 1 and relevance.task_mentions == 0
    assert relevance.off_topic and relevance.other_dataset == "20 Newsgroups"


def test_per_class_results_only_for_other_classes_are_another_projects() -> None:
    tickets = assess_relevance("Support tickets are routed by a TF-IDF model.", VIEW)
    assert not tickets.off_topic
    other = tickets.with_classes(["Hardware", "HR Support", "Purchase"], task=0)
    assert other.off_topic and other.other_dataset == "another dataset's classes"
    # near misses: one of this task's classes among them, or classes that are label codes
    assert not tickets.with_classes(["Hardware", "HR Support", "Purchase"], task=1).off_topic
    assert not tickets.with_classes(["0", "1", "2", "3"], task=0).off_topic
    assert not tickets.with_classes(["Hardware", "Other"], task=0).off_topic
