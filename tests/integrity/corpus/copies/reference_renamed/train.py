"""Train the ticket classifier: ``python train.py --train train.csv --model-dir model/``."""

from queueclf.cli import train_main

if __name__ == "__main__":
    raise SystemExit(train_main())
