import pandas as pd

from router import predict as predict_cmd
from router import train as train_cmd
from router.model import fit, predict


def tickets():
    rows = []
    for label, text in {"shipping": "where is my reader parcel", "how_to": "how do I add staff members",
                        "bug_report": "receipt printer error after update"}.items():
        rows += [{"id": f"{label}-{i}", "subject": text[:12], "body": text, "customer_plan": "free",
                  "label": label} for i in range(5)]
    return pd.DataFrame(rows)


def test_fit_predict_on_separable_tickets():
    df = tickets()
    assert predict(fit(df), df) == df["label"].tolist()


def test_training_twice_gives_the_same_model():
    df = tickets()
    a, b = fit(df), fit(df)
    assert (a[-1].coef_ == b[-1].coef_).all()


def test_commands_end_to_end(tmp_path):
    df = tickets()
    df.to_csv(tmp_path / "t.csv", index=False)
    df.drop(columns="label").to_csv(tmp_path / "x.csv", index=False)
    train_cmd.main(["--train", str(tmp_path / "t.csv"), "--model-dir", str(tmp_path / "m")])
    predict_cmd.main(["--model-dir", str(tmp_path / "m"), "--input", str(tmp_path / "x.csv"),
                      "--output", str(tmp_path / "p.csv")])
    assert pd.read_csv(tmp_path / "p.csv")["label"].tolist() == df["label"].tolist()
