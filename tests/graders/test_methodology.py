"""The ``methodology`` grader: each rule on code that has the problem and on code that nearly does.

Precision matters more than recall here: every rule has near-miss snippets, written the way
careful candidates write them, that must stay silent.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest

from graders.accuracy import AccuracyGrader
from graders.methodology import MethodologyGrader
from graders.methodology.flow import Observation, Rule, analyse_tree
from graders.registry import default_registry
from graders.types import (
    ConfusionMatrix,
    GraderResult,
    GraderStatus,
    Severity,
)
from tests.graders.conftest import GOLDEN, LABELS, golden_copy, make_context, make_scores

HEADER = """\
import joblib
import numpy as np
import pandas as pd
from scipy.sparse import hstack
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.feature_selection import SelectKBest, chi2
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import (
    GridSearchCV, KFold, StratifiedKFold, cross_val_score, train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, StandardScaler
"""


def observe(body: str, rel: str = "train.py") -> list[Observation]:
    source = HEADER + textwrap.dedent(body)
    return analyse_tree(ast.parse(source), rel).observations


def fired(body: str, rule: Rule, rel: str = "train.py") -> list[Observation]:
    return [o for o in observe(body, rel) if o.rule is rule]


def line_of(body: str, text: str) -> int:
    """1-based line of ``text`` in HEADER + body."""
    lines = (HEADER + textwrap.dedent(body)).splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- fit before the split ---------------------------------------------------------------------

LEAK_POSITIVE = {
    "fit_transform, then train_test_split on the matrix": """
        df = pd.read_csv("tickets.csv")
        vec = TfidfVectorizer(ngram_range=(1, 2))
        X = vec.fit_transform(df.subject + " " + df.body)
        X_train, X_test, y_train, y_test = train_test_split(X, df.label, random_state=0)
    """,
    "fit, transform, then split": """
        df = pd.read_csv("tickets.csv")
        vec = TfidfVectorizer()
        vec.fit(df.body)
        X = vec.transform(df.body)
        X_train, X_test, y_train, y_test = train_test_split(X, df.label, random_state=0)
    """,
    "scaler before cross-validation": """
        features = pd.read_csv("features.csv")
        scaled = StandardScaler().fit_transform(features.drop(columns=["label"]))
        print(cross_val_score(LogisticRegression(), scaled, features.label, cv=5).mean())
    """,
    "feature selection with the labels before the split": """
        X = TfidfVectorizer(min_df=2).fit_transform(texts)
        X_best = SelectKBest(chi2, k=500).fit_transform(X, labels)
        a, b, c, d = train_test_split(X_best, labels, random_state=1)
    """,
    "in a function, before a k-fold loop": """
        def evaluate(texts, labels):
            tfidf = TfidfVectorizer()
            X = tfidf.fit_transform(texts)
            folds = StratifiedKFold(n_splits=5)
            for train_idx, test_idx in folds.split(X, labels):
                pass
    """,
    "grid search on a matrix fitted on every row": """
        X = TfidfVectorizer().fit_transform(df.body)
        search = GridSearchCV(LogisticRegression(), {"C": [1, 10]}, cv=5)
        search.fit(X, df.label)
    """,
    "vectorizer made by a helper, known by its name": """
        tfidf_vectorizer = build_vectorizer()
        X = tfidf_vectorizer.fit_transform(df.body)
        X_train, X_test, y_train, y_test = train_test_split(X, df.label, random_state=0)
    """,
}


@pytest.mark.parametrize("body", LEAK_POSITIVE.values(), ids=LEAK_POSITIVE.keys())
def test_fit_before_split_is_found(body: str) -> None:
    found = fired(body, Rule.fit_before_split)
    assert found, "leakage before the split was missed"
    assert all(o.related_line is not None and o.related_line > o.line for o in found)


def test_fit_before_split_points_at_the_fit_and_names_the_split() -> None:
    body = LEAK_POSITIVE["fit_transform, then train_test_split on the matrix"]
    (obs,) = fired(body, Rule.fit_before_split)
    assert obs.line == line_of(body, "vec.fit_transform")
    assert obs.related_line == line_of(body, "train_test_split(X")
    assert (obs.subject, obs.related) == ("TfidfVectorizer", "train_test_split")


def test_oversampling_before_the_split_is_leakage() -> None:
    body = """
        from imblearn.over_sampling import SMOTE
        X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, random_state=0)
    """
    (obs,) = fired(body, Rule.fit_before_split)
    assert obs.how == "resample" and obs.subject == "SMOTE"


LEAK_NEGATIVE = {
    "vectorizer inside a pipeline, cross-validated on raw text": """
        pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
        scores = cross_val_score(pipe, df.body, df.label, cv=5)
        pipe.fit(df.body, df.label)
    """,
    "fit_transform on the training part after the split": """
        X_train, X_test, y_train, y_test = train_test_split(df.body, df.label, random_state=0)
        vec = TfidfVectorizer()
        X_tr = vec.fit_transform(X_train)
        X_te = vec.transform(X_test)
    """,
    "label encoder on the labels before the split": """
        le = LabelEncoder()
        y = le.fit_transform(df.label)
        X_train, X_test, y_train, y_test = train_test_split(df.body, y, random_state=0)
    """,
    "stateless hashing vectorizer before the split": """
        X = HashingVectorizer(n_features=2**18).fit_transform(df.body)
        X_train, X_test, y_train, y_test = train_test_split(X, df.label, random_state=0)
    """,
    "final refit on train and validation together": """
        X_train, X_val, y_train, y_val = train_test_split(df.body, df.label, random_state=0)
        vec = TfidfVectorizer()
        X_all = vec.fit_transform(pd.concat([X_train, X_val]))
        model = LogisticRegression().fit(X_all, pd.concat([y_train, y_val]))
    """,
    "fit on all training rows with no evaluation afterwards": """
        train = pd.read_csv(TRAIN_CSV)
        vec = TfidfVectorizer()
        X = vec.fit_transform(train.body)
        model = LogisticRegression().fit(X, train.label)
    """,
}


@pytest.mark.parametrize("body", LEAK_NEGATIVE.values(), ids=LEAK_NEGATIVE.keys())
def test_fit_before_split_near_misses_are_silent(body: str) -> None:
    assert fired(body, Rule.fit_before_split) == []


# --- evaluation on training data --------------------------------------------------------------

TRAIN_EVAL_POSITIVE = {
    "metric on predictions of the fitted rows": """
        model = LogisticRegression()
        model.fit(X, y)
        print(accuracy_score(y, model.predict(X)))
    """,
    "score on the training part": """
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        clf = LogisticRegression().fit(X_train, y_train)
        print("accuracy", clf.score(X_train, y_train))
    """,
    "hand-made accuracy": """
        m = LogisticRegression()
        m.fit(X, y)
        print("train acc", (m.predict(X) == y).mean())
    """,
    "predictions kept in a variable": """
        m = LogisticRegression()
        m.fit(features, target)
        predicted = m.predict(features)
        print(f1_score(target, predicted, average="macro"))
    """,
}


@pytest.mark.parametrize("body", TRAIN_EVAL_POSITIVE.values(), ids=TRAIN_EVAL_POSITIVE.keys())
def test_evaluation_on_training_data_is_found(body: str) -> None:
    assert fired(body, Rule.evaluated_on_training_data)


TRAIN_EVAL_NEGATIVE = {
    "metric on the held-out part": """
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = LogisticRegression().fit(X_train, y_train)
        print(f1_score(y_test, model.predict(X_test), average="macro"))
    """,
    "the variable was reassigned to new rows": """
        model = LogisticRegression()
        model.fit(X, y)
        X = vec.transform(new_tickets.body)
        print(accuracy_score(new_labels, model.predict(X)))
    """,
    "predictions compared with a constant": """
        model = LogisticRegression()
        model.fit(X, y)
        pred = model.predict(X)
        print((pred == "billing").sum())
    """,
}


@pytest.mark.parametrize("body", TRAIN_EVAL_NEGATIVE.values(), ids=TRAIN_EVAL_NEGATIVE.keys())
def test_evaluation_on_training_data_near_misses_are_silent(body: str) -> None:
    assert fired(body, Rule.evaluated_on_training_data) == []


# --- final model fitted on a subset -----------------------------------------------------------

SUBSET_POSITIVE = {
    "split, fit on the training part, save": """
        X_train, X_val, y_train, y_val = train_test_split(df.body, df.label, random_state=0)
        model = make_pipeline(TfidfVectorizer(), LogisticRegression())
        model.fit(X_train, y_train)
        print(f1_score(y_val, model.predict(X_val), average="macro"))
        joblib.dump(model, "model.joblib")
    """,
    "best estimator of a search on the training part": """
        X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
        grid = GridSearchCV(LogisticRegression(), {"C": [1, 10]})
        grid.fit(X_train, y_train)
        best = grid.best_estimator_
        joblib.dump(best, "model.joblib")
    """,
    "a training helper given the training part": """
        X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
        model = train_model(X_train, y_train)
        joblib.dump(model, out_dir / "model.joblib")
    """,
    "a notebook predicting the test file with the split model": """
        train = pd.read_csv(TRAIN_CSV)
        test = pd.read_csv(TEST_CSV)
        X_train, X_val, y_train, y_val = train_test_split(train.body, train.label, random_state=0)
        pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
        pipe.fit(X_train, y_train)
        pd.DataFrame({"id": test.id, "label": pipe.predict(test.body)}).to_csv(PREDICTIONS_CSV)
    """,
}


@pytest.mark.parametrize("body", SUBSET_POSITIVE.values(), ids=SUBSET_POSITIVE.keys())
def test_final_model_on_a_subset_is_found(body: str) -> None:
    found = fired(body, Rule.final_model_on_subset)
    assert found
    assert found[0].related_line is not None and found[0].related_line < found[0].line


SUBSET_NEGATIVE = {
    "refit on all data before saving": """
        X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
        model = LogisticRegression()
        model.fit(X_train, y_train)
        print(f1_score(y_val, model.predict(X_val), average="macro"))
        model.fit(X, y)
        joblib.dump(model, "model.joblib")
    """,
    "refit a clone on all data": """
        X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
        model = LogisticRegression()
        model.fit(X_train, y_train)
        final = clone(model).fit(X, y)
        joblib.dump(final, "model.joblib")
    """,
    "refit on the training and validation parts together": """
        X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
        model = LogisticRegression().fit(X_train, y_train)
        model.fit(pd.concat([X_train, X_val]), pd.concat([y_train, y_val]))
        joblib.dump(model, "model.joblib")
    """,
    "predicting the validation part is evaluation, not delivery": """
        X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0)
        model = LogisticRegression().fit(X_train, y_train)
        val_pred = model.predict(X_val)
    """,
}


@pytest.mark.parametrize("body", SUBSET_NEGATIVE.values(), ids=SUBSET_NEGATIVE.keys())
def test_final_model_on_a_subset_near_misses_are_silent(body: str) -> None:
    assert fired(body, Rule.final_model_on_subset) == []


# --- dropped classes --------------------------------------------------------------------------

DROP_POSITIVE = {
    "top k by value_counts().head": (
        """
        TOP_K = 5
        top = df["label"].value_counts().head(TOP_K).index
        df = df[df["label"].isin(top)]
        model = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(df.body, df.label)
        """,
        "top",
        5,
    ),
    "nlargest, through a mask": (
        """
        keep = df.label.value_counts().nlargest(6).index
        mask = df.label.isin(keep)
        small = df[mask]
        X_train, X_test, y_train, y_test = train_test_split(small.body, small.label, random_state=0)
        """,
        "top",
        6,
    ),
    "minimum count from value_counts": (
        """
        counts = df["label"].value_counts()
        frequent = counts[counts >= 50].index
        df = df.loc[df["label"].isin(frequent)]
        y = df["label"]
        model = LogisticRegression().fit(X, y)
        """,
        "min-count",
        50,
    ),
    "groupby filter": (
        """
        df = df.groupby("label").filter(lambda g: len(g) > 20)
        model = LogisticRegression().fit(vec.fit_transform(df.body), df["label"])
        """,
        "min-count",
        21,
    ),
    "one class removed by name": (
        """
        df = df[df.label != "security_privacy"]
        model = LogisticRegression().fit(X, df.label)
        """,
        "excluded",
        None,
    ),
}


@pytest.mark.parametrize(
    ("body", "how", "number"), DROP_POSITIVE.values(), ids=DROP_POSITIVE.keys()
)
def test_dropped_classes_are_found(body: str, how: str, number: int | None) -> None:
    (obs,) = fired(body, Rule.dropped_classes)
    assert (obs.how, obs.number, obs.column) == (how, number, "label")


DROP_NEGATIVE = {
    "top classes shown, not filtered": """
        print(df["label"].value_counts().head(5))
        model = LogisticRegression().fit(X, df["label"])
    """,
    "top channels kept as a feature filter, labels untouched": """
        top = df["channel"].value_counts().head(3).index
        df = df[df["channel"].isin(top)]
        model = LogisticRegression().fit(X, df["label"])
    """,
    "filtered frame only plotted": """
        top = df.label.value_counts().head(5).index
        subset = df[df.label.isin(top)]
        subset.groupby("label").body.count().plot.bar()
        model = LogisticRegression().fit(X, df.label)
    """,
    "k-fold frames selected by fold number": """
        train_df = df[df.kfold != fold]
        model = LogisticRegression().fit(X, train_df.label)
    """,
}


@pytest.mark.parametrize("body", DROP_NEGATIVE.values(), ids=DROP_NEGATIVE.keys())
def test_dropped_classes_near_misses_are_silent(body: str) -> None:
    assert fired(body, Rule.dropped_classes) == []


# --- densified sparse matrices ----------------------------------------------------------------

DENSE_POSITIVE = {
    "toarray on the TF-IDF output": """
        X = TfidfVectorizer().fit_transform(df.body).toarray()
    """,
    "todense later": """
        vec = TfidfVectorizer(ngram_range=(1, 2))
        X = vec.fit_transform(df.body)
        dense = np.asarray(X.todense())
    """,
    "the .A attribute": """
        vec = TfidfVectorizer()
        vec.fit(df.body)
        dense = vec.transform(df.body).A
    """,
    "a stacked matrix": """
        words = TfidfVectorizer().fit_transform(df.body)
        chars = TfidfVectorizer(analyzer="char").fit_transform(df.body)
        X = hstack([words, chars]).toarray()
    """,
}


@pytest.mark.parametrize("body", DENSE_POSITIVE.values(), ids=DENSE_POSITIVE.keys())
def test_densified_sparse_matrices_are_found(body: str) -> None:
    assert fired(body, Rule.densified_sparse)


DENSE_NEGATIVE = {
    "a few rows to look at": """
        X = TfidfVectorizer().fit_transform(df.body)
        print(X[:5].toarray())
    """,
    "one ticket transformed for display": """
        vec = TfidfVectorizer().fit(df.body)
        print(vec.transform(["my card reader will not pair"]).toarray())
    """,
    "a small vocabulary": """
        X = TfidfVectorizer(max_features=300).fit_transform(df.body).toarray()
    """,
    "a dense array that is not a vectorizer's output": """
        from sklearn.preprocessing import OneHotEncoder
        channels = OneHotEncoder().fit_transform(df[["channel"]]).toarray()
    """,
}


@pytest.mark.parametrize("body", DENSE_NEGATIVE.values(), ids=DENSE_NEGATIVE.keys())
def test_densified_near_misses_are_silent(body: str) -> None:
    assert fired(body, Rule.densified_sparse) == []


# --- seeds ------------------------------------------------------------------------------------

SEED_POSITIVE = {
    "split without random_state": ("train_test_split(X, y, test_size=0.2)", "train_test_split"),
    "random forest without random_state": (
        "RandomForestClassifier(n_estimators=300)",
        "RandomForestClassifier",
    ),
    "shuffled k-fold": ("KFold(n_splits=5, shuffle=True)", "KFold"),
    "explicit None": ("train_test_split(X, y, random_state=None)", "train_test_split"),
    "shuffled frame": ("df = df.sample(frac=1.0)", ".sample()"),
}


@pytest.mark.parametrize(("body", "subject"), SEED_POSITIVE.values(), ids=SEED_POSITIVE.keys())
def test_missing_seeds_are_found(body: str, subject: str) -> None:
    assert [o.subject for o in fired(body, Rule.unseeded)] == [subject]


SEED_NEGATIVE = {
    "a seed from a constant": """
        SEED = 7
        train_test_split(X, y, random_state=SEED)
        RandomForestClassifier(random_state=SEED)
    """,
    "numpy seeded once": """
        np.random.seed(0)
        train_test_split(X, y)
        RandomForestClassifier()
    """,
    "a seeding helper": """
        seed_everything(42)
        KFold(n_splits=5, shuffle=True)
    """,
    "deterministic by construction": """
        KFold(n_splits=5)
        StratifiedKFold(n_splits=5)
        train_test_split(X, y, shuffle=False)
        LogisticRegression(max_iter=1000)
    """,
    "parameters from a dictionary": "RandomForestClassifier(**params)",
    "a few rows to look at": "df.sample(5)",
}


@pytest.mark.parametrize("body", SEED_NEGATIVE.values(), ids=SEED_NEGATIVE.keys())
def test_seed_near_misses_are_silent(body: str) -> None:
    assert fired(body, Rule.unseeded) == []


# --- fitting on the test features -------------------------------------------------------------

TEST_FIT_POSITIVE = {
    "vectorizer refitted on the test file": (
        """
        test = pd.read_csv(TEST_CSV)
        X_test = vec.fit_transform(test.body)
        """,
        "train.py",
        "test-file",
    ),
    "vocabulary built on train and test together": (
        """
        train = pd.read_csv("data/train.csv")
        test = pd.read_csv("data/test.csv")
        vec = TfidfVectorizer().fit(pd.concat([train.body, test.body]))
        """,
        "train.py",
        "train-and-test",
    ),
    "scaler fitted on the evaluation part": (
        """
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        scaler = StandardScaler()
        X_test_s = scaler.fit_transform(X_test)
        """,
        "train.py",
        "test-split",
    ),
    "a fresh vectorizer in the prediction function": (
        """
        def predict(model_dir, frame):
            model = joblib.load(model_dir / "model.joblib")
            vectorizer = TfidfVectorizer()
            features = vectorizer.fit_transform(frame.body)
            return model.predict(features)
        """,
        "pipeline.py",
        "predict-path",
    ),
    "a method refitting the shared vectorizer": (
        """
        class TicketModel:
            def __init__(self):
                self.vectorizer = TfidfVectorizer()
                self.clf = LogisticRegression()

            def predict(self, texts):
                return self.clf.predict(self.vectorizer.fit_transform(texts))
        """,
        "model.py",
        "predict-path",
    ),
    "module-level code of predict.py": (
        """
        frame = pd.read_csv(args.input)
        X = TfidfVectorizer().fit_transform(frame.body)
        """,
        "predict.py",
        "test-file",
    ),
}


@pytest.mark.parametrize(
    ("body", "rel", "how"), TEST_FIT_POSITIVE.values(), ids=TEST_FIT_POSITIVE.keys()
)
def test_fits_on_test_features_are_found(body: str, rel: str, how: str) -> None:
    (obs,) = fired(body, Rule.fit_on_test_features, rel)
    assert obs.how == how


TEST_FIT_NEGATIVE = {
    "transform only on the test file": (
        """
        train = pd.read_csv(TRAIN_CSV)
        test = pd.read_csv(TEST_CSV)
        vec = TfidfVectorizer()
        X = vec.fit_transform(train.body)
        X_test = vec.transform(test.body)
        """,
        "solution.py",
    ),
    "a predict-named function that also trains": (
        """
        def predict_queue(train_df, new_df):
            vec = TfidfVectorizer()
            clf = LogisticRegression().fit(vec.fit_transform(train_df.body), train_df.label)
            return clf.predict(vec.transform(new_df.body))
        """,
        "pipeline.py",
    ),
    "a prediction function that loads the fitted vectorizer": (
        """
        def predict(model_dir, frame):
            vec, clf = joblib.load(model_dir / "model.joblib")
            return clf.predict(vec.transform(frame.body))
        """,
        "pipeline.py",
    ),
    "labels encoded from a constant list in predict.py": (
        """
        encoder = LabelEncoder().fit(["billing", "refund"])
        """,
        "predict.py",
    ),
}


@pytest.mark.parametrize(("body", "rel"), TEST_FIT_NEGATIVE.values(), ids=TEST_FIT_NEGATIVE.keys())
def test_fits_on_test_features_near_misses_are_silent(body: str, rel: str) -> None:
    assert fired(body, Rule.fit_on_test_features, rel) == []


# --- the grader -------------------------------------------------------------------------------


def write(workspace: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return workspace


def grade(workspace: Path, **kwargs: object) -> GraderResult:
    return MethodologyGrader().grade(make_context(workspace, **kwargs))  # type: ignore[arg-type]


LEAKY_SCRIPT = """\
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("train.csv")
top = df["label"].value_counts().head(5).index
df = df[df["label"].isin(top)]
X = TfidfVectorizer().fit_transform(df["subject"] + " " + df["body"]).toarray()
X_train, X_test, y_train, y_test = train_test_split(X, df["label"])
model = LogisticRegression().fit(X_train, y_train)
print(f1_score(y_test, model.predict(X_test), average="macro"))
"""


def test_findings_name_file_line_and_the_fix(tmp_path: Path) -> None:
    result = grade(write(tmp_path, {"train.py": LEAKY_SCRIPT, "README.md": "# x\n"}))
    assert result.status is GraderStatus.ok
    by_rule = {f.rule: f for f in result.findings}
    assert set(by_rule) == {
        "methodology:dropped-classes",
        "methodology:fit-before-split",
        "methodology:densified-sparse",
        "methodology:unseeded",
        "methodology:unstratified-split",
    }
    leak = by_rule["methodology:fit-before-split"]
    assert (leak.file, leak.line) == ("train.py", 10)
    assert "train_test_split (line 11)" in leak.message and "Split first" in leak.message
    drop = by_rule["methodology:dropped-classes"]
    assert (drop.file, drop.line, drop.severity) == ("train.py", 9, Severity.error)
    assert "3 of the assignment's 8 labels can then never be predicted" in drop.message
    assert "class_weight" in drop.message
    assert "random_state=" in by_rule["methodology:unseeded"].message
    assert "stratify=y" in by_rule["methodology:unstratified-split"].message
    assert "Keep it sparse" in by_rule["methodology:densified-sparse"].message


def test_soundness_starts_at_60_and_each_finding_subtracts_its_rules_points(tmp_path: Path) -> None:
    script = LEAKY_SCRIPT.replace('top = df["label"].value_counts().head(5).index\n', "").replace(
        'df = df[df["label"].isin(top)]\n', ""
    )
    result = grade(write(tmp_path, {"train.py": script}))
    lost = {f.rule: f.points for f in result.findings}
    assert lost == {
        "methodology:fit-before-split": -40,
        "methodology:densified-sparse": -10,
        "methodology:unseeded": -5,
        "methodology:unstratified-split": -5,
    }
    assert result.score == 60 - 40 - 10 - 5 - 5  # and no good practice seen to add to it
    assert sum(c.max_points for c in result.breakdown) == 100
    assert sum(c.points for c in result.breakdown) == result.score
    assert {c.basis for c in result.breakdown} == {
        *(
            f"methodology:{r}"
            for r in ("fit-before-split", "densified-sparse", "unseeded", "unstratified-split")
        ),
        *(f"methodology:practice:{p}"
          for p in ("cross_validation", "class_weighting", "stratified", "time_aware")),
    }  # nothing left of the soundness points, so no "everything else checked" line
    assert result.metrics["methodology_problems"] == 4


def test_deductions_stop_at_zero_in_order_of_severity(tmp_path: Path) -> None:
    result = grade(write(tmp_path, {"train.py": LEAKY_SCRIPT}))
    lost = {f.rule: f.points for f in result.findings}
    assert lost["methodology:dropped-classes"] == -55
    assert lost["methodology:fit-before-split"] == -5  # all that was left of the 60
    assert lost["methodology:densified-sparse"] is None and lost["methodology:unseeded"] is None
    assert result.score == 0
    assert "methodology:checks" not in {c.basis for c in result.breakdown}


def test_a_rule_never_costs_more_than_its_points(tmp_path: Path) -> None:
    calls = "\n".join(f"RandomForestClassifier(n_estimators={n})" for n in range(1, 6))
    source = f"from sklearn.ensemble import RandomForestClassifier\n{calls}\n"
    result = grade(write(tmp_path, {"train.py": source}))
    seeds = [f for f in result.findings if f.rule == "methodology:unseeded"]
    assert len(seeds) == 5
    assert [f.points for f in seeds] == [-5, -5, -5, None, None]
    assert result.score == 45.0
    component = next(c for c in result.breakdown if c.basis == "methodology:unseeded")
    assert (component.points, component.max_points) == (0, 15)


def test_dropped_classes_name_the_labels_never_predicted(tmp_path: Path) -> None:
    scores = make_scores(0.8, 0.6)
    assert scores.heldout is not None
    never = {"refund", "shipping", "security_privacy"}
    matrix = [[0 if LABELS[j] in never else 10 for j in range(len(LABELS))] for _ in LABELS]
    scores.heldout.confusion = ConfusionMatrix(labels=LABELS, matrix=matrix)
    result = grade(write(tmp_path, {"train.py": LEAKY_SCRIPT}), scores=scores)
    drop = next(f for f in result.findings if f.rule == "methodology:dropped-classes")
    assert "never predicted refund, security_privacy, shipping" in drop.message


def test_the_accuracy_report_of_unpredicted_classes_says_where_they_were_dropped(
    tmp_path: Path,
) -> None:
    scores = make_scores(0.8, 0.6)
    assert scores.heldout is not None
    never = {"refund", "shipping", "security_privacy"}
    matrix = [[0 if LABELS[j] in never else 10 for j in range(len(LABELS))] for _ in LABELS]
    scores.heldout.confusion = ConfusionMatrix(labels=LABELS, matrix=matrix)
    with_filter = AccuracyGrader().grade(
        make_context(write(tmp_path / "a", {"train.py": LEAKY_SCRIPT}), scores=scores)
    )
    (finding,) = [f for f in with_filter.findings if f.rule == "accuracy:classes-never-predicted"]
    assert finding.message.startswith("3 classes are never predicted")
    assert "The code drops classes before training (train.py, line 9" in finding.message
    plain = AccuracyGrader().grade(make_context(tmp_path / "b", scores=scores))
    (bare,) = [f for f in plain.findings if f.rule == "accuracy:classes-never-predicted"]
    assert "drops classes" not in bare.message


@pytest.mark.parametrize(
    ("filter_line", "expected"),
    [
        ('df = df[df["label"] != ""]', None),
        ('df = df[df["label"].isin(["billing", "refund"])]', "6 of the assignment's 8 labels"),
        ('df = df[~df["label"].isin(["shipping"])]', "never predict that class"),
        ('df = df[~df["label"].isin(["unknown", "spam"])]', None),
    ],
)
def test_explicit_class_filters_count_only_the_assignments_labels(
    tmp_path: Path, filter_line: str, expected: str | None
) -> None:
    source = f"""\
import pandas as pd
from sklearn.linear_model import LogisticRegression
df = pd.read_csv("train.csv")
{filter_line}
model = LogisticRegression().fit(X, df["label"])
"""
    result = grade(write(tmp_path, {"train.py": source}))
    drops = [f for f in result.findings if f.rule == "methodology:dropped-classes"]
    if expected is None:
        assert drops == [] and result.metrics["dropped_classes"] == 0
    else:
        assert len(drops) == 1 and expected in drops[0].message


def test_training_score_next_to_a_held_out_score_is_not_a_finding(tmp_path: Path) -> None:
    source = """\
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0, stratify=y)
model = LogisticRegression().fit(X_train, y_train)
print("train", f1_score(y_train, model.predict(X_train), average="macro"))
print("val", f1_score(y_val, model.predict(X_val), average="macro"))
"""
    result = grade(write(tmp_path, {"evaluate.py": source}))
    assert result.findings == [] and result.score == 65.0  # sound and stratified; no CV, no weights


def test_training_score_alone_is_a_finding(tmp_path: Path) -> None:
    result = grade(golden_copy("messy", tmp_path))
    (finding,) = result.findings
    assert finding.rule == "methodology:evaluated-on-training-data"
    assert (finding.file, finding.line) == ("solution.py", 34)
    assert "predictions == labels" in finding.message and "(line 31)" in finding.message


def test_a_subset_model_is_fine_when_another_file_saves_the_full_fit(tmp_path: Path) -> None:
    evaluate = """\
import joblib
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0, stratify=y)
model = LogisticRegression().fit(X_train, y_train)
print(f1_score(y_val, model.predict(X_val), average="macro"))
joblib.dump(model, "eval-model.joblib")
"""
    train = """\
import joblib
from sklearn.linear_model import LogisticRegression
model = LogisticRegression()
model.fit(X, y)
joblib.dump(model, "model.joblib")
"""
    alone = grade(write(tmp_path / "a", {"evaluate.py": evaluate}))
    assert [f.rule for f in alone.findings] == ["methodology:final-model-on-subset"]
    both = grade(write(tmp_path / "b", {"evaluate.py": evaluate, "train.py": train}))
    assert both.findings == []


def _notebook(cells: list[tuple[str, str]]) -> str:
    return json.dumps(
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, source in cells
            ],
        }
    )


def test_notebook_findings_point_at_cell_and_line(tmp_path: Path) -> None:
    nb = _notebook(
        [
            ("markdown", "# Tickets"),
            ("code", "import pandas as pd\nfrom sklearn.feature_extraction.text import TfidfVectorizer"),
            ("code", "%matplotlib inline\ndf = pd.read_csv('train.csv')\nX = TfidfVectorizer().fit_transform(df.body)"),
            ("code", "from sklearn.model_selection import train_test_split\nparts = train_test_split(X, df.label, random_state=1, stratify=df.label)"),
        ]
    )  # fmt: skip
    result = grade(write(tmp_path, {"analysis.ipynb": nb}), kind="notebook")
    (leak,) = result.findings
    assert leak.rule == "methodology:fit-before-split"
    assert leak.file == "analysis.ipynb" and leak.line is None
    assert leak.message.endswith("(cell 3, line 3)")
    assert "train_test_split (cell 4, line 2)" in leak.message


# --- across functions and files ---------------------------------------------------------------

DATA_PY = """\
import pandas as pd

TOP_N = 5


def load(path):
    return pd.read_csv(path)


def keep_top_classes(df, n=TOP_N):
    top = df["label"].value_counts().head(n).index
    return df[df["label"].isin(top)].reset_index(drop=True)
"""

PREPROCESSING_PY = """\
from sklearn.feature_extraction.text import TfidfVectorizer


def vectorize(texts):
    vectorizer = TfidfVectorizer(max_features=20000)
    return vectorizer.fit_transform(texts)
"""


def test_a_class_filter_in_a_helper_module_is_followed_to_the_training(tmp_path: Path) -> None:
    train = """\
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from pkg import data

frame = data.keep_top_classes(data.load("train.csv"))
print(cross_val_score(LogisticRegression(), X, frame["label"], cv=5).mean())
"""
    result = grade(
        write(tmp_path, {"pkg/__init__.py": "", "pkg/data.py": DATA_PY, "train.py": train})
    )
    (drop,) = [f for f in result.findings if f.rule == "methodology:dropped-classes"]
    assert (drop.file, drop.line) == ("pkg/data.py", 12)
    assert (
        "Only the 5 most frequent classes" in drop.message
        and "3 of the assignment's 8" in drop.message
    )


def test_a_helper_that_refits_is_caught_where_it_is_called_on_test_rows(tmp_path: Path) -> None:
    train = """\
import sys
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from preprocessing import vectorize

df = pd.read_csv(sys.argv[1])
X = vectorize(df["body"])
X_train, X_test, y_train, y_test = train_test_split(X, df["label"], random_state=0, stratify=df["label"])
"""
    predict = """\
import sys
import pandas as pd
from preprocessing import vectorize

df = pd.read_csv(sys.argv[2])
X = vectorize(df["body"])
"""
    files = {"preprocessing.py": PREPROCESSING_PY, "train.py": train, "predict.py": predict}
    result = grade(write(tmp_path, files))
    by_rule = {f.rule: f for f in result.findings}
    refit = by_rule["methodology:fit-on-test-features"]
    assert (refit.file, refit.line) == ("predict.py", 6)
    assert (
        "TfidfVectorizer in vectorize() (it is built and fitted at preprocessing.py, line 6)"
        in refit.message
    )
    leak = by_rule["methodology:fit-before-split"]
    assert (leak.file, leak.line) == ("preprocessing.py", 6)
    assert "train_test_split (train.py, line 9)" in leak.message


def test_helpers_that_only_transform_or_see_the_training_part_are_fine(tmp_path: Path) -> None:
    features = """\
import joblib


def featurize(texts, model_dir):
    vectorizer = joblib.load(model_dir / "vectorizer.joblib")
    return vectorizer.transform(texts)
"""
    train = """\
from sklearn.model_selection import train_test_split
from preprocessing import vectorize

X_train, X_val, y_train, y_val = train_test_split(texts, labels, random_state=0, stratify=labels)
X_train_vec = vectorize(X_train)
"""
    predict = """\
import pandas as pd
from features import featurize

frame = pd.read_csv(TEST_CSV)
X = featurize(frame["body"], MODEL_DIR)
"""
    files = {"preprocessing.py": PREPROCESSING_PY, "features.py": features, "train.py": train,
             "predict.py": predict}  # fmt: skip
    rules = {f.rule for f in grade(write(tmp_path, files)).findings}
    assert not rules & {"methodology:fit-on-test-features", "methodology:fit-before-split"}


def test_an_evaluate_method_on_the_training_rows_is_training_set_evaluation(tmp_path: Path) -> None:
    model = """\
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score


class TicketClassifier:
    def __init__(self):
        self.vectorizer = TfidfVectorizer()
        self.model = LogisticRegression()

    def fit(self, texts, labels):
        self.model.fit(self.vectorizer.fit_transform(texts), labels)
        return self

    def evaluate(self, texts, labels):
        return accuracy_score(labels, self.model.predict(self.vectorizer.transform(texts)))
"""
    on_train = "clf = TicketClassifier().fit(texts, labels)\nprint(clf.evaluate(texts, labels))\n"
    held_out = (
        "from sklearn.model_selection import train_test_split\n"
        "a, b, c, d = train_test_split(texts, labels, random_state=0, stratify=labels)\n"
        "clf = TicketClassifier().fit(a, c)\nprint(clf.evaluate(b, d))\n"
    )
    bad = grade(
        write(
            tmp_path / "bad",
            {"model.py": model, "train.py": f"from model import TicketClassifier\n{on_train}"},
        )
    )
    good = grade(
        write(
            tmp_path / "good",
            {"model.py": model, "train.py": f"from model import TicketClassifier\n{held_out}"},
        )
    )
    assert [f.rule for f in bad.findings] == ["methodology:evaluated-on-training-data"]
    assert good.findings == []


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("model = LogisticRegression().fit(X, y)\njoblib.dump(model, 'm.joblib')\n", True),
        ("print(cross_val_score(LogisticRegression(), X, y, cv=5).mean())\n"
         "model = LogisticRegression().fit(X, y)\n", False),
        ("model.fit(X, y, epochs=5, validation_split=0.1)\n", False),
        ("a, b, c, d = train_test_split(X, y, random_state=0, stratify=y)\n"
         "model = LogisticRegression().fit(a, c)\nprint(f1_score(d, model.predict(b), average='macro'))\n"
         "model.fit(X, y)\n", False),
        ("def report(y_true, y_pred):\n    print(f1_score(y_true, y_pred, average='macro'))\n"
         "model = LogisticRegression().fit(X, y)\n", True),
        ("print('no model is trained here')\n", False),
    ],
)  # fmt: skip
def test_no_held_out_evaluation_anywhere(tmp_path: Path, script: str, expected: bool) -> None:
    result = grade(write(tmp_path, {"train.py": HEADER + script}))
    assert ("methodology:no-held-out-evaluation" in {f.rule for f in result.findings}) is expected


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("train_test_split(X, y, test_size=0.2, random_state=0)", True),
        ("train_test_split(frame, random_state=0)", True),
        ("train_test_split(X, y, random_state=0, stratify=y)", False),
        ("train_test_split(X, y, shuffle=False)", False),
    ],
)
def test_unstratified_splits(call: str, expected: bool) -> None:
    assert bool(fired(call, Rule.unstratified_split)) is expected


def test_tests_are_not_judged_and_no_code_means_skipped(tmp_path: Path) -> None:
    result = grade(
        write(
            tmp_path,
            {
                "README.md": "# Tickets\n",
                "tests/test_model.py": "from sklearn.ensemble import RandomForestClassifier\n"
                "def test_fit():\n    RandomForestClassifier().fit(X, y)\n",
            },
        )
    )
    assert result.status is GraderStatus.skipped and result.score is None
    assert result.metrics["files_analysed"] == 0


def test_the_shipped_goldens(tmp_path: Path) -> None:
    results = {
        name: grade(golden_copy(name, tmp_path))
        for name in ("strong", "solid", "notebook_only", "messy")
    }
    # cross-validated and stratified in the notebook, no class weights
    assert results["notebook_only"].findings == [] and results["notebook_only"].score == 80.0
    # strong's README reports a 5-fold CV that no code of the submission runs
    for name in ("strong", "solid"):
        assert [f.rule for f in results[name].findings] == ["methodology:no-held-out-evaluation"]
    assert results["solid"].score == 30.0
    assert results["strong"].score == round(30.0 + 10.0 * 30 / 60, 2)  # class weights, in proportion
    assert [f.rule for f in results["messy"].findings] == ["methodology:evaluated-on-training-data"]
    assert results["messy"].score == 5.0


def test_every_golden_grades_without_error(tmp_path: Path) -> None:
    for path in sorted(GOLDEN.iterdir()):
        result = grade(golden_copy(path.name, tmp_path))
        assert result.status in {GraderStatus.ok, GraderStatus.skipped}, (path.name, result.summary)


def test_registered_after_the_other_builtins() -> None:
    names = default_registry(plugins=False).names()
    assert names.index("methodology") == names.index("writeup") + 1 and names[-1] == "serving"


SOUND_BASE = """\
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
X_train, X_val, y_train, y_val = train_test_split(X, y, random_state=0{stratify})
model = LogisticRegression({weights}).fit(X_train, y_train)
print(f1_score(y_val, model.predict(X_val), average="macro"))
{extra}"""


def _practice(result: GraderResult, key: str) -> float:
    return next(c.points for c in result.breakdown if c.basis == f"methodology:practice:{key}")


@pytest.mark.parametrize(
    ("stratify", "weights", "extra", "expected"),
    [
        ("", "", "", {"cross_validation": 0, "class_weighting": 0, "stratified": 0}),
        (", stratify=y", "", "", {"cross_validation": 0, "class_weighting": 0, "stratified": 5}),
        ("", 'class_weight="balanced"', "", {"cross_validation": 0, "class_weighting": 10, "stratified": 0}),
        ("", "", "from sklearn.model_selection import cross_val_score\n"
         "print(cross_val_score(LogisticRegression(), X, y, cv=5))\n",
         {"cross_validation": 15, "class_weighting": 0, "stratified": 5}),
        ("", "", "from sklearn.model_selection import StratifiedKFold\n"
         "folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)\n",
         {"cross_validation": 15, "class_weighting": 0, "stratified": 5}),
        ("", "", "from sklearn.utils.class_weight import compute_sample_weight\n"
         "w = compute_sample_weight('balanced', y)\n",
         {"cross_validation": 0, "class_weighting": 10, "stratified": 0}),
    ],
)
def test_good_practice_is_credited_where_the_code_shows_it(
    tmp_path: Path, stratify: str, weights: str, extra: str, expected: dict[str, float]
) -> None:
    source = SOUND_BASE.format(stratify=stratify, weights=weights, extra=extra)
    result = grade(write(tmp_path, {"train.py": source}))
    # An unstratified split costs 5 of the 70 soundness points, and practice counts in proportion.
    soundness = 1.0 if stratify else 55 / 60
    assert {k: _practice(result, k) for k in expected} == {
        k: round(v * soundness, 2) for k, v in expected.items()}


@pytest.mark.parametrize(
    "source",
    [
        # near misses: the words are there, the practice is not
        SOUND_BASE.format(stratify=", stratify=None", weights="class_weight=None", extra=""),
        SOUND_BASE.format(stratify="", weights="", extra="# TODO: cross_val_score, class_weight\n"
                          'note = "we used StratifiedKFold"\n'),
    ],
)
def test_practices_named_but_not_used_earn_nothing(tmp_path: Path, source: str) -> None:
    result = grade(write(tmp_path, {"train.py": source}))
    assert all(_practice(result, k) == 0
               for k in ("cross_validation", "class_weighting", "stratified", "time_aware"))


def test_good_practice_on_a_broken_method_counts_as_much_as_the_method(tmp_path: Path) -> None:
    leaky = LEAKY_SCRIPT + "\nfrom sklearn.model_selection import cross_val_score\ncross_val_score(m, X, y, cv=5)\n"
    result = grade(write(tmp_path, {"train.py": leaky}))
    assert result.score == 0.0 and _practice(result, "cross_validation") == 0.0


@pytest.mark.parametrize(
    ("source", "seen"),
    [
        ("import pandas as pd\n"
         "def time_split(df):\n"
         "    order = pd.to_datetime(df['created_at']).sort_values().index\n"
         "    cut = int(len(order) * 0.8)\n"
         "    return df.loc[order[:cut]], df.loc[order[cut:]]\n", True),
        ("from sklearn.model_selection import TimeSeriesSplit\nfolds = TimeSeriesSplit(5)\n", True),
        # near misses: a date parsed but never used to order rows; rows sorted by something else
        ("import pandas as pd\ndef load(p):\n    df = pd.read_csv(p)\n"
         "    df['created_at'] = pd.to_datetime(df['created_at'])\n    return df\n"
         "def top(df):\n    return df.sort_values('priority')\n", False),
        ("def order(df):\n    return df.sort_values('subject')\n", False),
    ],
)
def test_time_aware_validation_is_seen_only_where_rows_are_ordered_by_date(
    tmp_path: Path, source: str, seen: bool
) -> None:
    result = grade(write(tmp_path, {"data.py": source}))
    assert (result.metrics["practice_time_aware"] is True) is seen
