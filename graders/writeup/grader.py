"""The ``writeup`` grader: is there a writeup, does it cover what was asked, are its numbers honest."""

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
from graders.writeup.claims import Claim, ClaimCheck, ClaimContext, check_claim, extract_claims
from graders.writeup.locate import Writeup, locate_writeup
from graders.writeup.sections import (
    Coverage,
    SectionMatch,
    extract_headings,
    match_section,
    prose_words,
)

__all__ = ["MAX_WORDS", "MIN_WORDS", "WriteupGrader"]

MIN_WORDS = 150
"""Fewer words of prose than this is too short to explain approach, results and trade-offs."""
MAX_WORDS = 3000
"""More than this is too long for a reviewer to read in a take-home review."""
DEFAULT_SECTIONS = ("approach", "evaluation", "trade-offs", "next steps")

_METRIC_NAMES = {
    "accuracy": "accuracy",
    "macro_f1": "macro-F1",
    "weighted_f1": "weighted-F1",
    "f1": "F1",
}


def _missing(name: str, version: str, sections: list[str]) -> GraderResult:
    breakdown = [
        ScoreComponent(
            criterion="A writeup exists", points=0, max_points=10, basis="writeup:missing"
        ),
        ScoreComponent(
            criterion="Required sections covered",
            points=0,
            max_points=40,
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
        },
        findings=[
            Finding(
                rule="writeup:missing",
                message="No writeup found: add a README.md or WRITEUP.md at the root covering "
                f"{', '.join(sections)}.",
                severity=Severity.error,
            )
        ],
        breakdown=breakdown,
    )


class WriteupGrader:
    """Grades the writeup's coverage and length, and checks its metric claims against held-out scores."""

    name = "writeup"
    version = "1.0.0"

    def grade(self, ctx: GradingContext) -> GraderResult:
        sections = list(ctx.assignment.writeup_sections or DEFAULT_SECTIONS)
        writeup = locate_writeup(ctx)
        if writeup is None:
            return _missing(self.name, self.version, sections)
        findings: list[Finding] = []
        text = "\n\n".join(d.text for d in writeup.docs)
        headings = [h for d in writeup.docs for h in extract_headings(d.text)]
        coverage = [match_section(s, headings, text) for s in sections]
        words = sum(prose_words(d.text) for d in writeup.docs)
        findings.extend(_section_findings(coverage, writeup))
        if words < MIN_WORDS:
            findings.append(
                Finding(
                    rule="writeup:too-short",
                    message=f"The writeup has {words} words of prose; {MIN_WORDS}+ are needed to explain the "
                    "approach, results and trade-offs.",
                    severity=Severity.warning,
                    file=writeup.docs[0].rel,
                )
            )
        elif words > MAX_WORDS:
            findings.append(
                Finding(
                    rule="writeup:too-long",
                    message=f"The writeup has {words} words; over {MAX_WORDS} is more than a reviewer can "
                    "read. Lead with the decisions and results.",
                    severity=Severity.info,
                    file=writeup.docs[0].rel,
                )
            )
        claims = [
            c for d in writeup.docs for c in extract_claims(d.text, d.rel, has_lines=d.has_lines)
        ]
        checks, claim_findings = _check_claims(ctx, claims)
        findings.extend(claim_findings)
        metrics = _metrics(writeup, words, coverage, claims, checks, ctx)
        breakdown = _breakdown(coverage, words, claims, checks)
        findings.sort(key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity.value])
        return GraderResult(
            name=self.name,
            version=self.version,
            status=GraderStatus.ok,
            score=score_from_breakdown(breakdown),
            summary=_summary(metrics),
            metrics=metrics,
            findings=findings,
            breakdown=breakdown,
            details={
                "sources": [d.rel for d in writeup.docs],
                "sections": [
                    {
                        "section": c.section,
                        "match": c.match.value,
                        "heading": c.heading,
                        "line": c.line,
                    }
                    for c in coverage
                ],
                "claims": [_claim_detail(c, checks) for c in claims[:100]],
            },
        )


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


def _fmt(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"


def _check_claims(
    ctx: GradingContext, claims: list[Claim]
) -> tuple[list[ClaimCheck], list[Finding]]:
    heldout = ctx.scores.heldout if ctx.scores is not None else None
    if heldout is None:
        if not claims:
            return [], []
        return [], [
            Finding(
                rule="writeup:claims-unchecked",
                message=f"The writeup states {len(claims)} metric values, but no held-out predictions were "
                "scored, so they could not be checked.",
                severity=Severity.info,
            )
        ]
    checks = [check for c in claims if (check := check_claim(c, heldout)) is not None]
    findings: list[Finding] = []
    for check in checks:
        if not check.inflated:
            continue
        claim = check.claim
        name = _METRIC_NAMES[claim.metric]
        label = " (labelled as a validation score)" if claim.context is ClaimContext.cv else ""
        findings.append(
            Finding(
                rule="writeup:inflated-claim",
                message=f'The writeup claims {name} {_fmt(claim.value)}{label} — "{claim.text}" — but the '
                f"held-out {name} measured by the harness is {_fmt(check.measured)} (95% interval "
                f"{_fmt(check.low)}-{_fmt(check.high)}); the claim is {_fmt(check.excess)} above the interval.",
                severity=Severity.warning if claim.context is ClaimContext.cv else Severity.error,
                file=claim.doc,
                line=claim.line,
            )
        )
    return checks, findings


def _claim_detail(claim: Claim, checks: list[ClaimCheck]) -> dict[str, object]:
    check = next((c for c in checks if c.claim is claim), None)
    return {
        "metric": claim.metric,
        "value": claim.value,
        "context": claim.context.value,
        "text": claim.text,
        "file": claim.doc,
        "line": claim.line,
        "measured": None if check is None else check.measured,
        "inflated": None if check is None else check.inflated,
    }


def _metrics(
    writeup: Writeup,
    words: int,
    coverage: list[Coverage],
    claims: list[Claim],
    checks: list[ClaimCheck],
    ctx: GradingContext,
) -> dict[str, MetricValue]:
    inflated = [c for c in checks if c.inflated]
    return {
        "source": writeup.source,
        "words": words,
        "sections_required": len(coverage),
        "sections_covered": sum(1 for c in coverage if c.match is SectionMatch.heading),
        "sections_mentioned": sum(1 for c in coverage if c.match is SectionMatch.body),
        "claims_found": len(claims),
        "claims_checked": len(checks),
        "inflated_claims": len(inflated),
        "max_overclaim": max((c.excess for c in inflated), default=0.0) if checks else None,
        "claims_checkable": ctx.scores is not None and ctx.scores.heldout is not None,
    }


def _breakdown(
    coverage: list[Coverage], words: int, claims: list[Claim], checks: list[ClaimCheck]
) -> list[ScoreComponent]:
    credit = {SectionMatch.heading: 1.0, SectionMatch.body: 0.5, SectionMatch.missing: 0.0}
    section_share = sum(credit[c.match] for c in coverage) / len(coverage) if coverage else 1.0
    if words < MIN_WORDS:
        length = words / MIN_WORDS
    elif words > MAX_WORDS:
        length = 0.5
    else:
        length = 1.0
    parts = [
        ScoreComponent(
            criterion="A writeup exists", points=10, max_points=10, basis="writeup:missing"
        ),
        ScoreComponent(
            criterion="Required sections covered (a heading each; half for a mention in passing)",
            points=round(40 * section_share, 2),
            max_points=40,
            basis="metrics.sections_covered",
        ),
        ScoreComponent(
            criterion=f"Sensible length ({MIN_WORDS}-{MAX_WORDS} words)",
            points=round(10 * length, 2),
            max_points=10,
            basis="metrics.words",
        ),
        ScoreComponent(
            criterion="Reports evaluation numbers",
            points=10 if claims else 0,
            max_points=10,
            basis="metrics.claims_found",
        ),
    ]
    if checks:
        inflated = [c for c in checks if c.inflated]
        test_inflated = any(c.claim.context is ClaimContext.test for c in inflated)
        honesty = 0.0 if test_inflated else 0.5 if inflated else 1.0
        parts.append(
            ScoreComponent(
                criterion="Claimed numbers agree with the held-out measurement",
                points=30 * honesty,
                max_points=30,
                basis="writeup:inflated-claim",
            )
        )
    return parts


def _summary(metrics: dict[str, MetricValue]) -> str:
    claims = (
        f"{metrics['inflated_claims']} of {metrics['claims_checked']} checked claims inflated"
        if metrics["claims_checked"]
        else f"{metrics['claims_found']} metric claims, none checked"
    )
    return (
        f"Writeup in {metrics['source']}: {metrics['words']} words, {metrics['sections_covered']} of "
        f"{metrics['sections_required']} sections headed; {claims}."
    )
