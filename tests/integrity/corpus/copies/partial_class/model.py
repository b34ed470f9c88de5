import json
import os
import re

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

_SIGNATURE = re.compile(r"\n(?:best|thanks|regards|cheers)[\s\S]*$", re.IGNORECASE)
_QUOTED = re.compile(r"^>.*$", re.MULTILINE)


def clean(text):
    """Remove signatures and quoted replies, squeeze whitespace."""
    text = _QUOTED.sub(" ", text or "")
    text = _SIGNATURE.sub(" ", text)
    return " ".join(text.split())


class TicketClassifier:
    def __init__(self, C=2.0, min_df=2):
        self.vectorizer = TfidfVectorizer(min_df=min_df, ngram_range=(1, 2), sublinear_tf=True)
        self.model = LogisticRegression(C=C, max_iter=1000, class_weight="balanced")

    @staticmethod
    def texts(frame):
        return [clean(s) + " " + clean(b) for s, b in zip(frame["subject"], frame["body"])]

    def fit(self, frame):
        matrix = self.vectorizer.fit_transform(self.texts(frame))
        self.model.fit(matrix, frame["label"])
        return self

    def predict(self, frame):
        return self.model.predict(self.vectorizer.transform(self.texts(frame)))

    def top_terms(self, n=10):
        names = np.array(self.vectorizer.get_feature_names_out())
        return {
            label: names[np.argsort(weights)[-n:]].tolist()
            for label, weights in zip(self.model.classes_, self.model.coef_)
        }

    def save(self, directory):
        os.makedirs(directory, exist_ok=True)
        joblib.dump(self, os.path.join(directory, "ticket_classifier.joblib"))
        with open(os.path.join(directory, "top_terms.json"), "w") as fh:
            json.dump(self.top_terms(), fh, indent=2)

    @classmethod
    def load(cls, directory):
        return joblib.load(os.path.join(directory, "ticket_classifier.joblib"))
