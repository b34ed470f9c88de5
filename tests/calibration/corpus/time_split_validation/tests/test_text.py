from tixclf.text import document, new_message, normalise


def test_new_message_stops_at_reply_header():
    assert new_message("fix my reader\nOn Tue, Ann <a@b.co> wrote:\nold") == "fix my reader\n"


def test_new_message_removes_footer_and_quotes():
    assert new_message("hello\n> quoted\nSent from my iPhone").split() == ["hello"]


def test_normalise_placeholders():
    assert normalise("Order ORD-12345 for $49.99, mail jo@shop.com, 3 items") == \
        "order tok_ref for tok_money , mail tok_email , tok_num items"


def test_document_weights_subject_twice():
    assert document("Refund", "please").split() == ["refund", "refund", "please"]
