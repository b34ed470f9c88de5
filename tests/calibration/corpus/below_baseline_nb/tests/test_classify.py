import pandas as pd

import classify


def test_subjects_are_lowercased_and_missing_become_empty():
    df = pd.DataFrame({"subject": ["Refund NOW", None]})
    assert classify.subjects(df).tolist() == ["refund now", ""]


def test_fit_and_predict(tmp_path):
    df = pd.DataFrame({
        "id": [f"T-{i}" for i in range(20)],
        "subject": ["refund please", "password reset"] * 10,
        "label": ["refund", "account_access"] * 10,
    })
    df.to_csv(tmp_path / "train.csv", index=False)
    classify.fit(str(tmp_path / "train.csv"), str(tmp_path / "m" / "nb.joblib"))
    classify.predict(str(tmp_path / "train.csv"), str(tmp_path / "m" / "nb.joblib"), str(tmp_path / "p.csv"))
    out = pd.read_csv(tmp_path / "p.csv")
    assert (out["label"] == df["label"]).all()
