"""Is the writeup about this task, or about another dataset?

A writeup copied from another project (a 20 Newsgroups tutorial, an IMDB sentiment notebook)
describes work the reviewer is not looking at; its sections and numbers say nothing about the
submission. Two kinds of evidence are counted, both explainable:

- **this task's words**: the assignment's labels in their natural forms (``bug_report`` is also
  "bug report(s)", ``security_privacy`` also "security and privacy"; a label made only of common
  words, ``how_to``, counts only as ``how_to`` or "how-to"), names from the title and summary
  ("Tillpoint"), the title's content words ("support", "tickets", "queue") and the summary's
  ("subject", "body", "metadata", "payments"), and the harness's metric, macro-F1. Common English
  and machine-learning words (:data:`COMMON_WORDS`) are left out: every writeup uses them.
- **another dataset's words**: a curated list of datasets found in tutorials and take-home
  templates (:data:`OTHER_DATASETS`), each with the words that give it away (``comp.graphics``,
  "movie reviews", "passengers").

The writeup is **off-topic** when it mentions other datasets at least :data:`MIN_FOREIGN` times and
more often than it mentions this task's labels, names and title words, or names another dataset
and nothing of this task at all. A relevant writeup that says "like 20 Newsgroups" once is not
off-topic; neither is one that compares with a tutorial dataset a few times while naming the
queues throughout. A writeup whose per-class results are only for classes this task does not have
(at least :data:`MIN_FOREIGN_CLASSES`: "Hardware", "HR Support", "Purchase") reports another
project's results and is off-topic too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from graders.types import AssignmentView

__all__ = [
    "COMMON_WORDS",
    "FULL_RELEVANCE",
    "MIN_FOREIGN",
    "MIN_FOREIGN_CLASSES",
    "OTHER_DATASETS",
    "Relevance",
    "TaskVocabulary",
    "assess_relevance",
    "task_vocabulary",
]

MAX_TEXT = 200_000
"""Characters of the writeup read (bounded for hostile input)."""
MIN_FOREIGN = 2
"""Mentions of other datasets below this never make a writeup off-topic (unless it names nothing
of this task)."""
MIN_FOREIGN_CLASSES = 3
"""Classes this task does not have, with per-class figures and none of this task's, that make a
writeup off-topic."""
FULL_RELEVANCE = 3.0
"""Evidence for full relevance credit: one point per label or title word named, 1.5 per name from
the task (the company), half a point per summary word and for macro-F1."""

# Datasets of tutorials and templates, with the words that give each away (lower-case text).
OTHER_DATASETS: dict[str, re.Pattern[str]] = {
    "20 Newsgroups": re.compile(
        r"\b(?:20|twenty)[\s_-]?news[\s_-]?groups?\b|\bnewsgroups?\b|"
        r"\b(?:comp|rec|sci|talk|alt|soc)\.[a-z]+(?:\.[a-z]+)*\b|\busenet\b"
    ),
    "IMDB movie reviews": re.compile(r"\bimdb\b|\b(?:movie|film)[\s-]reviews?\b|\bsentiment\b"),
    "SMS spam": re.compile(r"\bsms[\s-]spam\b|\bspam\b|\bham\b|\benron\b"),
    "Titanic": re.compile(r"\btitanic\b|\bpassengers?\b|\bsurviv(?:ed|al|ors?)\b"),
    "Iris": re.compile(r"\biris\b|\bsepal\b|\bpetal\b"),
    "MNIST / CIFAR": re.compile(r"\bmnist\b|\bcifar[\s-]?1?0*\b|\bhandwritten digits?\b"),
    "house prices": re.compile(r"\bhouse[\s-]prices?\b|\b(?:boston|california)[\s-]housing\b"),
    "news articles": re.compile(r"\bag[\s_-]news\b|\bbbc[\s_-]news\b|\breuters\b|\bfake[\s-]news\b"),
    "product reviews": re.compile(r"\byelp\b|\bamazon[\s-](?:product[\s-])?reviews?\b"),
    "tweets": re.compile(r"\btweets?\b|\btwitter\b"),
    "fraud / churn": re.compile(r"\bcredit[\s-]card[\s-]fraud\b|\bchurn\b"),
}  # fmt: skip

# Words too common to say anything about a task: English function words and the vocabulary of
# every machine-learning take-home.
_COMMON_TEXT = """
    a about above after again against all also an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having here how however into is it its itself just more most much no nor not now of off
    on once only or other our out over own same should so some such than that the their them then
    there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours
    able across almost along already always another around away back best better big come comes
    different done easy either else enough even ever every first following found four give given
    gives good great high however keep kind large last least less like little long lot low made make
    makes many may might month months must need needs never next number numbers often part per point
    points possible put quite rather read reads really receive receives receiving right second see
    seen set several show shows since small still take takes thing things think thousand thousands
    three time times today together took true two type types upon use used uses using want wants way
    ways week weeks well whether without work works year years eight five nine seven six ten hundred
    million millions line lines belong belongs belonging company companies team teams people person
    approach accuracy algorithm analysis build builds built categories category class classes
    classification classifier classifiers classify code command commands data dataset datasets
    document documents evaluate evaluation explain feature features file files input inputs label
    labels learning machine metric metrics model models notebook offs output outputs package predict
    predicts prediction predictions project python score scores script solution task test tests
    text texts trade train trains training
    create deliver describe design develop implement please send thank thanks write"""
COMMON_WORDS = frozenset(_COMMON_TEXT.split())

_WORD = re.compile(r"[A-Za-z]+")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z]{2,}\b")
_SUPPORT_VECTOR = re.compile(r"\bsupport[\s-]vector(?:s)?(?:[\s-]machines?)?\b|\bsupport[\s-]of\b")


def _norm(text: str) -> str:
    """Lower-case words separated by single spaces; ``&`` reads as "and"; "support vector" is SVM."""
    lowered = _SUPPORT_VECTOR.sub(" svm ", text.lower().replace("&", " and "))
    return " " + " ".join(re.findall(r"[a-z0-9]+", lowered)) + " "


def _stem(word: str) -> str:
    """The singular of a plural English noun, roughly (tickets -> ticket, queries -> query)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _plural(phrase: str) -> str:
    """A regex for ``phrase`` with an optional plural on its last word (text normalised)."""
    words = phrase.split()
    last = words[-1]
    tail = (
        f"{re.escape(last[:-1])}(?:y|ies)" if last.endswith("y") else f"{re.escape(last)}(?:e?s)?"
    )
    return " ".join([*map(re.escape, words[:-1]), tail])


@dataclass(frozen=True)
class TaskVocabulary:
    """The words that show a writeup is about this assignment."""

    labels: dict[str, re.Pattern[str]]
    """Each label, with a pattern over the normalised text (its natural forms)..."""
    spelled_labels: dict[str, re.Pattern[str]]
    """... or, for labels made of common words (``how_to``), over the lower-cased text, matching
    only the label's own spelling."""
    names: dict[str, re.Pattern[str]]
    """Proper names from the title and summary (the company, products)."""
    title_words: dict[str, re.Pattern[str]]
    summary_words: dict[str, re.Pattern[str]]


def _label_pattern(label: str) -> tuple[re.Pattern[str], bool] | None:
    """The label's pattern, and whether it applies to the lower-cased (not normalised) text."""
    words = [w for w in re.split(r"[^a-z0-9]+", label.lower()) if w]
    if not words or len("".join(words)) < 3 or "".join(words).isdigit():
        return None  # "0", "a1": too short to find in prose
    if all(w in COMMON_WORDS for w in words):
        # "how to" is English; only the label's own spelling (how_to, how-to) names the queue.
        if len(words) == 1:
            return None
        joined = r"[_-]".join(map(re.escape, words))
        return re.compile(rf"(?<![a-z0-9]){joined}(?![a-z0-9])"), True
    forms = {_plural(" ".join(words))}
    if len(words) == 2:
        forms.add(_plural(f"{words[0]} and {words[1]}"))
    return re.compile(rf"(?<= )(?:{'|'.join(sorted(forms))})(?= )"), False


def _word_patterns(words: list[str], taken: set[str]) -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    for word in words:
        stem = _stem(word)
        if len(stem) < 4 or {word, stem} & (COMMON_WORDS | taken) or stem in out:
            continue
        out[stem] = re.compile(rf"(?<= ){_plural(stem)}(?= )")
    return out


def task_vocabulary(view: AssignmentView) -> TaskVocabulary:
    """The label, name, title and summary words of an assignment, as patterns.

    Names are the summary's capitalised words that are not common words (its first word is often
    the company's name, so sentence-initial words count too); the title is left out because it
    is often in title case.
    """
    labels: dict[str, re.Pattern[str]] = {}
    spelled: dict[str, re.Pattern[str]] = {}
    for label in view.labels:
        found = _label_pattern(label)
        if found is not None:
            (spelled if found[1] else labels)[label] = found[0]
    names: dict[str, re.Pattern[str]] = {}
    for name in _CAPITALISED.findall(view.summary):
        lower = name.lower()
        if lower not in COMMON_WORDS and _stem(lower) not in COMMON_WORDS:
            names.setdefault(lower, re.compile(rf"(?<= ){re.escape(lower)}(?= )"))
    taken = set(names) | {
        w for label in view.labels for w in re.split(r"[^a-z0-9]+", label.lower())
    }
    title_words = _word_patterns([w.lower() for w in _WORD.findall(view.title)], taken)
    summary_words = _word_patterns(
        [w.lower() for w in _WORD.findall(view.summary)], taken | set(title_words)
    )
    return TaskVocabulary(labels, spelled, names, title_words, summary_words)


@dataclass(frozen=True)
class Relevance:
    """What the writeup says about this task and about other datasets."""

    share: float
    """0-1: how much of the relevance criterion it earns."""
    labels: tuple[str, ...]
    """The assignment's labels it names."""
    terms: tuple[str, ...]
    """Other task words it uses (names, title and summary words, macro-F1)."""
    task_mentions: int
    """Occurrences of labels, names and title words."""
    foreign: tuple[tuple[str, int], ...]
    """Other datasets it mentions, with how often, most first."""
    foreign_examples: tuple[str, ...]
    """A few of the words that matched, for the message."""
    other_classes: tuple[str, ...] = ()
    """Classes the writeup reports per-class figures for that this task does not have."""
    task_classes: int = 0
    """Classes of this task it reports per-class figures for."""

    @property
    def foreign_mentions(self) -> int:
        return sum(n for _, n in self.foreign)

    @property
    def foreign_classes(self) -> bool:
        """Per-class results only for classes this task does not have ("Hardware", "Purchase"):
        the results of another project. Numbered classes ("0".."7") may be this task's, encoded."""
        named = [c for c in self.other_classes if not c.strip().isdigit()]
        return len(named) >= MIN_FOREIGN_CLASSES and self.task_classes == 0

    @property
    def foreign_words(self) -> bool:
        """Another dataset's words outweigh this task's, or are there and this task's are not."""
        if self.foreign_mentions and not self.task_mentions:
            return True
        return self.foreign_mentions >= MIN_FOREIGN and self.foreign_mentions > self.task_mentions

    @property
    def off_topic(self) -> bool:
        return self.foreign_words or self.foreign_classes

    @property
    def other_dataset(self) -> str | None:
        if self.foreign and self.foreign_words:
            return self.foreign[0][0]
        if self.foreign_classes:
            return "another dataset's classes"
        return self.foreign[0][0] if self.foreign else None

    def with_classes(self, other: Sequence[str], task: int) -> Relevance:
        """The same, knowing which classes the writeup reports per-class figures for."""
        return replace(self, other_classes=tuple(dict.fromkeys(other)), task_classes=task)


_MACRO_F1 = re.compile(r"(?<= )(?:macro (?:averaged |avg |average )?f ?1|f ?1 macro)(?= )")


def assess_relevance(text: str, view: AssignmentView) -> Relevance:
    """Count this task's words and other datasets' words in ``text``."""
    text = text[:MAX_TEXT]
    vocab = task_vocabulary(view)
    norm = _norm(text)
    lower = text.lower()
    label_hits = {label: len(p.findall(norm)) for label, p in vocab.labels.items()}
    label_hits.update({label: len(p.findall(lower)) for label, p in vocab.spelled_labels.items()})
    labels = tuple(label for label, n in label_hits.items() if n)
    names = {n: len(p.findall(norm)) for n, p in vocab.names.items()}
    title = {w: len(p.findall(norm)) for w, p in vocab.title_words.items()}
    summary = {w: len(p.findall(norm)) for w, p in vocab.summary_words.items()}
    macro = bool(_MACRO_F1.search(norm))
    evidence = (
        len(labels)
        + 1.5 * sum(1 for n in names.values() if n)
        + sum(1 for n in title.values() if n)
        + 0.5 * sum(1 for n in summary.values() if n)
        + (0.5 if macro else 0.0)
    )
    terms = tuple(
        [w for w, n in names.items() if n]
        + [w for w, n in title.items() if n]
        + [w for w, n in summary.items() if n]
        + (["macro-F1"] if macro else [])
    )
    task_mentions = sum(label_hits.values()) + sum(names.values()) + sum(title.values())
    foreign: Counter[str] = Counter()
    words: list[str] = []
    for dataset, pattern in OTHER_DATASETS.items():
        found = pattern.findall(lower)
        if found:
            foreign[dataset] = len(found)
            words.extend(w for w in dict.fromkeys(found) if w not in words)
    return Relevance(
        share=min(1.0, evidence / FULL_RELEVANCE),
        labels=labels,
        terms=terms,
        task_mentions=task_mentions,
        foreign=tuple(foreign.most_common()),
        foreign_examples=tuple(words[:6]),
    )
