"""python -m routing.cli train|predict|evaluate ..."""
import sys

import pandas as pd
from sklearn.metrics import classification_report
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from routing import model


def main(argv):
    cmd = argv[0]
    if cmd == "train":
        df = pd.read_csv(argv[1])
        model.save(model.train(df), argv[2])
    elif cmd == "predict":
        df = pd.read_csv(argv[2])
        labels = model.load(argv[1]).predict(model.texts(df))
        pd.DataFrame({"id": df["id"], "label": labels}).to_csv(argv[3], index=False)
    elif cmd == "evaluate":
        df = pd.read_csv(argv[1])
        cv = StratifiedKFold(5, shuffle=True, random_state=0)
        pred = cross_val_predict(model.build(), model.texts(df), df["label"], cv=cv)
        print(classification_report(df["label"], pred, digits=3))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
