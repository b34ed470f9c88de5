"""``harness similarity evaluate``: recall on planted copies, false flags on independent work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from harness.assignments.loader import load_assignment
from harness.cli.common import escape, fail, load_settings, out
from harness.errors import HarnessError
from harness.integrity.corpus import DEFAULT_CORPUS, CorpusResult, evaluate_corpus

__all__ = ["app", "print_result"]

app = typer.Typer(help="The code-similarity check.", no_args_is_help=True)


def print_result(result: CorpusResult) -> None:
    out.print(f"Planted copies, each against its original (threshold {result.threshold:g}):", highlight=False)
    for c in result.copies:
        mark = "found  " if c.flagged else "[red]MISSED[/] "
        out.print(f"  {mark}{escape(c.name)} <- {escape(c.original)}: {c.similarity:.2f} "
                  f"[dim]({escape(', '.join(c.disguises))})[/]", highlight=False)
    found = sum(c.flagged for c in result.copies)
    out.print(f"Recall on planted copies: {found} of {len(result.copies)} ({result.recall:.0%})",
              highlight=False)
    flagged = result.false_flags
    out.print(f"Independent solutions: {len(result.independent)} ({result.pair_count} pairs, and each "
              f"against the known solutions): {len(flagged)} flagged at the default threshold",
              highlight=False)
    if result.pairs:
        out.print("Strongest matches among them (kept when >= 0.2):", highlight=False)
        for pair in result.pairs[:10]:
            flag = " [red]FLAGGED[/]" if pair.flagged else ""
            out.print(f"  {escape(pair.first)} ~ {escape(pair.second)}: {pair.similarity:.2f}{flag}",
                      highlight=False)
    else:
        out.print("No two of them share 20% of their distinctive code.", highlight=False)
    seconds = sorted(result.check_seconds)
    if seconds:
        out.print(f"Check time per submission: median {seconds[len(seconds) // 2]:.3f} s, "
                  f"max {seconds[-1]:.3f} s", highlight=False)


@app.command()
def evaluate(
    corpus: Annotated[Path, typer.Option(help="Folder with independent/ and copies/ (and copies/MANIFEST.toml).")]
    = DEFAULT_CORPUS,
    also: Annotated[list[Path] | None, typer.Option(
        "--also", help="More independent solutions: a folder of solution folders (repeat).")] = None,
    assignment: Annotated[str, typer.Option("--assignment", "-a", help="Assignment the corpus is for.")]
    = "support-tickets",
    check: Annotated[bool, typer.Option(help="Exit 1 unless every copy is found and nothing else flagged.")]
    = False,
) -> None:
    """Run the similarity check over a corpus in a fresh database: print recall on the planted
    copies and the flags raised on independently written solutions."""
    settings = load_settings()
    try:
        loaded = load_assignment(assignment, settings)
    except HarnessError as exc:
        fail(exc.message)
    folders = [corpus / "independent", corpus / "copies" / "MANIFEST.toml", *(also or [])]
    missing = [str(p) for p in folders if not p.exists()]
    if missing:
        fail(f"not found: {', '.join(missing)}")
    result = evaluate_corpus(corpus, loaded, also_independent=tuple(also or ()))
    print_result(result)
    if check and (result.recall < 1 or result.false_flags):
        raise typer.Exit(1)
