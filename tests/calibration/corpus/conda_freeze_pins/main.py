import argparse

from src.preprocessing import load_data, preprocess
from src.model import train_model, save_model, load_model, predict


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["train", "predict"], required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--model_dir", required=True)
    parser.add_argument("--out", default="predictions.csv")
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    df = load_data(args.data)
    df = preprocess(df)
    if args.mode == "train":
        model = train_model(df)
        save_model(model, args.model_dir)
    else:
        model = load_model(args.model_dir)
        df["label"] = predict(model, df)
        df[["id", "label"]].to_csv(args.out, index=False)
