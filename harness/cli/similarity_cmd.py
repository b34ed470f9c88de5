"""``harness similarity evaluate``: recall on planted copies, false flags on independent work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from harness.assignments.loader import load_assignment
from harness.cli.common import escape, fail, load_settings, out
from harness.errors import HarnessError
from harness.integrity.corpus import DEFAULT_CORPUS, CorpusResult, evaluate_corpus

__all__ = ["app", "print_result"]

app = typer.Typer(help="The code-similarity check.", no_args_is_help=True)


def print_result(result: CorpusResult) -> None:
    copies = Table(title=f"Planted copies (threshold {result.threshold:g})", title_justify="left")
    for column in ("copy", "original"):
        copies.add_column(column, no_wrap=True)
    copies.add_column("disguises", overflow="fold", ratio=1)
    copies.add_column("similarity", justify="right")
    copies.add_column("flagged")
    for c in result.copies:
        copies.add_row(escape(c.name), escape(c.original), escape(", ".join(c.disguises)),
                       f"{c.similarity:.2f}", "yes" if c.flagged else "[red]NO[/]")
    out.print(copies)
    found = sum(c.flagged for c in result.copies)
    out.print(f"Recall on planted copies: {found} of {len(result.copies)} ({result.recall:.0%})",
              highlight=False)
    flagged = result.false_flags
    out.print(f"Independent solutions: {len(result.independent)} ({result.pair_count} pairs, and each "
              f"against the known solutions): {len(flagged)} flagged at the default threshold",
              highlight=False)
    strongest = Table(title="Strongest matches among independent solutions (kept when ≥ 0.2)",
                      title_justify="left")
    for column in ("solution", "matched"):
        strongest.add_column(column, no_wrap=True)
    strongest.add_column("similarity", justify="right")
    strongest.add_column("flagged")
    for pair in result.pairs[:10]:
        strongest.add_row(escape(pair.first), escape(pair.second), f"{pair.similarity:.2f}",
                          "[red]yes[/]" if pair.flagged else "no")
    if result.pairs:
        out.print(strongest)
    else:
        out.print("No two independent solutions share 20% of their distinctive code.")
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
