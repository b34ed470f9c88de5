"""Predict labels: python predict.py --model-dir DIR --input test.csv --output predictions.csv."""

import sys

from ticket_classifier.cli import predict_main

if __name__ == "__main__":
    sys.exit(predict_main())
