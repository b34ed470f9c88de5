"""Session-wide fixtures shared by every test folder."""

from __future__ import annotations

import pytest

import sandbox


@pytest.fixture(scope="session")
def sandbox_image() -> str:
    """Tag of the sandbox image, built once (offline-capable, minutes the first time on a new
    machine, instant after) and shared by every test that runs containers."""
    return sandbox.ensure_image(sandbox.ImageRecipe(), progress=print)
