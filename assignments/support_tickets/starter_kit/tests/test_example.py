"""An example of a small, meaningful test. Replace the function with your own code's functions.

Your tests run with ``pytest`` from the root of your submission, in the grading sandbox, with the
training data's path in the ``TRAIN_CSV`` environment variable (no network). A good test pins down
one behaviour with a concrete input and an exact expected output; ``assert True`` or a test that
only imports a module earns nothing.
"""

import os
import re

import pytest

_QUOTE_HEADER = re.compile(r"^On .{0,120}wrote:$", re.MULTILINE)


def strip_quoted_reply(body: str) -> str:
    """Drop an earlier e-mail quoted below the customer's message (Gmail style)."""
    match = _QUOTE_HEADER.search(body)
    return (body[: match.start()] if match else body).strip()


def test_strip_quoted_reply_keeps_only_the_new_message() -> None:
    body = (
        "My card reader will not pair.\n\n"
        "On Tue, 12 Mar 2024 at 10:14, Tillpoint Support <support@tillpoint.com> wrote:\n"
        "> We have refunded your subscription."
    )
    assert strip_quoted_reply(body) == "My card reader will not pair."


@pytest.mark.parametrize("body", ["No quote here.", "  Spaces around  "])
def test_strip_quoted_reply_leaves_other_text_alone(body: str) -> None:
    assert strip_quoted_reply(body) == body.strip()


def test_training_data_has_the_contract_columns() -> None:
    """Uses the real training data when TRAIN_CSV is set (it is, in the grading sandbox)."""
    path = os.environ.get("TRAIN_CSV")
    if not path:
        pytest.skip("set TRAIN_CSV=path/to/train.csv to run this test locally")
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert {"id", "subject", "body", "label"} <= set(frame.columns)
    assert frame["id"].is_unique
