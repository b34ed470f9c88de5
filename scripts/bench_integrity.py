#!/usr/bin/env python3
"""``make bench-integrity``: the code-similarity check against 10,000 stored submissions.

1. A throw-away data folder (``.bench/integrity``) gets 10,000 graded submissions of
   ``support-tickets`` by 10,000 candidates: real rows, real zip archives, fingerprinted and
   indexed by the real code (``harness.integrity.service.index_submission``). Their code is
   generated (about 4,000 tokens each, near the size of the shipped reference solution with its
   tests): 2-4 modules of functions built from a grammar of statements (assignments, calls into
   pandas, scikit-learn and numpy with varying arguments, loops, branches, comprehensions) with
   random names, sizes and nesting; one in four also carries a module of a corpus solution and
   half the starter kit's example test, so fragments common to many submissions and starter code
   are part of the load, as in real cohorts. Built once and kept (``--rebuild`` to redo).
2. New submissions are checked against them through the full path a graded report takes:
   fingerprint the stored archive, then ``check_similarity`` (index lookups, exact comparison of
   the strongest candidates, fragments read from the matched archives, the index updated) in a
   write transaction that is rolled back afterwards, so every run measures the same 10,000.
   Kinds: a new unrelated submission, a renamed copy of a stored one, the shipped reference
   solution, and a corpus solution many stored submissions share a module with. Target: 2 s.
3. Storage: the fingerprint tables' bytes (SQLite's ``dbstat``) per stored submission.

Figures print as a table and go to ``.bench/integrity.json``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BENCH = REPO / ".bench"
DATA = BENCH / "integrity"
GENERATOR_VERSION = "3"
CORPUS = REPO / "tests" / "integrity" / "corpus" / "independent"
STARTER_TEST = REPO / "assignments" / "support_tickets" / "starter_kit" / "tests" / "test_example.py"
REPEATS = 5
TARGET_S = 2.0


def log(msg: str) -> None:
    print(f"[bench-integrity] {msg}", file=sys.stderr, flush=True)


# --- synthetic submissions ------------------------------------------------------------------------
WORDS = ("ticket", "queue", "label", "text", "body", "subject", "frame", "model", "score", "vector",
         "matrix", "fold", "split", "batch", "weight", "token", "feature", "pred", "prob", "row",
         "col", "train", "test", "valid", "metric", "report", "config", "path", "data", "clean")
CALLS = ("pd.read_csv({a})", "np.array({a})", "np.mean({a})", "{a}.fillna({s})", "{a}.str.lower()",
         "TfidfVectorizer(ngram_range=(1, {n}), min_df={n})", "LogisticRegression(C={f}, max_iter={n}00)",
         "train_test_split({a}, {b}, test_size=0.{n}, random_state={n})", "{a}.fit({b}, {c})",
         "{a}.predict({b})", "f1_score({a}, {b}, average={s})", "joblib.dump({a}, {b})",
         "{a}.groupby({s}).size()", "len({a})", "sorted({a}, key=len)", "{a}.split({s})",
         "Counter({a}).most_common({n})", "re.sub({s}, {s}, {a})", "np.argsort({a})[-{n}:]",
         "{a}.transform({b})", "{a}.value_counts(normalize=True)", "max({a}, {b})",
         "{a}.astype(str)", "json.dumps({a}, indent={n})", "Path({a}) / {s}", "min({a}, default={n})",
         "StratifiedKFold(n_splits={n}, shuffle=True, random_state={n})", "{a}.apply({b})")


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> str:
        r = self.rng
        return "_".join(r.sample(WORDS, r.randint(1, 3))) + (str(r.randint(0, 99)) if r.random() < .3 else "")

    def expr(self, scope: list[str]) -> str:
        r = self.rng
        pick = lambda: r.choice(scope) if scope and r.random() < .7 else self.name()  # noqa: E731
        call = r.choice(CALLS).format(a=pick(), b=pick(), c=pick(), s=repr(r.choice(WORDS)),
                                      n=r.randint(1, 9), f=round(r.uniform(.1, 10), 2))
        if r.random() < .25:
            call = f"{call} {r.choice('+-*')} {pick()}"
        if r.random() < .15:
            call = f"[{pick()} for {pick()} in {call} if {pick()}]"
        return call

    def block(self, scope: list[str], depth: int, indent: str) -> list[str]:
        r = self.rng
        lines: list[str] = []
        for _ in range(r.randint(2, 5 if depth else 9)):
            roll = r.random()
            if roll < .55 or depth >= 2:
                target = self.name()
                lines.append(f"{indent}{target} = {self.expr(scope)}")
                scope.append(target)
            elif roll < .7:
                lines.append(f"{indent}for {self.name()} in {self.expr(scope)}:")
                lines += self.block(list(scope), depth + 1, indent + "    ")
            elif roll < .85:
                lines.append(f"{indent}if {self.expr(scope)} {r.choice(['>', '==', 'is not', '<'])} {r.randint(0, 9)}:")
                lines += self.block(list(scope), depth + 1, indent + "    ")
                if r.random() < .4:
                    lines.append(f"{indent}else:")
                    lines += self.block(list(scope), depth + 1, indent + "    ")
            else:
                lines.append(f"{indent}{self.expr(scope)}")
        return lines

    def function(self) -> str:
        r = self.rng
        params = [self.name() for _ in range(r.randint(0, 4))]
        body = self.block(list(params), 0, "    ")
        doc = [f'    """{r.choice(WORDS).capitalize()} the {r.choice(WORDS)}."""'] if r.random() < .5 else []
        ret = [f"    return {r.choice(params or ['None'])}"]
        return "\n".join([f"def {self.name()}({', '.join(params)}):", *doc, *body, *ret])

    def module(self) -> str:
        r = self.rng
        imports = ["import json", "import re", "from collections import Counter", "from pathlib import Path",
                   "import joblib", "import numpy as np", "import pandas as pd",
                   "from sklearn.feature_extraction.text import TfidfVectorizer",
                   "from sklearn.linear_model import LogisticRegression",
                   "from sklearn.metrics import f1_score",
                   "from sklearn.model_selection import StratifiedKFold, train_test_split"]
        head = sorted(r.sample(imports, r.randint(3, len(imports))))
        constants = [f"{self.name().upper()} = {r.randint(0, 999)}" for _ in range(r.randint(0, 4))]
        functions = [self.function() for _ in range(r.randint(2, 6))]
        return "\n".join(head) + "\n\n" + "\n".join(constants) + "\n\n\n" + "\n\n\n".join(functions) + "\n"


def _corpus_modules() -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in sorted(CORPUS.rglob("*.py"))]


def synthetic(seed: int) -> dict[str, str]:
    """The files of one generated submission."""
    rng = random.Random(seed)
    gen = Gen(rng)
    files = {f"{gen.name()}.py": gen.module() for _ in range(rng.randint(2, 4))}
    files["submission.toml"] = ('[train]\ncommand = "python train.py {train} {model_dir}"\n'
                                '[predict]\ncommand = "python predict.py {model_dir} {test} {predictions}"\n')
    if rng.random() < .25:
        name, text = rng.choice(_corpus_modules())
        files[f"shared_{name}"] = text
    if rng.random() < .5:
        files["tests/test_example.py"] = STARTER_TEST.read_text()
    return files


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            zf.writestr(name, text)
    return buf.getvalue()


def _prepare(seed: int) -> tuple[int, bytes, Any]:
    """A submission's archive and fingerprints (in a worker process)."""
    from harness.integrity.fingerprint import fingerprint
    from harness.integrity.sources import code_file

    files = synthetic(seed)
    code = fingerprint([c for p, t in files.items() if p.endswith(".py") and (c := code_file(p, t))],
                       "support-tickets")
    return seed, _zip(files), code


# --- the stored population ------------------------------------------------------------------------
def _settings() -> Any:
    from harness.settings import Settings

    return Settings(data_dir=DATA, environment="test", secret_key="bench-" + "x" * 40)


def _stamp(n: int) -> str:
    return f"v{GENERATOR_VERSION}-n{n}"


def build(n: int, jobs: int) -> None:
    from harness.assignments.loader import load_assignment
    from harness.db.base import utcnow
    from harness.db.engine import Database
    from harness.db.migrate import upgrade_head
    from harness.integrity.service import index_submission
    from harness.invitations.service import create_invitation
    from harness.submissions.models import Submission

    shutil.rmtree(DATA, ignore_errors=True)
    settings = _settings()
    upgrade_head(settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    assignment = load_assignment("support-tickets", settings)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        batch: list[tuple[int, bytes, Any]] = []
        for done, item in enumerate(pool.map(_prepare, range(n), chunksize=25), start=1):
            batch.append(item)
            if len(batch) == 250 or done == n:
                with db.session(write=True) as session:
                    for seed, data, code in batch:
                        sha = hashlib.sha256(data).hexdigest()
                        key = f"{sha[:2]}/{sha}"
                        (settings.blobs_dir / key).parent.mkdir(parents=True, exist_ok=True)
                        (settings.blobs_dir / key).write_bytes(data)
                        invitation, _ = create_invitation(session, assignment.spec, name=f"Candidate {seed}",
                                                          email=f"c{seed}@bench.example.com", actor="bench")
                        session.flush()
                        sub = Submission(invitation_id=invitation.id, version=1, assignment_name=assignment.name,
                                         filename=f"s{seed}.zip", sha256=sha, blob_key=key, size_bytes=len(data),
                                         status="graded", stages={})
                        session.add(sub)
                        session.flush()
                        index_submission(session, sub, assignment, code, now=utcnow())
                batch = []
                log(f"stored {done} of {n} ({time.perf_counter() - started:.0f} s)")
    db.dispose()
    (DATA / "stamp").write_text(_stamp(n))


# --- measuring ------------------------------------------------------------------------------------
def _new_files(kind: str, rng: random.Random, n: int) -> dict[str, str]:
    if kind == "new unrelated submission":
        return synthetic(10_000_000 + rng.randint(0, 10**6))
    if kind == "renamed copy of a stored one":
        files = synthetic(rng.randrange(n))
        return {p: _renamed(t) if p.endswith(".py") else t for p, t in files.items()}
    if kind == "the reference solution":
        root = REPO / "assignments" / "support_tickets" / "solutions" / "reference"
    else:
        root = CORPUS / "lr_pipeline"
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*.py")}


def _renamed(source: str) -> str:
    """Every generated name renamed (``ticket_queue`` -> ``ticket_queue_v2``), nothing else."""
    import tokenize

    borrowed = {w for line in source.splitlines() if line.startswith(("import ", "from "))
                for w in line.replace(",", " ").split()}
    out, previous = [], ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        word = token.string
        generated = token.type == tokenize.NAME and previous != "." and word not in borrowed and all(
            part.lower() in WORDS or part.isdigit() for part in word.split("_"))
        out.append((token.type, word + "_v2" if generated and word not in ("None",) else word))
        previous = word
    return tokenize.untokenize(out)


KINDS = ("new unrelated submission", "renamed copy of a stored one", "the reference solution",
         "a corpus solution (a shared module)")


def measure(n: int) -> dict[str, Any]:
    from harness.assignments.loader import load_assignment
    from harness.db.base import utcnow
    from harness.db.engine import Database
    from harness.integrity.service import check_similarity, fingerprint_archive
    from harness.invitations.service import create_invitation
    from harness.submissions.models import Submission
    from harness.submissions.service import blob_path

    settings = _settings()
    db = Database(settings.resolved_database_url)
    assignment = load_assignment("support-tickets", settings)
    rng = random.Random(7)
    results: dict[str, Any] = {}
    for kind in KINDS:
        times, found = [], []
        for _ in range(REPEATS):
            data = _zip(_new_files(kind, rng, n))
            sha = hashlib.sha256(data).hexdigest()
            blob = settings.blobs_dir / "new" / f"{sha}.zip"
            blob.parent.mkdir(parents=True, exist_ok=True)
            blob.write_bytes(data)
            session = db.new_session(write=True)
            try:
                invitation, _ = create_invitation(session, assignment.spec, name="New Candidate",
                                                  email="new@bench.example.com", actor="bench")
                session.flush()
                sub = Submission(invitation_id=invitation.id, version=1, assignment_name=assignment.name,
                                 filename="new.zip", sha256=sha, blob_key=f"new/{sha}.zip", size_bytes=len(data),
                                 status="graded", stages={})
                session.add(sub)
                session.flush()
                t0 = time.perf_counter()
                code = fingerprint_archive(blob_path(settings, sub), assignment)
                check = check_similarity(session, sub, assignment, code, now=utcnow())
                session.flush()
                times.append(time.perf_counter() - t0)
                found.append({"fingerprints": check.fingerprints, "population": check.population,
                              "common": check.common, "flagged": check.flagged, "best": check.best})
            finally:
                session.rollback()
                session.close()
        results[kind] = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                         "checks": found}
        log(f"{kind}: median {statistics.median(times):.3f} s, max {max(times):.3f} s; {found[0]}")
    db.dispose()
    return results


def storage(n: int) -> dict[str, Any]:
    conn = sqlite3.connect(DATA / "harness.db")
    try:
        sizes = dict(conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
        rows = conn.execute("SELECT COUNT(*) FROM code_fingerprints").fetchone()[0]
        per_set = conn.execute("SELECT AVG(fingerprints), AVG(tokens) FROM code_fingerprint_sets").fetchone()
    finally:
        conn.close()
    tables = ("code_fingerprints", "code_fingerprint_sets", "ix_code_fingerprint_sets_assignment_name",
              "ix_code_fingerprint_sets_invitation_id")
    index_bytes = sum(int(sizes.get(t, 0)) for t in tables)
    return {"submissions": n, "fingerprint_rows": rows, "fingerprints_per_submission": round(per_set[0], 1),
            "tokens_per_submission": round(per_set[1], 1), "fingerprint_bytes": index_bytes,
            "bytes_per_submission": round(index_bytes / n), "index_table_bytes": int(sizes.get("code_fingerprints", 0)),
            "sets_table_bytes": int(sizes.get("code_fingerprint_sets", 0)),
            "database_bytes": (DATA / "harness.db").stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=int(os.environ.get("BENCH_SUBMISSIONS", "10000")))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    stamp = DATA / "stamp"
    if args.rebuild or not stamp.is_file() or stamp.read_text() != _stamp(args.submissions):
        log(f"storing {args.submissions} generated submissions (kept in {DATA} for the next run)...")
        build(args.submissions, args.jobs)
    timing = measure(args.submissions)
    space = storage(args.submissions)
    print(f"\nSimilarity check against {args.submissions} stored submissions (SQLite, {REPEATS} runs each):")
    print(f"{'new submission':42} {'median':>8} {'max':>8}  fingerprints  flagged")
    for kind, figures in timing.items():
        first = figures["checks"][0]
        print(f"{kind:42} {figures['median_s']:7.3f}s {figures['max_s']:7.3f}s  {first['fingerprints']:>12}  "
              f"{first['flagged']:>7}")
    worst = max(f["max_s"] for f in timing.values())
    print(f"Slowest check: {worst:.3f} s (target <= {TARGET_S:g} s): {'met' if worst <= TARGET_S else 'NOT MET'}")
    print(f"Storage: {space['bytes_per_submission'] / 1024:.1f} KiB of index per submission "
          f"({space['fingerprints_per_submission']:.0f} fingerprints of {space['tokens_per_submission']:.0f} tokens); "
          f"{space['fingerprint_bytes'] / 2**20:.0f} MiB for {args.submissions} "
          f"(database {space['database_bytes'] / 2**20:.0f} MiB in all)")
    out = BENCH / "integrity.json"
    out.write_text(json.dumps({"timing": timing, "storage": space}, indent=2))
    print(f"Figures written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
