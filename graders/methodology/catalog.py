"""What the methodology checks know about library names: which classes learn from rows, which
output sparse matrices, which need a seed, which functions split, cross-validate, score or save.

Names are matched on their last component (``sklearn.feature_extraction.text.TfidfVectorizer``
and ``TfidfVectorizer`` alike), because candidates import them every which way. The lists are
deliberately closed: an unknown class is never assumed to be a transformer or to need a seed, so
a check never fires on something it does not recognise.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "CV_FUNCTIONS",
    "CV_SEARCHES",
    "CV_SPLITTERS",
    "DENSE_SAFE_WIDTH",
    "EVAL_METHODS",
    "METRICS",
    "NEEDS_SEED",
    "SAVE_FUNCTIONS",
    "SAVE_METHODS",
    "SHUFFLE_SPLITTERS",
    "SPARSE_OUTPUT",
    "Role",
    "role_of",
]


class Role(StrEnum):
    """What an object of a known class does."""

    stateful_transformer = "stateful-transformer"
    """Learns statistics from the rows it is fitted on (vocabulary, IDF, means, selected features)."""
    encoder = "encoder"
    """Learns only the set of categories (one-hot, ordinal, label encoders)."""
    stateless_transformer = "stateless-transformer"
    """Learns nothing from rows (hashing vectorizer, normalizer)."""
    estimator = "estimator"
    search = "search"
    """A hyper-parameter search: fitting it cross-validates."""
    splitter = "splitter"
    """A cross-validation splitter (``KFold`` ...)."""
    resampler = "resampler"
    """An over- or under-sampler (``SMOTE`` ...): ``fit_resample`` makes or removes rows."""


_STATEFUL = frozenset(
    {
        "TfidfVectorizer",
        "CountVectorizer",
        "TfidfTransformer",
        "StandardScaler",
        "MinMaxScaler",
        "RobustScaler",
        "MaxAbsScaler",
        "QuantileTransformer",
        "PowerTransformer",
        "KBinsDiscretizer",
        "PCA",
        "TruncatedSVD",
        "NMF",
        "LatentDirichletAllocation",
        "SelectKBest",
        "SelectPercentile",
        "SelectFromModel",
        "VarianceThreshold",
        "RFE",
        "SimpleImputer",
        "KNNImputer",
        "IterativeImputer",
        "TargetEncoder",
        "FeatureUnion",
        "ColumnTransformer",
        "make_union",
        "make_column_transformer",
    }
)
_ENCODERS = frozenset(
    {
        "OneHotEncoder",
        "OrdinalEncoder",
        "LabelEncoder",
        "LabelBinarizer",
        "MultiLabelBinarizer",
        "DictVectorizer",
    }
)
_STATELESS = frozenset({"HashingVectorizer", "Normalizer", "FunctionTransformer"})
_SEARCHES = frozenset(
    {
        "GridSearchCV",
        "RandomizedSearchCV",
        "HalvingGridSearchCV",
        "HalvingRandomSearchCV",
        "BayesSearchCV",
    }
)
_SPLITTERS = frozenset(
    {
        "KFold",
        "StratifiedKFold",
        "GroupKFold",
        "StratifiedGroupKFold",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "TimeSeriesSplit",
        "LeaveOneOut",
    }
)
_RESAMPLERS = frozenset(
    {
        "SMOTE",
        "ADASYN",
        "BorderlineSMOTE",
        "SVMSMOTE",
        "RandomOverSampler",
        "RandomUnderSampler",
        "SMOTETomek",
        "SMOTEENN",
    }
)
_ESTIMATOR_SUFFIX = re.compile(r"(Classifier|Regressor|Regression|NB|SVC|SVR|Pipeline)$")
_ESTIMATORS = frozenset(
    {"make_pipeline", "Ridge", "Lasso", "ElasticNet", "Perceptron", "CalibratedClassifierCV"}
)

CV_SPLITTERS = _SPLITTERS
CV_SEARCHES = _SEARCHES
SHUFFLE_SPLITTERS = frozenset({"KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold"})
"""Splitters that are deterministic unless ``shuffle=True``."""

NEEDS_SEED = frozenset(
    {
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
        "GradientBoostingClassifier",
        "GradientBoostingRegressor",
        "SGDClassifier",
        "SGDRegressor",
        "Perceptron",
        "PassiveAggressiveClassifier",
        "MLPClassifier",
        "MLPRegressor",
        "BaggingClassifier",
        "TruncatedSVD",
        "LatentDirichletAllocation",
        "KMeans",
        "MiniBatchKMeans",
        "RandomizedSearchCV",
        "HalvingRandomSearchCV",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "SMOTE",
        "ADASYN",
        "RandomOverSampler",
        "RandomUnderSampler",
    }
)
"""Classes whose result depends on ``random_state`` with their default arguments.

Left out on purpose: linear models with deterministic default solvers (``LogisticRegression``,
``LinearSVC``: their randomness only breaks exact ties), XGBoost and LightGBM (fixed default
seeds), ``HistGradientBoosting*`` (random only with early stopping on large data)."""

CV_FUNCTIONS = frozenset(
    {
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
        "learning_curve",
        "validation_curve",
        "permutation_test_score",
    }
)
"""Functions that cross-validate an estimator on ``X`` (their second positional argument)."""

METRICS = frozenset(
    {
        "accuracy_score",
        "balanced_accuracy_score",
        "f1_score",
        "fbeta_score",
        "precision_score",
        "recall_score",
        "precision_recall_fscore_support",
        "classification_report",
        "confusion_matrix",
        "multilabel_confusion_matrix",
        "matthews_corrcoef",
        "cohen_kappa_score",
        "log_loss",
        "roc_auc_score",
        "top_k_accuracy_score",
        "hamming_loss",
        "jaccard_score",
        "from_predictions",
    }
)
"""Metric functions taking (y_true, y_pred) in some order."""

EVAL_METHODS = frozenset({"score", "evaluate", "eval", "evaluate_model"})
"""Methods that evaluate a fitted model on the rows they are given."""
SAVE_FUNCTIONS = frozenset({"dump", "save"})
"""``joblib.dump``, ``pickle.dump``, ``cloudpickle.dump``, ``skops.io.dump``, ``torch.save``."""
SAVE_METHODS = frozenset({"save", "save_model"})
"""``model.save(...)`` and ``booster.save_model(...)``."""

DENSE_SAFE_WIDTH = 2_000
"""A vectorizer capped at this many features (``max_features``) may be densified: the dense
matrix stays small, and some models (``GaussianNB``) need it."""


def role_of(name: str) -> Role | None:
    """The role of a class or factory by its (last) name; None when unknown."""
    if name in _STATEFUL:
        return Role.stateful_transformer
    if name in _ENCODERS:
        return Role.encoder
    if name in _STATELESS:
        return Role.stateless_transformer
    if name in _SEARCHES:
        return Role.search
    if name in _SPLITTERS:
        return Role.splitter
    if name in _RESAMPLERS:
        return Role.resampler
    if name in _ESTIMATORS or _ESTIMATOR_SUFFIX.search(name):
        return Role.estimator
    return None


SPARSE_OUTPUT = frozenset(
    {
        "TfidfVectorizer",
        "CountVectorizer",
        "HashingVectorizer",
        "TfidfTransformer",
        "DictVectorizer",
    }
)
"""Classes whose ``transform`` returns a SciPy sparse matrix by default."""
