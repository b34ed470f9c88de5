import json

import pytest

from helpdesk.__main__ import main
from helpdesk.features import assemble
from helpdesk.metrics import cross_validate
from helpdesk.model import CARD_FILE, TicketModel
from helpdesk.schema import read_table


def test_assemble_checks_lengths():
    with pytest.raises(ValueError, match="2 subjects but 1 bodies"):
        assemble(["a", "b"], ["c"])


def test_model_fits_and_predicts_known_queues(labelled_csv):
    table = read_table(labelled_csv, labelled=True)
    model = TicketModel().fit(table)
    assert model.predict(table) == table.labels


def test_save_writes_a_card_and_load_restores_predictions(tmp_path, labelled_csv):
    table = read_table(labelled_csv, labelled=True)
    model = TicketModel().fit(table)
    model.save(tmp_path / "m")
    card = json.loads((tmp_path / "m" / CARD_FILE).read_text())
    assert card["n_train"] == 18 and card["classes"] == ["account_access", "billing", "shipping"]
    assert TicketModel.load(tmp_path / "m").predict(table) == model.predict(table)


def test_cross_validate_on_separable_data(labelled_csv):
    scores = cross_validate(read_table(labelled_csv, labelled=True), folds=3)
    assert scores.macro_f1 > 0.9


def test_cli_train_predict(tmp_path, labelled_csv):
    assert main(["train", str(labelled_csv), "--model-dir", str(tmp_path / "m")]) == 0
    assert main(["predict", str(labelled_csv), "--model-dir", str(tmp_path / "m"),
                 "--output", str(tmp_path / "out" / "p.csv")]) == 0
    lines = (tmp_path / "out" / "p.csv").read_text().splitlines()
    assert lines[0] == "id,label" and len(lines) == 19
