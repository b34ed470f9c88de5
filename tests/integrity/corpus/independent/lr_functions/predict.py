import argparse

import pandas as pd
from model import load_data, load_model

parser = argparse.ArgumentParser()
parser.add_argument("--model-dir", required=True)
parser.add_argument("--input", required=True)
parser.add_argument("--output", required=True)

if __name__ == "__main__":
    args = parser.parse_args()
    frame = load_data(args.input)
    predictions = load_model(args.model_dir).predict(frame["text"])
    pd.DataFrame({"id": frame["id"], "label": predictions}).to_csv(args.output, index=False)
