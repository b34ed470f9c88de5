"""Predict categories: ``python predict.py --model-dir model/ --input test.csv --output preds.csv``."""

from queueclf.cli import predict_main

if __name__ == "__main__":
    raise SystemExit(predict_main())
