"""The classifier: word and character TF-IDF into a logistic regression."""
from __future__ import annotations
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from ticket_router.data import Ticket

def make_model():
    vectors = FeatureUnion([('word', TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2)), ('char', TfidfVectorizer(analyzer='char_wb', ngram_range=(3, 5), min_df=3))])
    return make_pipeline(vectors, LogisticRegression(max_iter=1500, C=8.0))

def fit(tickets: list[Ticket]):
    model = make_model()
    model.fit([t.text for t in tickets], [t.label for t in tickets])
    return model

def predict(model, tickets: list[Ticket]) -> list[str]:
    return [str(label) for label in model.predict([t.text for t in tickets])]
