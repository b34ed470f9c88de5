import argparse
import json
import os

import joblib
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline


def get_text(df):
    return df["subject"].fillna("") + " " + df["body"].fillna("")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--model-dir", required=True)
    args = parser.parse_args()

    df = pd.read_csv(args.train)
    pipe = Pipeline([
        ("tfidf", TfidfVectorizer(sublinear_tf=True)),
        ("lr", LogisticRegression(max_iter=1000)),
    ])
    grid = {
        "tfidf__ngram_range": [(1, 1), (1, 2)],
        "tfidf__min_df": [1, 3],
        "lr__C": [1, 10],
    }
    search = GridSearchCV(pipe, grid, scoring="f1_macro", n_jobs=1,
                          cv=StratifiedKFold(n_splits=3, shuffle=True, random_state=0))
    search.fit(get_text(df), df["label"])
    print("best params:", search.best_params_, "cv macro-F1:", round(search.best_score_, 4))

    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(search.best_estimator_, os.path.join(args.model_dir, "model.joblib"))
    with open(os.path.join(args.model_dir, "search.json"), "w") as f:
        json.dump({"params": str(search.best_params_), "score": search.best_score_}, f)


if __name__ == "__main__":
    main()
