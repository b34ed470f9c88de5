"""Normalisation and winnowing: disguises do not hide a copy; different code stays different."""

from __future__ import annotations

import json
import random
import textwrap

import pytest

from harness.integrity.compare import fragments, overlap
from harness.integrity.fingerprint import (
    WINDOW,
    CodeFile,
    K,
    fingerprint,
    is_code_path,
    local_modules,
    normalise,
    notebook_code,
    winnow,
)

ORIGINAL = textwrap.dedent('''
    """Train a ticket classifier."""
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression


    def load(path, min_length=3):
        # read the tickets and join subject and body
        frame = pd.read_csv(path)
        frame["text"] = frame["subject"].fillna("") + " " + frame["body"].fillna("")
        return frame[frame["text"].str.len() >= min_length]


    def train(frame):
        """Fit TF-IDF and logistic regression."""
        vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
        model = LogisticRegression(max_iter=1000, C=4.0)
        model.fit(vectorizer.fit_transform(frame["text"]), frame["label"])
        return vectorizer, model
''')

RENAMED = textwrap.dedent('''
    import pandas as pandas_library
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    def read_tickets(csv_file, shortest=3):
        tickets = pandas_library.read_csv(
            csv_file,
        )
        tickets["text"] = (
            tickets["subject"].fillna("") + " " + tickets["body"].fillna("")
        )
        return tickets[tickets["text"].str.len() >= shortest]
    def fit_model(tickets):
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2)
        clf = LogisticRegression(max_iter=1000, C=4.0)
        clf.fit(vec.fit_transform(tickets["text"]), tickets["label"])
        return vec, clf
''')


def words(text: str, local: frozenset[str] = frozenset()) -> list[str]:
    return [w for w, _, _ in normalise(text, local)]


def test_renaming_reformatting_comments_and_docstrings_change_nothing() -> None:
    assert words(RENAMED) == words(ORIGINAL)


def test_borrowed_names_stay_so_different_programs_stay_different() -> None:
    tokens = words(ORIGINAL)
    for borrowed in ("TfidfVectorizer", "LogisticRegression", "fit_transform", "read_csv", "max_iter",
                     "ngram_range", "pandas", "sklearn"):
        assert borrowed in tokens, borrowed
    for own in ("load", "frame", "vectorizer", "model", "pd", "min_length"):
        assert own not in tokens, own
    other = ORIGINAL.replace("LogisticRegression(max_iter=1000, C=4.0)", "MultinomialNB(alpha=0.5)")
    assert words(other) != words(ORIGINAL)


def test_imports_of_the_submissions_own_modules_are_its_own_names() -> None:
    code = "from features import build_features\nimport model\nfrom sklearn.svm import SVC\nx = build_features(SVC)\n"
    local = local_modules(["features.py", "model.py", "pkg/__init__.py"])
    assert {"features", "model", "pkg"} <= local
    assert words(code, local) == words(code.replace("build_features", "make_matrix"), local)
    assert "SVC" in words(code, local) and "build_features" not in words(code, local)


def _file(text: str, path: str = "m.py") -> list[CodeFile]:
    return [CodeFile(path, text)]


def test_reordered_functions_keep_their_fingerprints() -> None:
    first, second = ORIGINAL.split("\n\ndef train")
    reordered = "def train" + second + "\n\n" + first
    a, b = fingerprint(_file(ORIGINAL), "x"), fingerprint(_file(reordered), "x")
    assert overlap(a.hashes, b.hashes, set()).similarity >= 0.8


def test_fingerprints_are_keyed_by_assignment() -> None:
    assert not fingerprint(_file(ORIGINAL), "one").hashes & fingerprint(_file(ORIGINAL), "two").hashes


def test_winnowing_finds_every_shared_run_of_k_plus_window_tokens() -> None:
    """The guarantee that makes the index sufficient: a long enough shared run shares a fingerprint."""
    rng = random.Random(5)
    vocab = [f"t{i}" for i in range(40)]
    for _ in range(50):
        run = [rng.choice(vocab) for _ in range(K + WINDOW - 1)]
        left = [rng.choice(vocab) for _ in range(rng.randint(0, 30))] + run
        right = run + [rng.choice(vocab) for _ in range(rng.randint(0, 30))]
        a = fingerprint(_file(" ; ".join(left)), "x")
        b = fingerprint(_file(" ; ".join(right)), "x")
        assert a.hashes & b.hashes
    assert winnow([]) == [] and winnow([5, 3, 9], 8) == [1]
    assert winnow([4, 1, 7, 1, 9, 9, 2], 3) == [1, 3, 6]


def test_short_shared_idioms_do_not_match() -> None:
    idiom = "df = pd.read_csv(path)\n"
    a = fingerprint(_file(idiom + "x = 1\n"), "x")
    b = fingerprint(_file(idiom + "y = [2]\n"), "x")
    assert not a.hashes & b.hashes


def test_notebook_code_cells_without_magics_and_markdown() -> None:
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["# Title\n", "import nothing"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "!pip install x\n", "import pandas as pd\n"]},
        {"cell_type": "code", "source": "df = pd.read_csv('a.csv')"},
    ]}
    code = notebook_code(json.dumps(nb))
    assert code is not None
    assert "import pandas as pd" in code and "read_csv" in code
    assert "matplotlib" not in code and "pip" not in code and "Title" not in code
    assert notebook_code("{not json") is None and notebook_code('{"cells": 3}') is None


def test_broken_python_is_still_fingerprinted() -> None:
    broken = ORIGINAL + "\ndef oops(:\n    return (\n"
    assert fingerprint(_file(broken), "x").hashes


@pytest.mark.parametrize(("path", "wanted"), [
    ("train.py", True), ("pkg/model.py", True), ("analysis.ipynb", True),
    (".venv/lib/site.py", False), ("venv/x.py", False), ("pkg/__pycache__/m.py", False),
    (".hidden.py", False), ("notes.md", False), ("lib/site-packages/sklearn/base.py", False),
])
def test_which_files_are_code(path: str, wanted: bool) -> None:
    assert is_code_path(path) is wanted


def test_fragments_name_both_sides_lines() -> None:
    a = fingerprint(_file(ORIGINAL, "train.py"), "x")
    b = fingerprint(_file(RENAMED, "fit.py"), "x")
    found = fragments(a, b, set())
    assert found and found[0].own_file == "train.py" and found[0].other_file == "fit.py"
    lines = ORIGINAL.splitlines()
    first, last = found[0].own_lines
    assert any("LogisticRegression(max_iter" in line for line in lines[first - 1:last])
    assert fragments(a, b, a.hashes) == []
