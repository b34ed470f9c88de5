"""Soft-voting ensemble: logistic regression, complement naive Bayes and a ridge classifier
on the same TF-IDF features, plus the ticket's metadata for the linear model."""
from __future__ import annotations
import argparse
import pickle
from dataclasses import dataclass
from pathlib import Path
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import OneHotEncoder
META_COLUMNS = ('channel', 'customer_plan')
WEIGHTS = (0.5, 0.25, 0.25)

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--train', type=Path)
    parser.add_argument('--test', type=Path)
    parser.add_argument('--model-dir', type=Path, required=True)
    parser.add_argument('--predictions', type=Path)
    args = parser.parse_args()
    store = args.model_dir / 'ensemble.pkl'
    if args.train is not None:
        args.model_dir.mkdir(parents=True, exist_ok=True)
        store.write_bytes(pickle.dumps(Ensemble.train(read(args.train))))
        return
    model: Ensemble = pickle.loads(store.read_bytes())
    frame = read(args.test)
    pd.DataFrame({'id': frame['id'], 'label': model.predict(frame)}).to_csv(args.predictions, index=False)

def read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path).fillna({'subject': '', 'body': '', 'channel': '?', 'customer_plan': '?'})
    frame['text'] = frame['subject'] + '\n' + frame['body']
    return frame

@dataclass
class Ensemble:
    words: TfidfVectorizer
    meta: OneHotEncoder
    logistic: LogisticRegression
    bayes: ComplementNB
    ridge: RidgeClassifier

    @classmethod
    def train(cls, frame: pd.DataFrame) -> Ensemble:
        words = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=80000)
        text = words.fit_transform(frame['text'])
        meta = OneHotEncoder(handle_unknown='ignore').fit(frame[list(META_COLUMNS)])
        both = hstack([text, meta.transform(frame[list(META_COLUMNS)])]).tocsr()
        y = frame['label'].to_numpy()
        return cls(words=words, meta=meta, logistic=LogisticRegression(max_iter=2500, C=6.0).fit(both, y), bayes=ComplementNB(alpha=0.5).fit(text, y), ridge=RidgeClassifier(alpha=1.5).fit(text, y))

    def probabilities(self, frame: pd.DataFrame) -> np.ndarray:
        text = self.words.transform(frame['text'])
        both = hstack([text, self.meta.transform(frame[list(META_COLUMNS)])]).tocsr()
        parts = (self.logistic.predict_proba(both), self.bayes.predict_proba(text), softmax(self.ridge.decision_function(csr_matrix(text))))
        return sum((w * p for w, p in zip(WEIGHTS, parts)))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.logistic.classes_[self.probabilities(frame).argmax(axis=1)]

def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
if __name__ == '__main__':
    main()
