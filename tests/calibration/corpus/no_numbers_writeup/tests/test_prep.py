import pandas as pd

from router.prep import body_text, documents


def test_body_text_cuts_thread():
    assert "refund" not in body_text("tap to pay fails\nOn Mon, A <a@b.c> wrote:\n> refund done")


def test_body_text_drops_quotes_and_signature():
    assert body_text("x\n> y\nSent from my iPhone").split() == ["x"]


def test_documents_add_plan_token_and_handle_empty_plan():
    frame = pd.DataFrame({"subject": ["Hi", "Yo"], "body": ["a", "b"], "customer_plan": ["growth", ""]})
    assert documents(frame) == ["hi a plan_growth", "yo b plan_unknown"]
