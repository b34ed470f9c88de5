"""The ``methodology`` grader: ML methodology read from the candidate's code, never run.

Each ``.py`` file (tests excluded) and each notebook's code goes through the data-flow pass of
:mod:`graders.methodology.flow`; its observations become findings that point at the file and
line (for notebooks, the cell and line) and say the fix. Two rules look at the whole submission
before they fire, so correct code does not trip them: evaluation on training data only counts
when nothing is evaluated on other data anywhere, and a model saved after a fit on a split's
training part only counts when no model fitted on all the data is saved anywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from graders._pysource import SourceUnit, source_units
from graders.methodology.flow import Observation, Rule, UnitAnalysis, analyse_tree, analyse_units
from graders.methodology.practices import PRACTICES, PracticeEvidence, find_practices
from graders.methodology.rules import RULES
from graders.types import (
    Finding,
    GraderResult,
    GraderStatus,
    GradingContext,
    MetricValue,
    ScoreComponent,
    Severity,
    score_from_breakdown,
)

__all__ = [
    "MethodologyGrader",
    "Placed",
    "SubmissionAnalysis",
    "methodology_observations",
    "never_predicted",
]

MAX_FINDINGS_PER_RULE = 10


def _where(unit: SourceUnit, line: int | None) -> str:
    """``line 12`` of a file, or ``cell 3, line 2`` of a notebook."""
    if line is None:
        return ""
    if unit.notebook is None:
        return f"line {line}"
    cell = unit.notebook.cell_at(line)
    return f"cell {cell[0]}, line {cell[1]}" if cell else "the notebook"


@dataclass(frozen=True)
class Placed:
    """An observation with the units its lines are in."""

    unit: SourceUnit
    """Where :attr:`Observation.line` is: the unit analysed, or a helper's unit it calls."""
    observation: Observation
    related_unit: SourceUnit
    """Where :attr:`Observation.related_line` is."""
    analysed: SourceUnit
    """The unit whose code made the observation."""

    def where(self, line: int | None) -> str:
        """A line of :attr:`unit` as a reviewer reads it."""
        return _where(self.unit, line)

    def related(self) -> str:
        """The related line, with its file when that is another one than :attr:`unit`."""
        line = self.observation.related_line
        text = _where(self.related_unit, line)
        if self.related_unit.rel != self.unit.rel and text:
            return f"{self.related_unit.rel}, {text}"
        return text


def _analyse(units: list[SourceUnit]) -> tuple[list[tuple[SourceUnit, UnitAnalysis]], int]:
    """Every unit with the summaries of the whole submission; one by one if that fails."""
    trees = [(u.tree, u.rel) for u in units if u.tree is not None]
    try:
        return list(zip(units, analyse_units(trees), strict=True)), 0
    except (RecursionError, MemoryError):
        pass
    out: list[tuple[SourceUnit, UnitAnalysis]] = []
    failed = 0
    for unit in units:
        assert unit.tree is not None
        try:
            out.append((unit, analyse_tree(unit.tree, unit.rel)))
        except (RecursionError, MemoryError):
            failed += 1
    return out, failed


@dataclass(frozen=True)
class SubmissionAnalysis:
    """The pass over every unit of a submission."""

    placed: list[Placed]
    """Observations that stand once the whole submission is considered."""
    units: list[SourceUnit]
    """Units analysed (parsed, not tests)."""
    failed: int
    """Units the pass could not finish."""
    held_out_evaluations: int = 0
    """Evaluations on data a model was not fitted on, in the whole submission."""
    no_held_out: bool = False
    """The code trains a model but never evaluates one on held-out data."""


def methodology_observations(ctx: GradingContext) -> SubmissionAnalysis:
    """The analysis of this context's code, computed once.

    The accuracy grader reads the class filters from here to say why classes are never predicted.
    """
    key = "graders.methodology.observations"
    cached = ctx.memo.get(key)
    if isinstance(cached, SubmissionAnalysis):
        return cached
    units = [u for u in source_units(ctx) if u.ok and not u.is_test]
    analysed, failed = _analyse(units)
    by_rel = {u.rel: u for u in units}
    held_out = sum(a.held_out_evaluations for _, a in analysed)
    full_saves = sum(a.full_saves for _, a in analysed)
    placed: list[Placed] = []
    for unit, analysis in analysed:
        for obs in analysis.observations:
            if obs.rule is Rule.evaluated_on_training_data and held_out:
                continue  # a training score next to a held-out one is a useful diagnostic
            if obs.rule is Rule.final_model_on_subset and obs.how == "saved" and full_saves:
                continue  # another model, fitted on all the data, is saved too
            placed.append(
                Placed(
                    by_rel.get(obs.file, unit),
                    obs,
                    by_rel.get(obs.related_file, unit),
                    unit,
                )
            )
    trains = sum(a.supervised_fits for _, a in analysed)
    value = SubmissionAnalysis(
        placed,
        [u for u, _ in analysed],
        failed,
        held_out_evaluations=held_out,
        no_held_out=bool(trains) and not held_out,
    )
    ctx.memo[key] = value
    return value


def never_predicted(ctx: GradingContext) -> list[str]:
    """Labels with held-out support that the predictions never used, when scores exist."""
    scores = ctx.scores
    if scores is None or scores.heldout is None:
        return []
    heldout = scores.heldout
    matrix = heldout.confusion.matrix
    out: list[str] = []
    for j, label in enumerate(heldout.confusion.labels):
        predicted = sum(row[j] for row in matrix if j < len(row))
        support = next((c.support for c in heldout.per_class if c.label == label), 0)
        if predicted == 0 and support > 0:
            out.append(label)
    return out


def _dropped_classes_text(placed: Placed, ctx: GradingContext) -> str | None:
    obs = placed.observation
    labels = ctx.assignment.labels
    total = len(labels)
    column = f"`{obs.column}`" if obs.column else "the label column"
    never = never_predicted(ctx)
    seen = (
        f"; on the held-out tickets the model indeed never predicted {', '.join(never)}"
        if never
        else ""
    )
    fix = (
        " Keep every class and handle the imbalance instead (class_weight='balanced', "
        "resampling the training part, or more features for the rare classes)."
    )
    if obs.how == "top":
        if obs.number is not None and 0 < obs.number < total:
            lost = f"{total - obs.number} of the assignment's {total} labels can then never be predicted"
        else:
            lost = f"every other of the assignment's {total} labels can then never be predicted"
        k = obs.number if obs.number is not None else "k"
        return f"Only the {k} most frequent classes of {column} are kept for training: {lost}{seen}.{fix}"
    if obs.how == "min-count":
        floor = f"fewer than {obs.number} rows" if obs.number is not None else "few rows"
        return (
            f"Classes of {column} with {floor} are dropped before training: any of the "
            f"assignment's {total} labels that rare in the data can never be predicted{seen}.{fix}"
        )
    if obs.how == "listed":
        missing = [label for label in labels if label not in obs.labels]
        if not missing or not set(obs.labels) & set(labels):
            return None
        return (
            f"Training keeps only the classes {', '.join(obs.labels)} of {column}: "
            f"{len(missing)} of the assignment's {total} labels ({', '.join(missing)}) can never be "
            f"predicted{seen}.{fix}"
        )
    dropped = [label for label in obs.labels if label in labels]
    if not dropped:
        return None  # e.g. rows with an empty or "unknown" label: not a class of the task
    return (
        f"Rows labelled {', '.join(dropped)} are removed before training, so the model can never "
        f"predict {'that class' if len(dropped) == 1 else 'those classes'}, which the assignment "
        f"asks for{seen}.{fix}"
    )


def _message(placed: Placed, ctx: GradingContext) -> str | None:
    """What a reviewer reads for an observation: what is wrong, why it matters, the fix. None
    when it is no problem for this assignment (a filter that drops none of the task's classes)."""
    rule = placed.observation.rule
    if rule is Rule.dropped_classes:
        return _dropped_classes_text(placed, ctx)
    return _TEXTS.get(rule, _fit_on_test_text)(placed)


def _fit_before_split_text(placed: Placed) -> str:
    obs = placed.observation
    at = placed.related()
    if obs.how == "resample":
        return (
            f"{obs.subject} adds or removes rows here, before {obs.related} ({at}) splits them: "
            "synthetic or duplicated rows land on both sides, so the evaluation is optimistic. "
            "Resample the training part only (imbalanced-learn's Pipeline does it per fold)."
        )
    return (
        f"{obs.subject} is fitted on all rows here, before {obs.related} ({at}) divides them: "
        "the evaluation rows shaped what it learned (vocabulary and IDF weights, scaling, "
        "selected features), so the scores measured on them are optimistic. Split first and "
        "fit it on the training part only, or put it in a Pipeline with the model so each "
        "fold refits it."
    )


def _training_data_text(placed: Placed) -> str:
    obs = placed.observation
    model = f"`{obs.related}`" if obs.related else "the model"
    metric = (
        "An accuracy computed as `predictions == labels`"
        if obs.subject == "predictions == labels"
        else f"`{obs.subject}`"
    )
    return (
        f"{metric} is computed on predictions for the very rows {model} was fitted on "
        f"({placed.related()}), and nothing in the submission is evaluated on other data: this "
        "measures memorisation, not how the model generalises. Hold out a stratified split or "
        "cross-validate, and report those numbers."
    )


def _subset_text(placed: Placed) -> str:
    obs = placed.observation
    action = "predicts the test file" if obs.how == "predicts" else "is saved"
    return (
        f"`{obs.subject}` {action} here, but it was last fitted ({placed.related()}) on the "
        "training part of a split only, so the delivered model never learned from the held-back "
        "rows. Once the split has served to choose settings, refit on all training rows "
        "(e.g. `final = clone(model).fit(X, y)`) and deliver that."
    )


def _densified_text(placed: Placed) -> str:
    obs = placed.observation
    elsewhere = obs.related_file and obs.related_file != placed.unit.rel
    origin = (
        f" (made at {placed.related()})"
        if elsewhere or obs.related_line not in (None, obs.line)
        else ""
    )
    return (
        f"{obs.how} turns the sparse {obs.subject} matrix{origin} into a dense one: with a "
        "vocabulary of thousands of terms that multiplies memory many times over and can "
        "kill training in a limited sandbox. Keep it sparse: scikit-learn's linear models, "
        "naive Bayes and SVMs take sparse input."
    )


def _unstratified_text(placed: Placed) -> str:
    return (
        "train_test_split does not stratify by class here, so the rare queues can be under- "
        "or over-represented in the evaluation part and their scores swing from split to "
        "split. Pass stratify=y."
    )


def _unseeded_text(placed: Placed) -> str:
    return (
        f"{placed.observation.subject} runs without a fixed random_state here, so each run "
        "splits or trains differently and the reported numbers cannot be reproduced. Pass "
        "random_state=<a constant> (or seed NumPy once with np.random.seed)."
    )


_FIT_ON_TEST = {
    "test-file": "on the test features",
    "test-split": "on the evaluation part of the split",
    "train-and-test": "on rows that include the test file's features",
    "predict-path": "afresh in the prediction code, on the rows being predicted",
}


def _fit_on_test_text(placed: Placed) -> str:
    obs = placed.observation
    built = f" (it is built and fitted at {placed.related()})" if obs.related_file else ""
    return (
        f"{obs.subject}{built} is fitted {_FIT_ON_TEST.get(obs.how, 'on the test features')} "
        "here: the features no longer mean what they meant when the model was trained (a "
        "different vocabulary, scaling or columns), or the test rows leak into training. Fit it "
        "once on the training data, save it with the model (one Pipeline is simplest) and only "
        "call transform() on new rows."
    )


_TEXTS: dict[Rule, Callable[[Placed], str]] = {
    Rule.fit_before_split: _fit_before_split_text,
    Rule.evaluated_on_training_data: _training_data_text,
    Rule.final_model_on_subset: _subset_text,
    Rule.densified_sparse: _densified_text,
    Rule.unstratified_split: _unstratified_text,
    Rule.unseeded: _unseeded_text,
}
"""The text of each rule's findings (dropped classes need the assignment: see :func:`_message`);
any other rule is a fit on test features."""


def _finding(placed: Placed, message: str) -> Finding:
    obs = placed.observation
    spec = RULES[obs.rule]
    line, suffix = placed.unit.place(obs.line)
    return Finding(
        rule=f"methodology:{obs.rule.value}",
        message=f"{message}{suffix}" if suffix else message,
        severity=spec.severity,
        file=placed.unit.rel,
        line=line,
    )


CHECKED = (
    "No other methodology problem found (checked: classes dropped before training, fits on test "
    "features, evaluation on training data only, no held-out evaluation, leakage before the "
    "split, a final model never refitted on all data, densified sparse features, unstratified "
    "splits, missing seeds)"
)


SOUNDNESS_POINTS = 60.0
"""Points for a sound method, less each rule's deductions; the rest rewards good practice."""


def _breakdown(counts: Counter[Rule], practices: PracticeEvidence) -> tuple[list[ScoreComponent], dict[Rule, float]]:
    """Soundness (60 less each rule's deductions, in order of severity, never below 0) and good
    practice (40, in proportion to how sound the method is: care on top of a broken method is
    worth as much as the method).

    Each rule with findings is a component holding the points it took away (earned 0 of them);
    the rest of the soundness points is one component for everything else that was checked and
    found sound.
    """
    breakdown: list[ScoreComponent] = []
    lost: dict[Rule, float] = {}
    left = SOUNDNESS_POINTS
    for rule, spec in RULES.items():
        lost[rule] = min(spec.cap, spec.per_finding * counts[rule], left)
        left -= lost[rule]
        if lost[rule] > 0:
            n = counts[rule]
            breakdown.append(
                ScoreComponent(
                    criterion=f"{spec.criterion}: {_plural(n, 'finding')}, -{spec.per_finding:g} each "
                    f"(at most -{spec.cap:g})",
                    points=0.0,
                    max_points=lost[rule],
                    basis=f"methodology:{rule.value}",
                )
            )
    if left > 0:
        breakdown.append(
            ScoreComponent(
                criterion=CHECKED, points=left, max_points=left, basis="methodology:checks"
            )
        )
    soundness = left / SOUNDNESS_POINTS
    for practice in PRACTICES:
        where = practices.seen.get(practice.key)
        scaled = "" if soundness == 1 else f", {soundness:.0%} of it as the method is only partly sound"
        breakdown.append(
            ScoreComponent(
                criterion=f"{practice.criterion}: "
                + (f"seen at {where}{scaled}" if where else "not seen in the code"),
                points=round(practice.points * soundness, 2) if where else 0.0,
                max_points=practice.points,
                basis=f"methodology:practice:{practice.key}",
            )
        )
    return breakdown, lost


def _no_held_out_finding() -> Finding:
    return Finding(
        rule=f"methodology:{Rule.no_held_out_evaluation.value}",
        message="Nothing in the code evaluates the model on data it was not fitted on: no hold-out "
        "split scored with a metric, no cross-validation. Numbers in the writeup cannot be traced "
        "to the code. Add a stratified hold-out or cross_val_score and report what it measures.",
        severity=RULES[Rule.no_held_out_evaluation].severity,
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _summary(counts: Counter[Rule], files: int) -> str:
    where = _plural(files, "file") + " of code"
    if not counts:
        return f"No methodology problems found in {where}."
    parts = [f"{RULES[rule].short} ({counts[rule]})" for rule in RULES if counts[rule]]
    total = sum(counts.values())
    return f"{_plural(total, 'methodology problem')} in {where}: " + "; ".join(parts) + "."


class MethodologyGrader:
    """Static checks of the candidate's ML methodology: leakage, evaluation, classes, seeds."""

    name = "methodology"
    version = "2.0.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        analysis = methodology_observations(ctx)
        placed, units, failed = analysis.placed, analysis.units, analysis.failed
        if not units:
            return GraderResult(
                name=self.name,
                version=self.version,
                status=GraderStatus.skipped,
                summary="No Python code or notebook cells that could be parsed, so there is no "
                "methodology to judge.",
                metrics={"files_analysed": 0, "files_not_analysed": failed},
            )
        findings, counts = _counted_findings(analysis, ctx)
        practices = find_practices(units)
        breakdown, lost = _breakdown(counts, practices)
        priced = _priced(findings, lost)
        if failed:
            priced.append(
                Finding(
                    rule="methodology:not-analysed",
                    message=f"{failed} files could not be analysed (code nested too deeply).",
                    severity=Severity.info,
                )
            )
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.ok,
            score=score_from_breakdown(breakdown),
            summary=_summary(counts, len(units)),
            metrics=_metrics(analysis, counts, practices),
            findings=priced,
            breakdown=breakdown,
            details={
                "observations": [
                    {
                        "file": p.unit.rel,
                        "line": p.observation.line,
                        "rule": p.observation.rule.value,
                        "subject": p.observation.subject,
                        "related_line": p.observation.related_line,
                    }
                    for p in placed[:200]
                ]
            },
        )


def _counted_findings(
    analysis: SubmissionAnalysis, ctx: GradingContext
) -> tuple[list[Finding], Counter[Rule]]:
    """The findings (at most :data:`MAX_FINDINGS_PER_RULE` per rule) and how many each rule has,
    including "no held-out evaluation", decided for the whole submission."""
    findings: list[Finding] = []
    counts: Counter[Rule] = Counter()
    for item in analysis.placed:
        message = _message(item, ctx)
        if message is None:
            continue
        counts[item.observation.rule] += 1
        if counts[item.observation.rule] <= MAX_FINDINGS_PER_RULE:
            findings.append(_finding(item, message))
    if analysis.no_held_out and not counts[Rule.evaluated_on_training_data]:
        counts[Rule.no_held_out_evaluation] += 1
        findings.append(_no_held_out_finding())
    return findings, counts


def _priced(findings: list[Finding], lost: dict[Rule, float]) -> list[Finding]:
    """Each finding with what it cost, most severe first; past a rule's cap, further findings
    cost nothing."""
    remaining = dict(lost)
    priced: list[Finding] = []
    for finding in findings:
        rule = Rule(finding.rule.split(":", 1)[1])
        cost = min(RULES[rule].per_finding, remaining[rule])
        remaining[rule] -= cost
        priced.append(finding.model_copy(update={"points": -cost if cost else None}))
    priced.sort(
        key=lambda f: {Severity.error: 0, Severity.warning: 1, Severity.info: 2}[f.severity]
    )
    return priced


def _metrics(
    analysis: SubmissionAnalysis, counts: Counter[Rule], practices: PracticeEvidence
) -> dict[str, MetricValue]:
    """Files analysed, findings per rule, held-out evaluations, and each good practice seen."""
    metrics: dict[str, MetricValue] = {
        "files_analysed": len(analysis.units),
        "files_not_analysed": analysis.failed,
        "methodology_problems": sum(counts.values()),
    }
    metrics.update({rule.value.replace("-", "_"): counts[rule] for rule in RULES})
    metrics["held_out_evaluations"] = analysis.held_out_evaluations
    metrics.update({f"practice_{p.key}": p.key in practices.seen for p in PRACTICES})
    return metrics
