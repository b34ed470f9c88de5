"""Train the ticket classifier: python train.py --train train.csv --model-dir model/."""

import sys

from ticket_classifier.cli import train_main

if __name__ == "__main__":
    sys.exit(train_main())
