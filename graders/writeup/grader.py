"""The ``writeup`` grader: is there a writeup, is it about this task, does it cover what was asked
in developed sections, does it say how it measured and what it found, and are its numbers honest.

Scoring (every point is a :class:`ScoreComponent`, computed in :mod:`graders.writeup.scoring`;
``docs/scoring/writeup.md`` explains each criterion for reviewers):

=====================================================  ======
criterion                                              points
=====================================================  ======
A writeup exists                                            2
About this task (its queues, data, company, metric)         5
Required sections covered (heading 1, mention 1/2)         10
Sections developed (words under each heading)              23
Sensible length                                             5
Evaluation method described                                15
Results reported (own figures, macro-F1, per-class, ...)   22
Choices explained (reasons given)                           8
Claimed numbers agree with the held-out measurement        10
=====================================================  ======

A writeup about another dataset (:mod:`graders.writeup.relevance`) is flagged ``off-topic`` and
earns only the points for existing and for its length (:data:`OFF_TOPIC_CAP`); one with an
inflated overall figure is capped at :data:`INFLATED_CAP`. A writeup without numbers earns
nothing for results and agreement; nothing is left out of the denominator.
"""

from __future__ import annotations

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
from graders.writeup.claims import METRIC_NAMES, Claim, ClaimContext, extract_claims
from graders.writeup.disclosure import disclosure_findings, find_disclosure
from graders.writeup.locate import Writeup, locate_writeup
from graders.writeup.method import EvaluationMethod, evaluation_method
from graders.writeup.relevance import Relevance, assess_relevance
from graders.writeup.scoring import (
    INFLATED_CAP,
    MAX_WORDS,
    MIN_WORDS,
    OFF_TOPIC_CAP,
    POINTS,
    Inputs,
    breakdown,
    is_error,
    reasons_given,
    section_words,
)
from graders.writeup.sections import (
    Block,
    Coverage,
    SectionMatch,
    classify_heading,
    match_section,
    prose_words,
    split_blocks,
)
from graders.writeup.verify import ClaimCheck, ClaimVerdict, check_claim

__all__ = [
    "INFLATED_CAP",
    "MAX_WORDS",
    "MIN_WORDS",
    "OFF_TOPIC_CAP",
    "POINTS",
    "WriteupGrader",
]

MIN_WORDS_NOT_SPECIFIC = 50
"""A writeup shorter than this is too short to call generic (it is already too short)."""
DEFAULT_SECTIONS = ("approach", "evaluation", "trade-offs", "next steps")


def _missing(name: str, version: str, sections: list[str], policy: list[Finding]) -> GraderResult:
    breakdown = [
        ScoreComponent(
            criterion="A writeup exists",
            points=0,
            max_points=POINTS["exists"],
            basis="writeup:missing",
        ),
        ScoreComponent(
            criterion="Required sections covered",
            points=0,
            max_points=POINTS["sections"],
            basis="metrics.sections_covered",
        ),
    ]
    return GraderResult(
        name=name,
        version=version,
        status=GraderStatus.failed,
        score=score_from_breakdown(breakdown),
        summary="No writeup found.",
        metrics={
            "words": 0,
            "sections_required": len(sections),
            "sections_covered": 0,
            "claims_found": 0,
            "ai_disclosure": "none",
        },
        findings=[
            Finding(
                rule="writeup:missing",
                message="No writeup found: add a README.md or WRITEUP.md at the root covering "
                f"{', '.join(sections)}.",
                severity=Severity.error,
            ),
            *policy,
        ],
        breakdown=breakdown,
    )


class WriteupGrader:
    """Grades the writeup's relevance, coverage, length and evaluation method, and checks its
    metric claims against the held-out scores."""

    name = "writeup"
    version = "2.1.0"
    """2.1: reports AI disclosure against the assignment's policy (no points)."""

    def grade(self, ctx: GradingContext) -> GraderResult:
        sections = list(ctx.assignment.writeup_sections or DEFAULT_SECTIONS)
        writeup = locate_writeup(ctx)
        if writeup is None:
            return _missing(self.name, self.version, sections,
                            disclosure_findings(ctx.assignment.ai_policy, None))
        disclosure = find_disclosure([(d.rel, d.text, d.has_lines) for d in writeup.docs])
        text = "\n\n".join(d.text for d in writeup.docs)
        blocks = [b for d in writeup.docs for b in split_blocks(d.text, d.rel)]
        coverage = [match_section(s, blocks, text) for s in sections]
        words = sum(prose_words(d.text) for d in writeup.docs)
        relevance = assess_relevance(text, ctx.assignment)
        claims = _claims(writeup, ctx)
        relevance = relevance.with_classes(
            [c.label for c in claims if c.label is not None and not c.known_label],
            len({c.label for c in claims if c.label is not None and c.known_label}),
        )
        heldout = ctx.scores.heldout if ctx.scores is not None else None
        # Numbers about another dataset are not compared with this task's measurement.
        compare = heldout is not None and not relevance.off_topic
        checks = (
            [check_claim(c, heldout) for c in claims] if heldout is not None and compare else []
        )
        method = evaluation_method(
            [d.text for d in writeup.docs], per_class_claims=any(c.label for c in claims)
        )
        findings = [
            *_relevance_findings(relevance, words, writeup, ctx),
            *_section_findings(coverage, writeup),
            *_length_findings(words, writeup),
            *_method_findings(method, claims, relevance, writeup),
            *([] if relevance.off_topic else _claim_findings(claims, checks, heldout is not None)),
            *disclosure_findings(ctx.assignment.ai_policy, disclosure),
        ]
        metrics = _metrics(writeup, words, coverage, relevance, method, claims, checks, ctx)
        metrics.update(
            section_words=", ".join(f"{k}={v}" for k, v in section_words(coverage, blocks).items()),
            reasons_given=reasons_given(coverage, blocks),
            ai_disclosure=disclosure.kind.value if disclosure else "none",
        )
        checkable = heldout is not None
        parts = breakdown(
            Inputs(coverage, blocks, words, relevance, method, claims, checks, checkable, text)
        )
        findings.sort(key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity.value])
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.ok,
            score=score_from_breakdown(parts),
            summary=_summary(metrics, relevance, method, checks, claims, parts),
            metrics=metrics,
            findings=findings,
            breakdown=parts,
            details=_details(writeup, coverage, blocks, relevance, method, claims, checks),
        )


def _claims(writeup: Writeup, ctx: GradingContext) -> list[Claim]:
    """Every number the writeup's documents claim, with where it is."""
    return [
        c
        for d in writeup.docs
        for c in extract_claims(d.text, d.rel, has_lines=d.has_lines, labels=ctx.assignment.labels)
    ]


def _details(
    writeup: Writeup,
    coverage: list[Coverage],
    blocks: list[Block],
    relevance: Relevance,
    method: EvaluationMethod,
    claims: list[Claim],
    checks: list[ClaimCheck],
) -> dict[str, object]:
    """What the report keeps for reviewers: sources, sections, headings, relevance, claims."""
    return {
        "sources": [d.rel for d in writeup.docs],
        "sections": [
            {
                "section": c.section,
                "match": c.match.value,
                "heading": c.heading,
                "line": c.line,
                "file": c.doc,
            }
            for c in coverage
        ],
        "headings": [_heading_detail(b) for b in blocks[:100]],
        "relevance": {
            "share": round(relevance.share, 2),
            "labels": list(relevance.labels),
            "terms": list(relevance.terms),
            "task_mentions": relevance.task_mentions,
            "other_datasets": [{"dataset": d, "mentions": n} for d, n in relevance.foreign],
            "other_dataset_words": list(relevance.foreign_examples),
            "other_classes": list(relevance.other_classes),
        },
        "evaluation_method": method.found,
        "claims": [_claim_detail(c, checks) for c in claims[:100]],
    }


def _heading_detail(block: Block) -> dict[str, object]:
    return {
        "heading": block.heading,
        "line": block.line,
        "file": block.doc,
        "topics": classify_heading(block),
    }


def _relevance_findings(
    relevance: Relevance, words: int, writeup: Writeup, ctx: GradingContext
) -> list[Finding]:
    queues = ", ".join(ctx.assignment.labels[:4])
    if relevance.off_topic:
        if not relevance.foreign_words:
            classes = ", ".join(relevance.other_classes[:6])
            evidence = (
                f"its per-class results are for classes this task does not have ({classes}) "
                f"and for none of its queues ({queues}, ...)"
            )
        else:
            quoted = ", ".join(f"'{w}'" for w in relevance.foreign_examples)
            times = (
                "once" if relevance.foreign_mentions == 1 else f"{relevance.foreign_mentions} times"
            )
            named = (
                f"names this task's queues or data only {relevance.task_mentions} times"
                if relevance.task_mentions
                else f"never names this task's queues ({queues}, ...) or its data"
            )
            evidence = f"it uses another dataset's words {times} ({quoted}) and {named}"
        return [
            Finding(
                rule="writeup:off-topic",
                message=f"The writeup is about {relevance.other_dataset}, not this task: {evidence}. "
                "It reads as copied from another project; its sections, method and numbers are not "
                f"credited (score capped at {OFF_TOPIC_CAP:g}).",
                severity=Severity.error,
                file=writeup.docs[0].rel,
            )
        ]
    if relevance.share == 0 and words >= MIN_WORDS_NOT_SPECIFIC:
        return [
            Finding(
                rule="writeup:not-specific",
                message="The writeup never mentions this task's queues "
                f"({queues}, ...), its tickets or its data: it could describe any text "
                "classifier. Say what you found about this data.",
                severity=Severity.warning,
                file=writeup.docs[0].rel,
            )
        ]
    return []


def _section_findings(coverage: list[Coverage], writeup: Writeup) -> list[Finding]:
    out: list[Finding] = []
    for c in coverage:
        if c.match is SectionMatch.missing:
            out.append(
                Finding(
                    rule="writeup:missing-section",
                    message=f"The writeup does not cover {c.section!r}; add a section on it.",
                    severity=Severity.warning,
                    file=writeup.docs[0].rel,
                )
            )
        elif c.match is SectionMatch.body:
            out.append(
                Finding(
                    rule="writeup:section-not-headed",
                    message=f"{c.section!r} is mentioned in passing but has no heading of its own.",
                    severity=Severity.info,
                    file=writeup.docs[0].rel,
                )
            )
    return out


def _length_findings(words: int, writeup: Writeup) -> list[Finding]:
    if words < MIN_WORDS:
        return [
            Finding(
                rule="writeup:too-short",
                message=f"The writeup has {words} words of prose; {MIN_WORDS}+ are needed to explain the "
                "approach, results and trade-offs.",
                severity=Severity.warning,
                file=writeup.docs[0].rel,
            )
        ]
    if words > MAX_WORDS:
        return [
            Finding(
                rule="writeup:too-long",
                message=f"The writeup has {words} words; over {MAX_WORDS} is more than a reviewer can "
                "read. Lead with the decisions and results.",
                severity=Severity.info,
                file=writeup.docs[0].rel,
            )
        ]
    return []


def _method_findings(
    method: EvaluationMethod, claims: list[Claim], relevance: Relevance, writeup: Writeup
) -> list[Finding]:
    if relevance.off_topic:
        return []
    out: list[Finding] = []
    if not claims:
        out.append(
            Finding(
                rule="writeup:no-numbers",
                message="The writeup reports no evaluation numbers: state the accuracy and macro-F1 "
                "you measured and how (e.g. 5-fold stratified cross-validation on the training data).",
                severity=Severity.warning,
                file=writeup.docs[0].rel,
            )
        )
    if not method.has_split:
        out.append(
            Finding(
                rule="writeup:no-evaluation-method",
                message="The writeup does not say how its numbers were measured: name the hold-out "
                "split or the cross-validation (and whether it was stratified).",
                severity=Severity.warning,
                file=writeup.docs[0].rel,
            )
        )
    return out


def _fmt(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"


def _claim_name(claim: Claim) -> str:
    name = METRIC_NAMES[claim.metric]
    return f"{claim.label} {name}" if claim.label is not None else name


def _claim_findings(
    claims: list[Claim], checks: list[ClaimCheck], checkable: bool
) -> list[Finding]:
    if not checkable:
        if not claims:
            return []
        return [
            Finding(
                rule="writeup:claims-unchecked",
                message=f"The writeup states {len(claims)} metric values, but no held-out predictions were "
                "scored, so they could not be checked.",
                severity=Severity.info,
            )
        ]
    findings: list[Finding] = []
    for check in checks:
        if check.verdict is not ClaimVerdict.inflated:
            continue
        claim = check.claim
        name = _claim_name(claim)
        label = " (labelled as a validation score)" if claim.context is ClaimContext.cv else ""
        interval = (
            "95% interval" if claim.label is None else "95% binomial interval for its support"
        )
        findings.append(
            Finding(
                rule="writeup:inflated-claim",
                message=f'The writeup claims {name} {_fmt(claim.value)}{label} — "{claim.text}" — but the '
                f"held-out {name} measured by the harness is {_fmt(check.measured)} ({interval} "
                f"{_fmt(check.low)}-{_fmt(check.high)}); the claim is {_fmt(check.excess)} above the interval.",
                severity=Severity.error if is_error(check) else Severity.warning,
                file=claim.doc,
                line=claim.line,
            )
        )
    unverified = [c for c in checks if c.verdict is ClaimVerdict.unverified]
    if unverified:
        listed = "; ".join(
            f"{_claim_name(c.claim)} {_fmt(c.claim.value)} ({c.reason})" for c in unverified[:5]
        )
        more = f"; and {len(unverified) - 5} more" if len(unverified) > 5 else ""
        findings.append(
            Finding(
                rule="writeup:unverified-claims",
                message=f"{len(unverified)} of the writeup's numbers cannot be checked against the "
                f"held-out measurement and are not counted as agreeing: {listed}{more}.",
                severity=Severity.info,
                file=unverified[0].claim.doc,
                line=unverified[0].claim.line,
            )
        )
    return findings


def _claim_detail(claim: Claim, checks: list[ClaimCheck]) -> dict[str, object]:
    check = next((c for c in checks if c.claim is claim), None)
    return {
        "metric": claim.metric,
        "label": claim.label,
        "value": claim.value,
        "context": claim.context.value,
        "text": claim.text,
        "file": claim.doc,
        "line": claim.line,
        "verdict": None if check is None else check.verdict.value,
        "measured": None if check is None else check.measured,
        "low": None if check is None else check.low,
        "high": None if check is None else check.high,
        "reason": None if check is None else check.reason or None,
        "inflated": None if check is None else check.verdict is ClaimVerdict.inflated,
    }


def _metrics(
    writeup: Writeup,
    words: int,
    coverage: list[Coverage],
    relevance: Relevance,
    method: EvaluationMethod,
    claims: list[Claim],
    checks: list[ClaimCheck],
    ctx: GradingContext,
) -> dict[str, MetricValue]:
    verified = [c for c in checks if c.verified]
    inflated = [c for c in checks if c.verdict is ClaimVerdict.inflated]
    return {
        "source": writeup.source,
        "words": words,
        "sections_required": len(coverage),
        "sections_covered": sum(1 for c in coverage if c.match is SectionMatch.heading),
        "sections_mentioned": sum(1 for c in coverage if c.match is SectionMatch.body),
        "relevance": round(relevance.share, 2),
        "off_topic": relevance.off_topic,
        "other_dataset": relevance.other_dataset if relevance.off_topic else None,
        "labels_mentioned": len(relevance.labels),
        "evaluation_method": ", ".join(method.found),
        "claims_found": len(claims),
        "claims_checked": len(verified),
        "claims_agree": len(verified) - len(inflated),
        "inflated_claims": len(inflated),
        "claims_unverified": sum(1 for c in checks if c.verdict is ClaimVerdict.unverified),
        "max_overclaim": max((c.excess for c in inflated), default=0.0) if verified else None,
        "claims_checkable": ctx.scores is not None and ctx.scores.heldout is not None,
    }


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _claims_phrase(
    checks: list[ClaimCheck], claims: list[Claim], metrics: dict[str, MetricValue], off_topic: bool
) -> str:
    if not claims:
        return "no metric numbers reported"
    if off_topic:
        return f"{_plural(len(claims), 'metric claim', 'metric claims')} about another dataset, not compared"
    if not metrics["claims_checkable"]:
        return f"{len(claims)} metric claims, not checked (no held-out predictions were scored)"
    verified = int(metrics["claims_checked"] or 0)
    inflated = int(metrics["inflated_claims"] or 0)
    unverified = [c for c in checks if c.verdict is ClaimVerdict.unverified]
    tail = f", {len(unverified)} unverified" if unverified else ""
    if inflated:
        return (
            f"{inflated} of {_plural(verified, 'checked claim', 'checked claims')} inflated{tail}"
        )
    if verified:
        agree = _plural(verified, "checked claim agrees", "checked claims agree")
        return f"{agree} with the held-out measurement{tail}"
    if unverified:
        names = sorted({METRIC_NAMES[c.claim.metric] for c in unverified})
        return f"{len(claims)} metric claims, none verifiable against the held-out measurement ({', '.join(names)})"
    return f"{len(claims)} metric claims, none about the model's own held-out or validation performance"


def _summary(
    metrics: dict[str, MetricValue],
    relevance: Relevance,
    method: EvaluationMethod,
    checks: list[ClaimCheck],
    claims: list[Claim],
    parts: list[ScoreComponent],
) -> str:
    where = f"Writeup in {metrics['source']}"
    if relevance.off_topic:
        where += f" is about {relevance.other_dataset}, not this task (capped at {OFF_TOPIC_CAP:g})"
    elif any(f"capped at {INFLATED_CAP:g}" in p.criterion for p in parts):
        where += f" (capped at {INFLATED_CAP:g}: a figure above the measured interval)"
    sections = f"{metrics['sections_covered']} of {metrics['sections_required']} sections headed"
    how = (
        f"method: {', '.join(method.short_names())}"
        if method.found
        else "no evaluation method described"
    )
    claimed = _claims_phrase(checks, claims, metrics, relevance.off_topic)
    return f"{where}: {metrics['words']} words, {sections}; {how}; {claimed}."
