import pandas as pd
import pytest

from ticket_router import model
from ticket_router.__main__ import main

from .conftest import make_frame


def test_fitted_model_separates_distinct_queues(frame):
    fitted = model.fit(frame)
    assert (fitted.predict(frame) == frame["label"]).mean() == 1.0


def test_history_below_a_reply_marker_is_ignored(frame):
    fitted = model.fit(frame)
    ticket = make_frame(per_class=1, labelled=False).iloc[[0]].copy()
    ticket["subject"] = "Help"
    ticket["body"] = ("please add dark mode\n\nOn Mon, Support <a@b.com> wrote:\n"
                      "> reset my password two factor code not received cannot log in")
    assert list(fitted.predict(ticket)) == ["feature_request"]


def test_save_load_roundtrip(tmp_path, frame):
    fitted = model.fit(frame)
    model.save(fitted, tmp_path)
    assert list(model.load(tmp_path).predict(frame)) == list(fitted.predict(frame))


def test_load_without_model_explains_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="fit"):
        model.load(tmp_path)


def test_cli_fit_predict(tmp_path):
    make_frame().to_csv(tmp_path / "train.csv", index=False)
    make_frame(per_class=2, labelled=False).to_csv(tmp_path / "test.csv", index=False)
    assert main(["fit", str(tmp_path / "train.csv"), str(tmp_path / "m")]) == 0
    assert main(["predict", str(tmp_path / "m"), str(tmp_path / "test.csv"), str(tmp_path / "p.csv")]) == 0
    out = pd.read_csv(tmp_path / "p.csv")
    assert out.columns.tolist() == ["id", "label"] and len(out) == 8
