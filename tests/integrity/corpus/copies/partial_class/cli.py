"""Entry points for training and prediction."""
import sys
from pathlib import Path

import pandas as pd

from model import TicketClassifier


def train(train_csv: str, model_dir: str) -> None:
    tickets = pd.read_csv(train_csv, keep_default_na=False)
    print(f"{len(tickets)} training tickets, {tickets['label'].nunique()} queues")
    TicketClassifier(C=1.0).fit(tickets).save(model_dir)


def predict(model_dir: str, test_csv: str, output_csv: str) -> None:
    tickets = pd.read_csv(test_csv, keep_default_na=False)
    labels = TicketClassifier.load(model_dir).predict(tickets)
    Path(output_csv).write_text(
        "id,label\n" + "".join(f"{i},{label}\n" for i, label in zip(tickets["id"], labels)))


if __name__ == "__main__":
    {"train": train, "predict": predict}[sys.argv[1]](*sys.argv[2:])
