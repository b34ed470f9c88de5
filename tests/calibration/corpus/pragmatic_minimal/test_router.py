import pandas as pd

import router


def frame(n=4):
    rows = []
    for label, text in [("billing", "question about my invoice charge"),
                        ("shipping", "reader delivery tracking late"),
                        ("account_access", "cannot log in password reset")]:
        rows += [{"id": f"{label}{i}", "subject": text.split()[0], "body": text, "label": label}
                 for i in range(n)]
    return pd.DataFrame(rows)


def test_ticket_text_drops_quoted_history():
    body = "reader won't pair\nOn Mon, Support <s@t.com> wrote:\n> refund sent"
    assert router.ticket_text("Help", body) == "Help\nreader won't pair\n"


def test_ticket_text_drops_stray_quoted_lines_without_header():
    assert "old" not in router.ticket_text("S", "new text\n> old text")


def test_train_then_predict_roundtrip(tmp_path):
    frame().to_csv(tmp_path / "train.csv", index=False)
    frame(1).drop(columns="label").to_csv(tmp_path / "test.csv", index=False)
    router.train(str(tmp_path / "train.csv"), str(tmp_path / "m"))
    router.predict(str(tmp_path / "m"), str(tmp_path / "test.csv"), str(tmp_path / "p.csv"))
    out = pd.read_csv(tmp_path / "p.csv")
    assert out.to_dict("list") == {"id": ["billing0", "shipping0", "account_access0"],
                                   "label": ["billing", "shipping", "account_access"]}


def test_bad_usage_returns_2():
    assert router.main(["predict", "only-one-arg"]) == 2
