"""Model factory and evaluation helpers."""
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC


def make_model(c=0.5):
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LinearSVC(C=c, class_weight="balanced", random_state=0),
    )


def cv_macro_f1(texts, labels, c=0.5, folds=5, seed=0):
    """Mean and std of macro-F1 over stratified folds."""
    texts, labels = np.asarray(texts, dtype=object), np.asarray(labels)
    scores = []
    for tr, va in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
        model = make_model(c).fit(texts[tr], labels[tr])
        scores.append(f1_score(labels[va], model.predict(texts[va]), average="macro"))
    return float(np.mean(scores)), float(np.std(scores))
