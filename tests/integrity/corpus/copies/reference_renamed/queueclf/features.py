"""Turning tickets into feature vectors: word and character n-grams plus one-hot metadata."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder

from .data import META_COLUMNS
from .text import ticket_text

__all__ = ["TEXT_FEATURE", "FeatureConfig", "build_features", "prepare"]

TEXT_FEATURE = "text"


@dataclass(frozen=True)
class FeatureConfig:
    """Settings of the feature extractor (chosen by cross-validation, see README)."""

    word_ngrams: tuple[int, int] = (1, 2)
    """Range of word n-gram lengths."""
    char_ngrams: tuple[int, int] | None = None
    """Range of character n-gram lengths within word boundaries; ``None`` turns them off."""
    min_df: int = 2
    """Ignore n-grams seen in fewer tickets than this (typos and ids)."""
    use_metadata: bool = True
    """One-hot encode channel, customer plan and product area."""
    char_weight: float = 0.5
    """Weight of the character block relative to the word block."""


def prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the cleaned ``text`` column the vectorisers read; metadata columns pass through."""
    out = frame.loc[:, list(META_COLUMNS)].copy()
    out[TEXT_FEATURE] = [ticket_text(s, b) for s, b in zip(frame["subject"], frame["body"], strict=True)]
    return out


def build_features(config: FeatureConfig) -> ColumnTransformer:
    """An unfitted transformer from :func:`prepare`'s output to a sparse matrix."""
    blocks: list[tuple[str, object, str | list[str]]] = [
        (
            "words",
            TfidfVectorizer(ngram_range=config.word_ngrams, min_df=config.min_df, sublinear_tf=True),
            TEXT_FEATURE,
        ),
    ]
    weights = {"words": 1.0}
    if config.char_ngrams is not None:
        blocks.append(
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=config.char_ngrams,
                    min_df=config.min_df,
                    sublinear_tf=True,
                ),
                TEXT_FEATURE,
            )
        )
        weights["chars"] = config.char_weight
    if config.use_metadata:
        blocks.append(("meta", OneHotEncoder(handle_unknown="ignore"), list(META_COLUMNS)))
        weights["meta"] = 1.0
    return ColumnTransformer(blocks, transformer_weights=weights)
