import argparse

from model import load_data, save_model, train_model

parser = argparse.ArgumentParser()
parser.add_argument("--train", required=True)
parser.add_argument("--model-dir", required=True)

if __name__ == "__main__":
    args = parser.parse_args()
    save_model(train_model(load_data(args.train)), args.model_dir)
