import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.preprocessing import label_binarize


class TicketClassifier:
    def __init__(self):
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2))
        self.model = LogisticRegression(C=5, max_iter=2000)

    def fit(self, texts, labels):
        X = self.vectorizer.fit_transform(texts)
        self.model.fit(X, labels)
        return self

    def predict(self, texts):
        return self.model.predict(self.vectorizer.transform(texts))

    def evaluate(self, texts, labels):
        X = self.vectorizer.transform(texts)
        pred = self.model.predict(X)
        proba = self.model.predict_proba(X)
        y = label_binarize(labels, classes=self.model.classes_)
        return {
            "accuracy": accuracy_score(labels, pred),
            "auc": roc_auc_score(y, proba, average="macro"),
        }

    def save(self, path):
        joblib.dump(self, path)

    @staticmethod
    def load(path):
        return joblib.load(path)
