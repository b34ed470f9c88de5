import pandas as pd

from ticketroute.cli import main


def test_train_then_predict_writes_a_label_per_ticket(tmp_path, tickets, tickets_csv):
    unlabelled = tmp_path / "test.csv"
    tickets.drop(columns=["label"]).to_csv(unlabelled, index=False)
    out = tmp_path / "out" / "predictions.csv"
    assert main(["train", "--train", str(tickets_csv), "--model-dir", str(tmp_path / "m")]) == 0
    assert main(["predict", "--model-dir", str(tmp_path / "m"), "--input", str(unlabelled), "--output", str(out)]) == 0
    written = pd.read_csv(out, dtype=str)
    assert list(written["id"]) == list(tickets["id"])
    assert list(written["label"]) == list(tickets["label"])


def test_a_bad_file_is_an_error_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,subject\nT-1,hello\n")
    assert main(["train", "--train", str(bad), "--model-dir", str(tmp_path / "m")]) == 2
    assert "missing column" in capsys.readouterr().err


def test_predicting_without_a_model_is_an_error(tmp_path, tickets_csv):
    assert main(["predict", "--model-dir", str(tmp_path / "none"), "--input", str(tickets_csv),
                 "--output", str(tmp_path / "p.csv")]) == 2
