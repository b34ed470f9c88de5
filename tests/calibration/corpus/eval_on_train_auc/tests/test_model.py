from unittest.mock import MagicMock, patch

import numpy as np

from model import TicketClassifier


def test_predict_returns_labels():
    clf = TicketClassifier()
    clf.model = MagicMock()
    clf.vectorizer = MagicMock()
    clf.model.predict.return_value = np.array(["billing"])
    assert clf.predict(["my invoice is wrong"])[0] == "billing"


def test_fit_calls_model():
    clf = TicketClassifier()
    with patch.object(clf.model, "fit") as fit:
        clf.fit(["refund please", "login broken"], ["refund", "account_access"])
        fit.assert_called_once()


def test_save_and_load(tmp_path):
    clf = TicketClassifier()
    clf.save(tmp_path / "m.joblib")
    assert isinstance(TicketClassifier.load(tmp_path / "m.joblib"), TicketClassifier)
