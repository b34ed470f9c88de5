"""What the data-flow pass reports: the rules it can observe, one observation, a unit's results.

:class:`UnitFacts` holds what every scope of one unit shares while the pass runs (its constants,
imports, seeding, the summaries of the submission's functions) and collects the observations,
once each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from graders.methodology.origins import Summary

__all__ = ["Observation", "Rule", "UnitAnalysis", "UnitFacts"]


class Rule(StrEnum):
    """The methodology problems the pass can observe."""

    fit_before_split = "fit-before-split"
    evaluated_on_training_data = "evaluated-on-training-data"
    final_model_on_subset = "final-model-on-subset"
    dropped_classes = "dropped-classes"
    densified_sparse = "densified-sparse"
    unseeded = "unseeded"
    fit_on_test_features = "fit-on-test-features"
    unstratified_split = "unstratified-split"
    no_held_out_evaluation = "no-held-out-evaluation"
    """Decided for the whole submission by the grader, from :attr:`UnitAnalysis` counts."""


@dataclass(frozen=True)
class Observation:
    """One problem at one place of the source."""

    rule: Rule
    line: int
    """1-based line of the unit's text where the problem is."""
    subject: str
    """The class or call concerned (``TfidfVectorizer``, ``train_test_split``, ``f1_score``)."""
    related_line: int | None = None
    """The other place the problem involves (the split after a fit, the fit before a save)."""
    related: str = ""
    """What is at :attr:`related_line`."""
    column: str = ""
    """The label column a class filter applies to."""
    number: int | None = None
    """k of a top-k filter, the minimum count of a min-count filter."""
    labels: tuple[str, ...] = ()
    """Classes an explicit filter names."""
    how: str = ""
    """The variant: ``top``, ``min-count``, ``listed`` or ``excluded`` for class filters;
    ``saved`` or ``predicts`` for a subset model; ``test-file``, ``test-split``,
    ``train-and-test`` or ``predict-path`` for a fit on test features."""
    file: str = ""
    """The unit :attr:`line` is in when it is another one than the unit analysed (the body of a
    helper the analysed code calls); empty otherwise."""
    related_file: str = ""
    """Likewise for :attr:`related_line`."""


@dataclass
class UnitAnalysis:
    """What the pass found in one unit."""

    observations: list[Observation] = field(default_factory=list)
    held_out_evaluations: int = 0
    """Metrics, scores and cross-validation on data a model was not fitted on."""
    full_saves: int = 0
    """Models saved after a fit on rows no split had reduced."""
    supervised_fits: int = 0
    """``fit(X, y)`` calls: the unit trains something."""
    summaries: dict[str, Summary] = field(default_factory=dict)
    """What calling each of the unit's functions does (see :class:`Summary`)."""


@dataclass
class UnitFacts:
    """Facts about the whole unit that every scope shares."""

    rel: str
    stem: str
    consts: dict[str, int]
    np_seeded: bool
    random_seeded: bool
    imports: dict[str, str]
    """Local name -> dotted source (``shuffle`` -> ``sklearn.utils.shuffle``)."""
    result: UnitAnalysis
    summaries: dict[str, Summary] = field(default_factory=dict)
    """Summaries of the submission's functions, from the previous pass."""
    seen: set[tuple[Rule, int, str]] = field(default_factory=set)

    def summary(self, name: str) -> Summary | None:
        return self.summaries.get(name)

    def observe(self, obs: Observation) -> None:
        key = (obs.rule, obs.line, f"{obs.file}:{obs.subject}")
        if key not in self.seen:
            self.seen.add(key)
            self.result.observations.append(obs)
