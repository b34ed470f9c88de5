import re

from sklearn.feature_extraction.text import TfidfVectorizer

MAX_FEATURES = 1000


def clean(text):
    text = str(text).lower()
    text = re.sub(r"[^a-z\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def vectorize(texts):
    """TF-IDF features for a list of texts."""
    vectorizer = TfidfVectorizer(max_features=MAX_FEATURES, stop_words="english")
    return vectorizer.fit_transform([clean(t) for t in texts])
