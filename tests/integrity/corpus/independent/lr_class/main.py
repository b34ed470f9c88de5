import argparse

import pandas as pd
from classifier import TicketClassifier


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--train-csv", required=True)
    t.add_argument("--model-dir", required=True)
    p = sub.add_parser("predict")
    p.add_argument("--model-dir", required=True)
    p.add_argument("--test-csv", required=True)
    p.add_argument("--out", required=True)
    a = ap.parse_args()

    if a.cmd == "train":
        frame = pd.read_csv(a.train_csv, keep_default_na=False)
        TicketClassifier().fit(frame).save(a.model_dir)
    else:
        clf = TicketClassifier.load(a.model_dir)
        frame = pd.read_csv(a.test_csv, keep_default_na=False)
        frame.assign(label=clf.predict(frame))[["id", "label"]].to_csv(a.out, index=False)


if __name__ == "__main__":
    main()
