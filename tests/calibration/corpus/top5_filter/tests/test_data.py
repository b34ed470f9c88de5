import pandas as pd

from classifier.data import keep_top_classes


def test_keep_top_classes_keeps_the_most_frequent():
    df = pd.DataFrame({"label": ["a"] * 5 + ["b"] * 4 + ["c"] * 3 + ["d"] * 2 + ["e"] * 2 + ["f"]})
    kept = keep_top_classes(df, n=2)
    assert sorted(kept["label"].unique()) == ["a", "b"]
    assert len(kept) == 9
