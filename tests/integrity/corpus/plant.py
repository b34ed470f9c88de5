"""How the planted copies in ``copies/`` were made from their originals (kept to show the work;
the copies are committed as files and the tests read those, not this script's output).

    python -m tests.integrity.corpus.plant        # rewrites copies/ from the originals

Each copy applies the disguises a candidate who copies applies: identifiers renamed (by hand
chosen maps, as a person renames), the code reformatted (``ast.unparse``: other line breaks,
quotes and parentheses, comments gone), definitions reordered, comments and docstrings
rewritten, only part of a solution taken, a notebook turned into a script. ``MANIFEST.toml``
names each copy's original and its disguises.
"""

from __future__ import annotations

import ast
import io
import json
import shutil
import tokenize
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEPENDENT = HERE / "independent"
COPIES = HERE / "copies"
REFERENCE = HERE.parents[2] / "assignments" / "support_tickets" / "solutions" / "reference"


def rename(source: str, names: dict[str, str]) -> str:  # names used in f-strings are not in the maps
    """Rename identifiers (NAME tokens not after a dot: strings, comments and attributes of
    other modules are left alone, as a person renaming variables leaves them)."""
    lines = source.splitlines(keepends=True)
    edits: dict[int, list[tuple[int, int, str]]] = {}
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        after_dot, previous = previous == ".", token.string
        if token.type == tokenize.NAME and token.string in names and not after_dot:
            row, col = token.start
            edits.setdefault(row, []).append((col, token.end[1], names[token.string]))
    for row, changes in edits.items():
        line = lines[row - 1]
        for start, end, new in sorted(changes, reverse=True):
            line = line[:start] + new + line[end:]
        lines[row - 1] = line
    return "".join(lines)


def reformat(source: str) -> str:
    """Another layout: ``ast.unparse`` (comments dropped, quotes and breaks changed)."""
    return ast.unparse(ast.parse(source)) + "\n"


def reorder(source: str, order: list[str]) -> str:
    """Top-level statements in another order: named definitions as ``order`` says, the rest
    (imports, constants, the main guard) kept in place around them."""
    tree = ast.parse(source)
    named = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    queue = [named[name] for name in order]
    body = [queue.pop(0) if isinstance(n, ast.FunctionDef | ast.ClassDef) else n for n in tree.body]
    tree.body = body
    return ast.unparse(tree) + "\n"


def _write(folder: Path, files: dict[str, str]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _read(folder: Path, *names: str) -> dict[str, str]:
    return {name: (folder / name).read_text(encoding="utf-8") for name in names}


PIPELINE_NAMES = {
    "TEXT_COLUMNS": "TEXT_FIELDS", "CATEGORICAL": "META_FIELDS", "prepare": "clean_frame",
    "build_pipeline": "make_model", "frame": "df", "out": "cleaned", "column": "col",
    "features": "feats", "classifier": "clf", "c": "strength", "parse_args": "get_args",
    "parser": "ap", "args": "opts", "data": "tickets", "model": "estimator", "folds": "splitter",
    "result": "preds_df", "pipeline": "model_def",
}


def renamed_pipeline() -> None:
    src = _read(INDEPENDENT / "lr_pipeline", "pipeline.py", "train.py", "predict.py",
                "submission.toml")
    _write(COPIES / "renamed_pipeline", {
        "model_def.py": rename(src["pipeline.py"], PIPELINE_NAMES),
        "train.py": rename(src["train.py"], PIPELINE_NAMES),
        "predict.py": rename(src["predict.py"], PIPELINE_NAMES),
        "submission.toml": src["submission.toml"],
        "README.md": "# Ticket classifier\n\nTF-IDF plus one-hot metadata into logistic regression.\n",
    })


def reformatted_package() -> None:
    folder = INDEPENDENT / "lr_package"
    files = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted(folder.rglob("*.py"))}
    out = {name: reformat(text) for name, text in files.items()}
    out["submission.toml"] = (folder / "submission.toml").read_text(encoding="utf-8")
    out["README.md"] = "# Router\n\nWord and character TF-IDF with logistic regression.\n"
    _write(COPIES / "reformatted_package", out)


def reordered_ensemble() -> None:
    src = _read(INDEPENDENT / "ensemble_meta", "ensemble.py", "submission.toml")
    text = reorder(src["ensemble.py"], ["main", "read", "Ensemble", "softmax"])
    _write(COPIES / "reordered_ensemble", {"ensemble.py": text, "submission.toml": src["submission.toml"]})


def comments_svm() -> None:
    src = _read(INDEPENDENT / "svm_char", "svm_router.py", "submission.toml")
    text = src["svm_router.py"]
    for old, new in [
        ('"""Linear SVM on character n-grams, calibrated so we can report confidence."""',
         '"""Ticket classifier: a support vector machine over char n-grams.\n\nProbabilities come '
         'from Platt-style calibration."""'),
        ("    # channel is prepended as a token; it shifts priors a little\n",
         "    # put the channel in front as a special word so the model can use it\n"),
        ('log.info("saved %s", folder / MODEL_NAME)', 'log.info("model written to %s", folder / MODEL_NAME)'),
        ('log.info("%d predictions, mean confidence %.2f"', 'log.info("wrote %d rows (avg conf %.2f)"'),
        ("#!/usr/bin/env python\n", ""),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    _write(COPIES / "comments_svm", {"classify.py": text, "submission.toml": src["submission.toml"].replace(
        "svm_router.py", "classify.py")})


PARTIAL_OWN_CLI = '''"""Entry points for training and prediction."""
import sys
from pathlib import Path

import pandas as pd

from model import TicketClassifier


def train(train_csv: str, model_dir: str) -> None:
    tickets = pd.read_csv(train_csv, keep_default_na=False)
    print(f"{len(tickets)} training tickets, {tickets['label'].nunique()} queues")
    TicketClassifier(C=1.0).fit(tickets).save(model_dir)


def predict(model_dir: str, test_csv: str, output_csv: str) -> None:
    tickets = pd.read_csv(test_csv, keep_default_na=False)
    labels = TicketClassifier.load(model_dir).predict(tickets)
    Path(output_csv).write_text(
        "id,label\\n" + "".join(f"{i},{label}\\n" for i, label in zip(tickets["id"], labels)))


if __name__ == "__main__":
    {"train": train, "predict": predict}[sys.argv[1]](*sys.argv[2:])
'''

PARTIAL_OWN_TESTS = '''import pandas as pd
import pytest

from model import TicketClassifier


@pytest.fixture
def tickets():
    return pd.DataFrame({
        "subject": ["Refund", "Login", "Refund please", "Locked out"] * 6,
        "body": ["money back", "cannot sign in", "charge me back", "2fa code"] * 6,
        "label": ["refund", "account_access", "refund", "account_access"] * 6,
    })


def test_classifier_round_trip(tmp_path, tickets):
    TicketClassifier(min_df=1).fit(tickets).save(tmp_path)
    again = TicketClassifier.load(tmp_path)
    assert list(again.predict(tickets.head(2))) == ["refund", "account_access"]


def test_top_terms_cover_each_queue(tickets):
    terms = TicketClassifier(min_df=1).fit(tickets).top_terms(n=3)
    assert set(terms) == {"refund", "account_access"}
'''


def partial_class() -> None:
    src = _read(INDEPENDENT / "lr_class", "classifier.py")
    _write(COPIES / "partial_class", {
        "model.py": src["classifier.py"],
        "cli.py": PARTIAL_OWN_CLI,
        "tests/test_model.py": PARTIAL_OWN_TESTS,
        "submission.toml": '[train]\ncommand = "python cli.py train {train} {model_dir}"\n'
                           '[predict]\ncommand = "python cli.py predict {model_dir} {test} {predictions}"\n',
        "README.md": "## Approach\nA TF-IDF and logistic regression classifier, my own CLI.\n",
    })


def notebook_script() -> None:
    notebook = json.loads((INDEPENDENT / "notebook_lr" / "triage.ipynb").read_text(encoding="utf-8"))
    parts = ["#!/usr/bin/env python\n# coding: utf-8\n"]
    count = 0
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            parts.append("\n".join("# " + line for line in source.splitlines()) + "\n")
            continue
        count += 1
        source = source.replace("%matplotlib inline", "get_ipython().run_line_magic('matplotlib', 'inline')")
        parts.append(f"# In[{count}]:\n\n\n{source}\n")
    script = "\n\n".join(parts)
    script = script.replace("get_ipython().run_line_magic('matplotlib', 'inline')\n", "")
    script = script.replace('tickets["label"].value_counts(normalize=True).round(3)',
                            'print(tickets["label"].value_counts(normalize=True).round(3))')
    _write(COPIES / "notebook_script", {
        "triage.py": script,
        "submission.toml": '[train]\ncommand = "TRAIN_CSV={train} MODEL_DIR={model_dir} python triage.py"\n'
                           '[predict]\ncommand = "TRAIN_CSV=/dev/null TEST_CSV={test} MODEL_DIR={model_dir} '
                           'PREDICTIONS_CSV={predictions} python triage.py"\n',
    })


SGD_NAMES = {
    "URL": "LINK_RE", "NUMBER": "DIGITS_RE", "WORDS": "TEXT_HASHER", "META": "META_HASHER",
    "normalise": "clean_text", "meta_tokens": "meta_words", "featurize": "vectorize", "rows": "records",
    "docs": "texts", "text": "txt", "read": "load_csv", "write_predictions": "save_csv",
    "stream": "fh", "out": "writer", "train": "fit_sgd", "predict": "run_sgd", "model": "sgd",
    "train_csv": "train_file", "model_dir": "out_dir", "test_csv": "test_file", "out_csv": "dest",
    "path": "location", "ids": "keys", "labels": "values", "tickets": "ticketing",
}


def disguised_sgd() -> None:
    folder = INDEPENDENT / "sgd_hashing" / "src" / "tickets"
    features = reformat(rename((folder / "features.py").read_text(encoding="utf-8"), SGD_NAMES))
    io_module = rename((folder / "io.py").read_text(encoding="utf-8"), SGD_NAMES)
    train = reorder(rename((folder / "train.py").read_text(encoding="utf-8"), SGD_NAMES), ["fit_sgd"])
    predict = reformat(rename((folder / "predict.py").read_text(encoding="utf-8"), SGD_NAMES))
    merged = (features + "\n\n" + io_module.replace("from __future__ import annotations\n", "")
              + "\n\n" + train.replace("from __future__ import annotations\n", "")
              + "\n\n" + predict.replace("from __future__ import annotations\n", ""))
    merged = "\n".join(line for line in merged.splitlines()
                       if not line.startswith(("from ticketing.", "if __name__", "    fit_sgd(sys",
                                               "    run_sgd(sys")))
    merged += '\n\nif __name__ == "__main__":\n    if sys.argv[1] == "train":\n        fit_sgd(*sys.argv[2:4])\n' \
              '    else:\n        run_sgd(*sys.argv[2:5])\n'
    _write(COPIES / "disguised_sgd", {
        "sgd_model.py": merged,
        "submission.toml": '[train]\ncommand = "python sgd_model.py train {train} {model_dir}"\n'
                           '[predict]\ncommand = "python sgd_model.py predict {model_dir} {test} {predictions}"\n',
    })


REFERENCE_NAMES = {
    "tickets": "records", "model": "estimator",
    "text": "doc", "texts": "docs", "pipeline": "pipe", "predictions": "preds",
}


def reference_renamed() -> None:
    out = {}
    for path in sorted(REFERENCE.rglob("*.py")):
        rel = path.relative_to(REFERENCE).as_posix()
        if rel.startswith("tests/"):
            continue
        out[rel.replace("ticketclf/", "queueclf/")] = rename(path.read_text(encoding="utf-8"), REFERENCE_NAMES) \
            .replace("ticketclf", "queueclf")
    out["submission.toml"] = (REFERENCE / "submission.toml").read_text(encoding="utf-8").replace("ticketclf", "queueclf")
    _write(COPIES / "reference_renamed", out)


def main() -> None:
    for make in (renamed_pipeline, reformatted_package, reordered_ensemble, comments_svm, partial_class,
                 notebook_script, disguised_sgd, reference_renamed):
        make()


if __name__ == "__main__":
    main()
