import pandas as pd

from tixclf import predict as predict_cli
from tixclf import train as train_cli
from tixclf.model import fit, predict


def test_model_learns_the_synthetic_queues(tickets):
    assert predict(fit(tickets), tickets) == list(tickets["label"])


def test_commands_write_predictions_for_every_id(tmp_path, tickets):
    tickets.to_csv(tmp_path / "train.csv", index=False)
    tickets.drop(columns="label").to_csv(tmp_path / "test.csv", index=False)
    train_cli.main(["--train", str(tmp_path / "train.csv"), "--model-dir", str(tmp_path / "m")])
    predict_cli.main(["--model-dir", str(tmp_path / "m"), "--input", str(tmp_path / "test.csv"),
                      "--output", str(tmp_path / "p.csv")])
    out = pd.read_csv(tmp_path / "p.csv")
    assert list(out["id"]) == list(tickets["id"])
    assert (out["label"] == tickets["label"]).all()


def test_rare_metadata_values_do_not_crash(tickets):
    model = fit(tickets)
    odd = tickets.head(2).copy()
    odd["product_area"] = ["never_seen", ""]
    assert len(predict(model, odd)) == 2
