"""``harness sandbox build`` and ``harness sandbox cleanup``."""

from __future__ import annotations

from typing import Annotated

import typer

import sandbox
from harness.cli.common import EXIT_HARNESS_ERROR, err, fail, load_settings, out
from harness.grading.local import image_recipe

__all__ = ["app"]

app = typer.Typer(help="The sandbox image and containers.", no_args_is_help=True)


@app.command("build")
def build(force: Annotated[bool, typer.Option(help="Rebuild even if the image exists.")] = False) -> None:
    """Build the sandbox image (offline-capable); a no-op when its inputs have not changed."""
    settings = load_settings()
    recipe = image_recipe(settings)
    try:
        tag = sandbox.ensure_image(recipe, progress=lambda m: err.print(m, highlight=False, markup=False), force=force)
    except sandbox.InfrastructureError as exc:
        fail(str(exc), EXIT_HARNESS_ERROR)
    out.print(tag, markup=False)


@app.command("tag")
def tag() -> None:
    """Print the tag the current inputs would build."""
    out.print(sandbox.image_tag(image_recipe(load_settings())), markup=False)


@app.command("cleanup")
def cleanup(
    all_owners: Annotated[bool, typer.Option("--all", help="Also remove containers of live processes "
                                             "and of other hosts sharing this Docker engine.")] = False,
) -> None:
    """Remove sandbox containers left behind by crashed runs."""
    try:
        removed = sandbox.Sandbox().cleanup_leftovers(all_owners=all_owners)
    except sandbox.InfrastructureError as exc:
        fail(str(exc), EXIT_HARNESS_ERROR)
    out.print(f"removed {removed} leftover containers")
