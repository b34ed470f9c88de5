from classifier.train import build_model


def test_model_fits_small_data():
    texts = ["refund my money", "money back please", "cannot log in", "password reset broken"] * 3
    labels = ["refund", "refund", "account_access", "account_access"] * 3
    model = build_model().fit(texts, labels)
    assert model.predict(["please refund my money"])[0] == "refund"
