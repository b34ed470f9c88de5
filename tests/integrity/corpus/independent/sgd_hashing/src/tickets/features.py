"""Stateless features: a hashing vectorizer needs no vocabulary, so it streams."""
from __future__ import annotations

import re
from collections.abc import Iterable

from scipy.sparse import hstack
from sklearn.feature_extraction.text import HashingVectorizer

URL = re.compile(r"https?://\S+|\S+\.com/\S*")
NUMBER = re.compile(r"\d+")

WORDS = HashingVectorizer(n_features=2**20, ngram_range=(1, 2), alternate_sign=False, norm="l2")
META = HashingVectorizer(n_features=2**8, alternate_sign=False, norm=None)


def normalise(text: str) -> str:
    text = URL.sub(" URL ", text)
    return NUMBER.sub(" NUM ", text).lower()


def meta_tokens(rows: Iterable[dict[str, str]]) -> list[str]:
    return [f"channel_{r.get('channel', '')} plan_{r.get('customer_plan', '')} area_{r.get('product_area') or 'none'}"
            for r in rows]


def featurize(rows: list[dict[str, str]]):
    docs = [normalise(f"{r.get('subject', '')} {r.get('body', '')}") for r in rows]
    return hstack([WORDS.transform(docs), META.transform(meta_tokens(rows))]).tocsr()
