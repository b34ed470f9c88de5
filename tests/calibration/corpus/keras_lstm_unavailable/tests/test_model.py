from model import NUM_CLASSES, build_model


def test_output_shape():
    model = build_model()
    assert model.output_shape == (None, NUM_CLASSES)
