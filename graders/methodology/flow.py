"""Where rows, fitted state and predictions go in one piece of candidate code.

A forward pass over each scope (a module's top-level code, each function body) in statement order,
tracking for every variable the *origins* of the data it holds: rows a splitter put in a training
or evaluation part, output of a transformer fitted before any split, a sparse TF-IDF matrix, rows
read from the test file, predictions of a model on the very rows it was fitted on, the classes a
``value_counts().head(k)`` kept. Calls that consume data (splits, cross-validation, ``fit``,
metrics, ``dump``) compare what reaches them with what each rule forbids and record an
:class:`Observation`.

The pass is deliberately conservative: an origin is only created by a construct it recognises,
unknown calls pass their arguments' origins through unchanged, branches are walked in source
order, and functions are analysed one at a time (a helper's effect on its caller is not guessed,
except for helpers whose name says they train). It reads the syntax tree only; nothing is run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import PurePosixPath

from graders.methodology.catalog import (
    CV_FUNCTIONS,
    DENSE_SAFE_WIDTH,
    EVAL_METHODS,
    METRICS,
    NEEDS_SEED,
    SAVE_FUNCTIONS,
    SAVE_METHODS,
    SHUFFLE_SPLITTERS,
    SPARSE_OUTPUT,
    Role,
    role_of,
)
from graders.methodology.origins import (
    EMPTY,
    Fit,
    Kind,
    Obj,
    Origin,
    Origins,
    Summary,
    has,
    of,
    union,
)
from graders.methodology.syntax import (
    EVAL_PART,
    MODULES_THAT_SAVE,
    PREDICT_NAME,
    READER,
    SPLIT_HELPER,
    TEST_WORD,
    TRAIN_HELPER,
    TRAIN_WORD,
    call_name,
    column_of,
    functions_of,
    has_star_kwargs,
    imports_of,
    is_none,
    is_true,
    key_of,
    kwarg,
    mentions,
    module_consts,
    module_objects,
    named_transformer,
    param_consts,
    seeded,
    str_list,
)

__all__ = ["Observation", "Rule", "UnitAnalysis", "analyse_tree", "analyse_units"]


class Rule(StrEnum):
    """The methodology problems the pass can observe."""

    fit_before_split = "fit-before-split"
    evaluated_on_training_data = "evaluated-on-training-data"
    final_model_on_subset = "final-model-on-subset"
    dropped_classes = "dropped-classes"
    densified_sparse = "densified-sparse"
    unseeded = "unseeded"
    fit_on_test_features = "fit-on-test-features"
    unstratified_split = "unstratified-split"
    no_held_out_evaluation = "no-held-out-evaluation"
    """Decided for the whole submission by the grader, from :attr:`UnitAnalysis` counts."""


@dataclass(frozen=True)
class Observation:
    """One problem at one place of the source."""

    rule: Rule
    line: int
    """1-based line of the unit's text where the problem is."""
    subject: str
    """The class or call concerned (``TfidfVectorizer``, ``train_test_split``, ``f1_score``)."""
    related_line: int | None = None
    """The other place the problem involves (the split after a fit, the fit before a save)."""
    related: str = ""
    """What is at :attr:`related_line`."""
    column: str = ""
    """The label column a class filter applies to."""
    number: int | None = None
    """k of a top-k filter, the minimum count of a min-count filter."""
    labels: tuple[str, ...] = ()
    """Classes an explicit filter names."""
    how: str = ""
    """The variant: ``top``, ``min-count``, ``listed`` or ``excluded`` for class filters;
    ``saved`` or ``predicts`` for a subset model; ``test-file``, ``test-split``,
    ``train-and-test`` or ``predict-path`` for a fit on test features."""
    file: str = ""
    """The unit :attr:`line` is in when it is another one than the unit analysed (the body of a
    helper the analysed code calls); empty otherwise."""
    related_file: str = ""
    """Likewise for :attr:`related_line`."""


@dataclass
class UnitAnalysis:
    """What the pass found in one unit."""

    observations: list[Observation] = field(default_factory=list)
    held_out_evaluations: int = 0
    """Metrics, scores and cross-validation on data a model was not fitted on."""
    full_saves: int = 0
    """Models saved after a fit on rows no split had reduced."""
    supervised_fits: int = 0
    """``fit(X, y)`` calls: the unit trains something."""
    summaries: dict[str, Summary] = field(default_factory=dict)
    """What calling each of the unit's functions does (see :class:`Summary`)."""


@dataclass
class _UnitFacts:
    """Facts about the whole unit that every scope shares."""

    rel: str
    stem: str
    consts: dict[str, int]
    np_seeded: bool
    random_seeded: bool
    imports: dict[str, str]
    """Local name -> dotted source (``shuffle`` -> ``sklearn.utils.shuffle``)."""
    result: UnitAnalysis
    summaries: dict[str, Summary] = field(default_factory=dict)
    """Summaries of the submission's functions, from the previous pass."""
    seen: set[tuple[Rule, int, str]] = field(default_factory=set)

    def summary(self, name: str) -> Summary | None:
        return self.summaries.get(name)

    def observe(self, obs: Observation) -> None:
        key = (obs.rule, obs.line, f"{obs.file}:{obs.subject}")
        if key not in self.seen:
            self.seen.add(key)
            self.result.observations.append(obs)


class _Scope:
    """The forward pass over one scope's statements."""

    def __init__(
        self,
        facts: _UnitFacts,
        objects: dict[str, Obj],
        *,
        predict_path: bool,
        consts: dict[str, int] | None = None,
    ) -> None:
        self.facts = facts
        self.predict_path = predict_path
        self.consts = {**facts.consts, **(consts or {})}
        """Module constants, and this function's parameters with constant defaults."""
        self.returned: Origins = EMPTY
        self.fresh_fits: list[tuple[str, int]] = []
        """(class, line) of transformers built here and fitted on data this scope was given."""
        self.env: dict[str, Origins] = {}
        self.version: dict[str, int] = {}
        self.objects: dict[str, Obj] = dict(objects)
        self.fits: dict[str, Fit] = {}
        self.node_obj: dict[int, Obj] = {}
        self.node_fit: dict[int, Fit] = {}
        self.node_origins: dict[int, Origins] = {}
        self.supervised_fits = 0
        self.pending_predict_fits: list[Observation] = []

    # --- statements -----------------------------------------------------------------------

    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def finish(self) -> None:
        # A predict-named function that also fits a supervised model trains and predicts in
        # one: its transformer fits are on training data, not test features.
        if not self.supervised_fits:
            for obs in self.pending_predict_fits:
                self.facts.observe(obs)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        if isinstance(s, ast.Assign):
            origins = self.expr(s.value)
            for target in s.targets:
                self.bind(target, s.value, origins)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.bind(s.target, s.value, self.expr(s.value))
        elif isinstance(s, ast.AugAssign):
            origins = union(self.expr(s.value), self.expr(s.target))
            self.bind(s.target, None, origins)
        elif isinstance(s, ast.Return):
            if s.value is not None:
                self.returned = union(self.returned, self.expr(s.value))
        elif isinstance(s, ast.Expr):
            self.expr(s.value)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self.bind_loop(s.target, s.iter, self.expr(s.iter))
            self.run(s.body)
            self.run(s.orelse)
        elif isinstance(s, (ast.While, ast.If)):
            self.expr(s.test)
            self.run(s.body)
            self.run(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                origins = self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, item.context_expr, origins)
            self.run(s.body)
        elif isinstance(s, (ast.Try, ast.TryStar)):
            self.run(s.body)
            for handler in s.handlers:
                self.run(handler.body)
            self.run(s.orelse)
            self.run(s.finalbody)
        elif isinstance(s, ast.Match):
            self.expr(s.subject)
            for case in s.cases:
                self.run(case.body)
        else:
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def bind(self, target: ast.expr, value: ast.expr | None, origins: Origins) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            self.bind_many(target.elts, value, origins)
            return
        if isinstance(target, ast.Starred):
            self.bind(target.value, None, origins)
            return
        if isinstance(target, ast.Subscript):
            # df["col"] = ...: the frame now also holds what the column came from.
            base = key_of(target.value)
            if base is not None:
                self.env[base] = union(self.env.get(base, EMPTY), origins)
            return
        key = key_of(target)
        if key is None:
            return
        self.env[key] = origins
        self.version[key] = self.version.get(key, 0) + 1
        obj = self._obj_of(value)
        fit = self._fit_of(value)
        if obj is not None:
            self.objects[key] = obj
        else:
            self.objects.pop(key, None)
        if fit is not None:
            self.fits[key] = fit
        else:
            self.fits.pop(key, None)

    def bind_many(self, targets: list[ast.expr], value: ast.expr | None, origins: Origins) -> None:
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(targets):
            for target, item in zip(targets, value.elts, strict=True):
                self.bind(target, item, self.node_origins.get(id(item), EMPTY))
            return
        if isinstance(value, ast.Call):
            name = call_name(value.func)
            arrays = [a for a in value.args if not isinstance(a, ast.Starred)]
            if name == "train_test_split" and arrays and len(targets) == 2 * len(arrays):
                for i, target in enumerate(targets):
                    part = Kind.split_train if i % 2 == 0 else Kind.split_test
                    src = self.node_origins.get(id(arrays[i // 2]), EMPTY)
                    self.bind(target, None, union(src, frozenset({Origin(part, value.lineno)})))
                return
            if isinstance(value.func, ast.Name) and SPLIT_HELPER.search(name):
                for target in targets:
                    label = key_of(target) or ""
                    kind = (
                        Kind.split_train
                        if TRAIN_WORD.search(label)
                        else Kind.split_test
                        if EVAL_PART.search(label)
                        else None
                    )
                    extra = frozenset({Origin(kind, value.lineno)}) if kind else EMPTY
                    self.bind(target, None, union(origins, extra))
                return
        for target in targets:
            self.bind(target, None, origins)

    def bind_loop(self, target: ast.expr, it: ast.expr, origins: Origins) -> None:
        splits = [
            c
            for c in ast.walk(it)
            if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Attribute)
            and c.func.attr == "split"
            and self._role_of(c.func.value) is Role.splitter
        ]
        if splits:
            pairs = [
                t
                for t in ast.walk(target)
                if isinstance(t, (ast.Tuple, ast.List))
                and len(t.elts) == 2
                and all(isinstance(e, ast.Name) for e in t.elts)
            ]
            if pairs:
                line = splits[0].lineno
                train, test = pairs[-1].elts
                self.bind(train, None, union(origins, frozenset({Origin(Kind.split_train, line)})))
                self.bind(test, None, union(origins, frozenset({Origin(Kind.split_test, line)})))
                return
        self.bind(target, None, origins)

    # --- expressions ----------------------------------------------------------------------

    def _obj_of(self, node: ast.expr | None) -> Obj | None:
        if node is None:
            return None
        found = self.node_obj.get(id(node))
        if found is not None:
            return found
        key = key_of(node)
        return self.objects.get(key) if key is not None else None

    def _role_of(self, node: ast.expr) -> Role | None:
        obj = self._obj_of(node)
        return obj.role if obj is not None else None

    def _fit_of(self, node: ast.expr | None) -> Fit | None:
        if node is None:
            return None
        found = self.node_fit.get(id(node))
        if found is not None:
            return found
        key = key_of(node)
        return self.fits.get(key) if key is not None else None

    def expr(self, node: ast.expr | None) -> Origins:
        if node is None:
            return EMPTY
        out = self._expr(node)
        self.node_origins[id(node)] = out
        return out

    def _expr(self, node: ast.expr) -> Origins:
        if isinstance(node, ast.Name):
            return self.env.get(node.id, EMPTY)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Lambda):
            return EMPTY
        parts = [self.expr(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
        if isinstance(node, ast.Compare):
            self.compare(node)
        return union(*parts)

    def attribute(self, node: ast.Attribute) -> Origins:
        base = self.expr(node.value)
        key = key_of(node)
        if key is not None and key in self.env:
            return self.env[key]
        if node.attr == "best_estimator_":
            fit = self._fit_of(node.value)
            if fit is not None:
                self.node_fit[id(node)] = fit
        if node.attr == "A" and not isinstance(node.value, ast.Subscript):
            self.densify(node, base, ".A")
        return union(base, self._filtered_label(base, node.attr))

    def _filtered_label(self, base: Origins, column: str | None) -> Origins:
        return frozenset(
            Origin(Kind.filtered_label, o.line, o.detail, o.number, o.extra, o.file)
            for o in base
            if o.kind is Kind.class_filtered and o.detail == column
        )

    def subscript(self, node: ast.Subscript) -> Origins:
        base = self.expr(node.value)
        index = self.expr(node.slice)
        out = union(base, index)
        line = node.lineno
        sl = node.slice
        counts = of(base, Kind.class_counts)
        if counts and isinstance(sl, ast.Slice) and sl.lower is None and sl.upper is not None:
            k = self.const_int(sl.upper)
            out = union(out, frozenset({Origin(Kind.top_classes, line, counts[0].detail, k)}))
        if counts and isinstance(sl, ast.Compare) and len(sl.ops) == 1:
            n = self.const_int(sl.comparators[0])
            op = sl.ops[0]
            if isinstance(op, (ast.Gt, ast.GtE)) and n is not None:
                at_least = n + 1 if isinstance(op, ast.Gt) else n
                out = union(out, frozenset({Origin(Kind.frequent_classes, line, "", at_least)}))
            elif isinstance(op, (ast.Lt, ast.LtE)) and n is not None:
                at_least = n + 1 if isinstance(op, ast.LtE) else n
                out = union(out, frozenset({Origin(Kind.rare_classes, line, "", at_least)}))
        condition = sl.elts[0] if isinstance(sl, ast.Tuple) and sl.elts else sl
        kept = None if has(index, Kind.class_filtered) else self.class_filter(condition, line)
        if kept is not None:
            out = union(out, frozenset({kept}))
        if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
            out = union(out, self._filtered_label(base, sl.value))
        return out

    def class_filter(self, cond: ast.expr, line: int) -> Origin | None:
        """A row filter that keeps only some classes of a column, if ``cond`` is one."""
        for sub in ast.walk(cond):
            if isinstance(sub, ast.UnaryOp) and isinstance(sub.op, (ast.Invert, ast.Not)):
                inner = sub.operand
                if isinstance(inner, ast.Call) and call_name(inner.func) == "isin":
                    found = self._isin_filter(inner, line, negated=True)
                    if found is not None:
                        return found
            elif isinstance(sub, ast.Call) and call_name(sub.func) == "isin":
                if any(isinstance(p, ast.UnaryOp) and p.operand is sub for p in ast.walk(cond)):
                    continue
                found = self._isin_filter(sub, line, negated=False)
                if found is not None:
                    return found
            elif isinstance(sub, ast.Compare) and len(sub.ops) == 1:
                found = self._compare_filter(sub, line)
                if found is not None:
                    return found
        return None

    def _isin_filter(
        self, call: ast.Call, line: int, *, negated: bool, listed_ok: bool = True
    ) -> Origin | None:
        if not isinstance(call.func, ast.Attribute) or not call.args:
            return None
        column = column_of(call.func.value)
        if column is None:
            return None
        arg = call.args[0]
        listed = str_list(arg)
        if listed is not None:
            if not listed_ok:
                return None
            how = "excluded" if negated else "listed"
            return Origin(Kind.class_filtered, line, column, None, (how, *listed))
        origins = self.node_origins.get(id(arg), EMPTY)
        if not negated:
            top = of(origins, Kind.top_classes)
            if top:
                return Origin(Kind.class_filtered, line, column, top[0].number, ("top",))
            frequent = of(origins, Kind.frequent_classes)
            if frequent:
                return Origin(Kind.class_filtered, line, column, frequent[0].number, ("min-count",))
        else:
            rare = of(origins, Kind.rare_classes)
            if rare:
                return Origin(Kind.class_filtered, line, column, rare[0].number, ("min-count",))
        return None

    def _compare_filter(self, cmp: ast.Compare, line: int) -> Origin | None:
        op = cmp.ops[0]
        right = cmp.comparators[0]
        left = cmp.left
        if (
            isinstance(op, ast.NotEq)
            and isinstance(right, ast.Constant)
            and isinstance(right.value, str)
        ):
            column = column_of(left)
            if column is not None and right.value:
                return Origin(Kind.class_filtered, line, column, None, ("excluded", right.value))
        if (
            isinstance(op, (ast.Gt, ast.GtE))
            and isinstance(left, ast.Call)
            and call_name(left.func) == "transform"
            and isinstance(left.func, ast.Attribute)
        ):
            grouped = left.func.value
            if isinstance(grouped, ast.Subscript):
                grouped = grouped.value
            if (
                isinstance(grouped, ast.Call)
                and call_name(grouped.func) == "groupby"
                and grouped.args
            ):
                column = self._const_str(grouped.args[0])
                n = self.const_int(right)
                if column is not None and n is not None:
                    at_least = n + 1 if isinstance(op, ast.Gt) else n
                    return Origin(Kind.class_filtered, line, column, at_least, ("min-count",))
        return None

    def compare(self, node: ast.Compare) -> None:
        if len(node.ops) != 1 or not isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
            return
        sides = [node.left, node.comparators[0]]
        if any(isinstance(s, ast.Constant) for s in sides):
            return
        origins = [self.node_origins.get(id(s), EMPTY) for s in sides]
        train = [o for side in origins for o in of(side, Kind.train_prediction)]
        if train:
            self.facts.observe(
                Observation(
                    Rule.evaluated_on_training_data,
                    node.lineno,
                    "predictions == labels",
                    related_line=train[0].line,
                    related=train[0].detail,
                )
            )
        elif any(has(side, Kind.prediction) for side in origins):
            self.facts.result.held_out_evaluations += 1

    # --- calls ----------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Origins:
        func = node.func
        name = call_name(func)
        recv = func.value if isinstance(func, ast.Attribute) else None
        recv_o = self.expr(recv)
        arg_o = [self.expr(a) for a in node.args]
        kw_o = {kw.arg: self.expr(kw.value) for kw in node.keywords}
        everything = union(recv_o, *arg_o, *kw_o.values())
        line = node.lineno

        role = role_of(name) if name[:1].isupper() or name.startswith("make_") else None
        if role is not None:
            self.construct(node, name, role)
            return union(*arg_o, *kw_o.values())
        if name == "clone" and node.args:
            obj = self._obj_of(node.args[0])
            if obj is not None:
                self.node_obj[id(node)] = obj
            return EMPTY
        if name == "train_test_split":
            self.check_split_seed(node)
            self.check_stratified(node)
            arrays = arg_o if len(arg_o) < 2 else arg_o[:-1]
            self.check_leak(arrays, "train_test_split", line)
            labels = [arg_o[-1]] if len(arg_o) >= 2 else []
            self.check_labels([*labels, kw_o.get("stratify", EMPTY)])
            return everything
        if name in CV_FUNCTIONS:
            x = arg_o[1] if len(arg_o) > 1 else kw_o.get("X", EMPTY)
            y = arg_o[2] if len(arg_o) > 2 else kw_o.get("y", EMPTY)
            self.check_leak([x], name, line)
            self.check_labels([y])
            self.facts.result.held_out_evaluations += 1
            return everything
        if name in METRICS:
            self.metric(node, name, [*arg_o, *kw_o.values()])
            return everything
        if name in {"fit", "fit_transform", "fit_resample", "partial_fit"} and recv is not None:
            return self.fit(node, name, recv, recv_o, arg_o, kw_o)
        if name == "transform" and recv is not None:
            return self.transform(node, recv, everything)
        if (
            name in {"predict", "predict_proba", "predict_log_proba", "decision_function"}
            and recv is not None
        ):
            return self.predict(node, recv, everything)
        if name == "score" and recv is not None and node.args:
            self.score(node, recv, node.args[0])
            return everything
        if name == "from_estimator" and len(node.args) >= 2:
            self.score(node, node.args[0], node.args[1])
            return everything
        if name == "split" and recv is not None:
            obj = self._obj_of(recv)
            if obj is not None and obj.role is Role.splitter:
                self.check_leak(arg_o[:1], f"{obj.cls}.split", line)
            return everything
        if name in {"toarray", "todense"} and recv is not None:
            self.densify(node, recv_o, f".{name}()", recv)
            return everything
        if (
            name in SAVE_FUNCTIONS
            and node.args
            and (recv is None or (key_of(recv) or "").split(".")[0] in MODULES_THAT_SAVE)
        ):
            self.save(node.args[0], line)
            return everything
        if name in SAVE_METHODS and recv is not None and self._fit_of(recv) is not None:
            self.save(recv, line)
            return everything
        if name == "isin":
            kept = self._isin_filter(node, line, negated=False, listed_ok=False)
            return union(everything, frozenset({kept})) if kept is not None else everything
        if name == "value_counts":
            column = column_of(recv) or ""
            return union(everything, frozenset({Origin(Kind.class_counts, line, column)}))
        if name in {"head", "nlargest"} and has(recv_o, Kind.class_counts):
            n_node = node.args[0] if node.args else kwarg(node, "n")
            k = self.const_int(n_node) if n_node is not None else 5
            column = of(recv_o, Kind.class_counts)[0].detail
            return union(everything, frozenset({Origin(Kind.top_classes, line, column, k)}))
        if name == "filter" and isinstance(recv, ast.Call) and call_name(recv.func) == "groupby":
            by = self._const_str(recv.args[0]) if recv.args else None
            if by is not None and node.args and isinstance(node.args[0], ast.Lambda):
                n = self._lambda_min_count(node.args[0])
                kept = Origin(Kind.class_filtered, line, by, n, ("min-count",))
                return union(everything, frozenset({kept}))
            return everything
        if name == "sample" and recv is not None:
            self.check_sample_seed(node, recv)
            return everything
        if name in {"shuffle", "permutation"}:
            self.check_shuffle_seed(node, recv)
            return everything
        summary = self.summary_of(func, name)
        if summary is not None:
            data = union(*arg_o, *kw_o.values())
            everything = self.apply_summary(node, name, summary, data, everything)
        if name in EVAL_METHODS and recv is not None and node.args:
            self.score(node, recv, node.args[0])
            return everything
        if isinstance(func, ast.Name) and name.lower().startswith("eval") and len(node.args) >= 2:
            if self._fit_of(node.args[0]) is not None:
                self.score(node, node.args[0], node.args[1])
            elif any(has(o, Kind.split_test, Kind.test_rows) for o in arg_o):
                self.facts.result.held_out_evaluations += 1
            return everything
        if READER.match(name):
            return union(everything, self.read(node))
        if isinstance(func, ast.Name) and TRAIN_HELPER.search(name) and name != "train_test_split":
            data = union(*arg_o, *kw_o.values())
            if has(data, Kind.split_train) and not has(data, Kind.split_test):
                return union(everything, frozenset({Origin(Kind.trained_subset, line, name)}))
        return everything

    def summary_of(self, func: ast.expr, name: str) -> Summary | None:
        """The summary of a function of the submission called here, by its name."""
        if isinstance(func, ast.Name):
            return self.facts.summary(name)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            base = func.value.id
            if base in self.facts.imports and base not in self.objects and base not in self.fits:
                return self.facts.summary(name)  # module.helper(...)
        return None

    def apply_summary(
        self, node: ast.Call, name: str, summary: Summary, data: Origins, everything: Origins
    ) -> Origins:
        out = union(everything, summary.returns)
        if summary.fits is None:
            return out
        cls, line, file = summary.fits
        subject = f"{cls} in {name}()"
        test_file = has(data, Kind.test_rows)
        test_split = has(data, Kind.split_test) and not has(data, Kind.split_train)
        if test_file or test_split:
            how = (
                ("train-and-test" if has(data, Kind.train_rows) else "test-file")
                if test_file
                else "test-split"
            )
            self.facts.observe(
                Observation(
                    Rule.fit_on_test_features,
                    node.lineno,
                    subject,
                    related_line=line,
                    related_file=file,
                    how=how,
                )
            )
        elif self.predict_path and not has(data, Kind.train_rows):
            self.pending_predict_fits.append(
                Observation(
                    Rule.fit_on_test_features,
                    node.lineno,
                    subject,
                    related_line=line,
                    related_file=file,
                    how="predict-path",
                )
            )
        elif not has(data, Kind.split_train, Kind.split_test):
            out = union(out, frozenset({Origin(Kind.fitted_all, line, cls, file=file)}))
        return out

    def summary(self) -> Summary | None:
        """What calling this function does, when it is one of the things the rules follow."""
        rel = self.facts.rel
        returns = frozenset(
            replace(o, file=o.file or rel)
            for o in self.returned
            if o.kind in {Kind.class_filtered, Kind.sparse}
        )
        fitted = {o.line for o in self.returned if o.kind is Kind.fitted_all and not o.file}
        fits = next(((cls, line, rel) for cls, line in self.fresh_fits if line in fitted), None)
        if not returns and fits is None:
            return None
        return Summary(returns, fits)

    def construct(self, node: ast.Call, name: str, role: Role) -> None:
        if name in {"Pipeline", "make_pipeline"}:
            last = self._last_step(node)
            if last is not None:
                last_role = role_of(last)
                if last_role in {
                    Role.stateful_transformer,
                    Role.encoder,
                    Role.stateless_transformer,
                }:
                    role, name = Role.stateful_transformer, f"{name} ending in {last}"
        max_features = None
        value = kwarg(node, "max_features")
        if value is not None:
            max_features = self.const_int(value)
        elif name == "HashingVectorizer":
            max_features = 2**20
        self.node_obj[id(node)] = Obj(name, role, node.lineno, max_features)
        self.check_constructor_seed(node, name)

    def _last_step(self, node: ast.Call) -> str | None:
        if call_name(node.func) == "make_pipeline":
            steps = [a for a in node.args if isinstance(a, ast.Call)]
            return call_name(steps[-1].func) if steps else None
        steps_node = node.args[0] if node.args else kwarg(node, "steps")
        if isinstance(steps_node, (ast.List, ast.Tuple)) and steps_node.elts:
            last = steps_node.elts[-1]
            if (
                isinstance(last, ast.Tuple)
                and len(last.elts) == 2
                and isinstance(last.elts[1], ast.Call)
            ):
                return call_name(last.elts[1].func)
        return None

    def fit(
        self,
        node: ast.Call,
        name: str,
        recv: ast.expr,
        recv_o: Origins,
        arg_o: list[Origins],
        kw_o: dict[str | None, Origins],
    ) -> Origins:
        obj = self._obj_of(recv) or named_transformer(recv)
        x_node = node.args[0] if node.args else kwarg(node, "X")
        x = arg_o[0] if arg_o else kw_o.get("X", EMPTY)
        y = arg_o[1] if len(arg_o) > 1 else kw_o.get("y", EMPTY)
        supervised = len(node.args) > 1 or kwarg(node, "y") is not None
        in_split = has(x, Kind.split_train, Kind.split_test)
        subset = has(x, Kind.split_train, Kind.trained_subset) and not has(x, Kind.split_test)
        x_key = key_of(x_node)
        fit = Fit(
            line=node.lineno,
            x_key=(x_key, self.version.get(x_key, 0)) if x_key is not None else None,
            subset=subset,
            before_split=not in_split,
            supervised=supervised,
            cls=obj.cls if obj is not None else "",
        )
        recv_key = key_of(recv)
        if recv_key is not None:
            self.fits[recv_key] = fit
        if name in {"fit", "partial_fit"}:
            # fit returns the estimator itself: `model = make_pipeline(...).fit(X, y)`
            self.node_fit[id(node)] = fit
            if obj is not None:
                self.node_obj[id(node)] = obj
        if supervised:
            self.supervised_fits += 1
            self.facts.result.supervised_fits += 1
            self.check_labels([y])
        if any(
            kwarg(node, k) is not None for k in ("validation_data", "validation_split", "eval_set")
        ):
            self.facts.result.held_out_evaluations += 1  # Keras / boosting validation during fit
        role = obj.role if obj is not None else None
        if role is Role.search:
            self.check_leak([x], obj.cls if obj is not None else "search", node.lineno)
            self.facts.result.held_out_evaluations += 1
        if (
            obj is not None
            and role in {Role.stateful_transformer, Role.encoder}
            and name != "partial_fit"
        ):
            self.check_test_fit(node.lineno, obj, x)
            rows = has(x, Kind.train_rows, Kind.test_rows, Kind.split_train, Kind.split_test)
            if obj.local and role is Role.stateful_transformer and not rows:
                self.fresh_fits.append((obj.cls, node.lineno))
        if name == "fit":
            return recv_o
        out = union(recv_o, *arg_o, *kw_o.values())
        if obj is not None and name == "fit_transform":
            if role is Role.stateful_transformer and not in_split:
                out = union(out, frozenset({Origin(Kind.fitted_all, node.lineno, obj.cls)}))
            if obj.cls in SPARSE_OUTPUT:
                out = union(
                    out, frozenset({Origin(Kind.sparse, node.lineno, obj.cls, obj.max_features)})
                )
        if name == "fit_resample" and not in_split and (obj is None or role is Role.resampler):
            what = obj.cls if obj is not None else "resampling"
            out = union(
                out, frozenset({Origin(Kind.fitted_all, node.lineno, what, None, ("resample",))})
            )
        return out

    def check_test_fit(self, line: int, obj: Obj, x: Origins) -> None:
        # Train and validation parts together are all the labelled data (the final refit), so
        # only rows of the test file, or an evaluation part on its own, count as test features.
        test_file = has(x, Kind.test_rows)
        test_split = has(x, Kind.split_test) and not has(x, Kind.split_train)
        if test_file or test_split:
            how = (
                ("train-and-test" if has(x, Kind.train_rows) else "test-file")
                if test_file
                else "test-split"
            )
            self.facts.observe(Observation(Rule.fit_on_test_features, line, obj.cls, how=how))
        elif (
            self.predict_path
            and obj.role is Role.stateful_transformer
            and not has(x, Kind.train_rows)
        ):
            self.pending_predict_fits.append(
                Observation(Rule.fit_on_test_features, line, obj.cls, how="predict-path")
            )

    def transform(self, node: ast.Call, recv: ast.expr, everything: Origins) -> Origins:
        obj = self._obj_of(recv)
        fit = self._fit_of(recv)
        out = everything
        if obj is None:
            return out
        if obj.role is Role.stateful_transformer and fit is not None and fit.before_split:
            out = union(out, frozenset({Origin(Kind.fitted_all, fit.line, obj.cls)}))
        if obj.cls in SPARSE_OUTPUT:
            small = bool(node.args) and isinstance(node.args[0], (ast.List, ast.Tuple))
            width = 0 if small else obj.max_features
            out = union(out, frozenset({Origin(Kind.sparse, node.lineno, obj.cls, width)}))
        return out

    def predict(self, node: ast.Call, recv: ast.expr, everything: Origins) -> Origins:
        fit = self._fit_of(recv)
        out = everything
        if fit is None or not node.args:
            return out
        x_node = node.args[0]
        x_key = key_of(x_node)
        x = self.node_origins.get(id(x_node), EMPTY)
        if (
            fit.x_key is not None
            and x_key is not None
            and (x_key, self.version.get(x_key, 0)) == fit.x_key
        ):
            label = key_of(recv) or fit.cls or "the model"
            return union(out, frozenset({Origin(Kind.train_prediction, fit.line, label)}))
        # Predictions of a model fitted here, on other rows than it was fitted on.
        out = union(out, frozenset({Origin(Kind.prediction, node.lineno)}))
        if fit.subset and fit.supervised and has(x, Kind.test_rows):
            self.facts.observe(
                Observation(
                    Rule.final_model_on_subset,
                    node.lineno,
                    key_of(recv) or fit.cls or "the model",
                    related_line=fit.line,
                    how="predicts",
                )
            )
        return out

    def score(self, node: ast.Call, model: ast.expr, x_node: ast.expr) -> None:
        fit = self._fit_of(model)
        if fit is None:
            return
        x_key = key_of(x_node)
        if (
            fit.x_key is not None
            and x_key is not None
            and (x_key, self.version.get(x_key, 0)) == fit.x_key
        ):
            self.facts.observe(
                Observation(
                    Rule.evaluated_on_training_data,
                    node.lineno,
                    call_name(node.func),
                    related_line=fit.line,
                    related=key_of(model) or fit.cls,
                )
            )
        elif call_name(node.func) in {"score", "from_estimator"} or has(
            self.node_origins.get(id(x_node), EMPTY), Kind.split_test, Kind.test_rows
        ):
            self.facts.result.held_out_evaluations += 1

    def metric(self, node: ast.Call, name: str, args: list[Origins]) -> None:
        train = [o for a in args for o in of(a, Kind.train_prediction)]
        if train:
            self.facts.observe(
                Observation(
                    Rule.evaluated_on_training_data,
                    node.lineno,
                    name,
                    related_line=train[0].line,
                    related=train[0].detail,
                )
            )
        elif any(has(a, Kind.prediction, Kind.split_test, Kind.test_rows) for a in args):
            # Evidence of a held-out evaluation; a metric inside a helper, on its parameters,
            # says nothing about which rows it will see.
            self.facts.result.held_out_evaluations += 1

    def save(self, saved: ast.expr, line: int) -> None:
        for sub in ast.walk(saved):
            if not isinstance(sub, (ast.Name, ast.Attribute)):
                continue
            key = key_of(sub)
            if key is None:
                continue
            fit = self.fits.get(key)
            trained = of(self.env.get(key, EMPTY), Kind.trained_subset)
            if fit is not None and fit.supervised and fit.subset:
                self.facts.observe(
                    Observation(
                        Rule.final_model_on_subset, line, key, related_line=fit.line, how="saved"
                    )
                )
                return
            if trained and fit is None:
                self.facts.observe(
                    Observation(
                        Rule.final_model_on_subset,
                        line,
                        key,
                        related_line=trained[0].line,
                        related=trained[0].detail,
                        how="saved",
                    )
                )
                return
        if any(
            (fit := self.fits.get(key_of(sub) or "")) is not None
            and fit.supervised
            and not fit.subset
            for sub in ast.walk(saved)
            if isinstance(sub, (ast.Name, ast.Attribute))
        ):
            self.facts.result.full_saves += 1

    def densify(
        self, node: ast.expr, recv_o: Origins, how: str, recv: ast.expr | None = None
    ) -> None:
        if recv is not None and isinstance(recv, ast.Subscript):
            return  # a few rows, to look at them
        for origin in of(recv_o, Kind.sparse):
            width = origin.number
            if width is not None and width <= DENSE_SAFE_WIDTH:
                continue
            self.facts.observe(
                Observation(
                    Rule.densified_sparse,
                    node.lineno,
                    origin.detail,
                    related_line=origin.line,
                    related_file=origin.file,
                    how=how,
                )
            )
            return

    def check_leak(self, parts: list[Origins], consumer: str, line: int) -> None:
        for origin in of(union(*parts), Kind.fitted_all):
            self.facts.observe(
                Observation(
                    Rule.fit_before_split,
                    origin.line,
                    origin.detail,
                    related_line=line,
                    related=consumer,
                    how=origin.extra[0] if origin.extra else "",
                    file=origin.file,
                )
            )

    def check_labels(self, parts: list[Origins]) -> None:
        for origin in of(union(*parts), Kind.filtered_label):
            how, *labels = origin.extra or ("top",)
            self.facts.observe(
                Observation(
                    Rule.dropped_classes,
                    origin.line,
                    origin.detail,
                    column=origin.detail,
                    number=origin.number,
                    labels=tuple(labels),
                    how=how,
                    file=origin.file,
                )
            )

    # --- seeds ----------------------------------------------------------------------------

    def check_constructor_seed(self, node: ast.Call, name: str) -> None:
        shuffles = name in SHUFFLE_SPLITTERS and is_true(kwarg(node, "shuffle"))
        if name not in NEEDS_SEED and not shuffles:
            return
        if self.facts.np_seeded or has_star_kwargs(node):
            return
        seed = kwarg(node, "random_state")
        if seed is not None and not is_none(seed):
            return
        self.facts.observe(Observation(Rule.unseeded, node.lineno, name))

    def check_split_seed(self, node: ast.Call) -> None:
        shuffle = kwarg(node, "shuffle")
        if isinstance(shuffle, ast.Constant) and shuffle.value is False:
            return
        if self.facts.np_seeded or has_star_kwargs(node):
            return
        seed = kwarg(node, "random_state")
        if seed is not None and not is_none(seed):
            return
        self.facts.observe(Observation(Rule.unseeded, node.lineno, "train_test_split"))

    def check_stratified(self, node: ast.Call) -> None:
        shuffle = kwarg(node, "shuffle")
        if isinstance(shuffle, ast.Constant) and shuffle.value is False:
            return  # an ordered (time-based) split is deliberately not stratified
        if kwarg(node, "stratify") is not None or has_star_kwargs(node):
            return
        self.facts.observe(Observation(Rule.unstratified_split, node.lineno, "train_test_split"))

    def check_sample_seed(self, node: ast.Call, recv: ast.expr) -> None:
        if (key_of(recv) or "").split(".")[-1] == "random":
            return  # random.sample / np.random.sample: not a frame
        if kwarg(node, "frac") is None and kwarg(node, "n") is None:
            return  # df.sample(5): a look at a few rows
        if self.facts.np_seeded or has_star_kwargs(node):
            return
        seed = kwarg(node, "random_state")
        if seed is not None and not is_none(seed):
            return
        self.facts.observe(Observation(Rule.unseeded, node.lineno, ".sample()"))

    def check_shuffle_seed(self, node: ast.Call, recv: ast.expr | None) -> None:
        name = call_name(node.func)
        module = key_of(recv) if recv is not None else None
        if module is None:
            source = self.facts.imports.get(name, "")
            if not source.startswith("sklearn"):
                return
            seed = kwarg(node, "random_state")
            if (
                self.facts.np_seeded
                or has_star_kwargs(node)
                or (seed is not None and not is_none(seed))
            ):
                return
            self.facts.observe(Observation(Rule.unseeded, node.lineno, f"{name}()"))
            return
        if module == "random" and self.facts.imports.get("random", "random") == "random":
            if not self.facts.random_seeded:
                self.facts.observe(Observation(Rule.unseeded, node.lineno, f"random.{name}()"))
            return
        numpy = self.facts.imports.get(module.split(".")[0], "").startswith("numpy")
        if module.endswith(".random") and numpy and not self.facts.np_seeded:
            self.facts.observe(Observation(Rule.unseeded, node.lineno, f"np.random.{name}()"))

    # --- helpers --------------------------------------------------------------------------

    def read(self, node: ast.Call) -> Origins:
        paths = [
            *node.args[:1],
            *(kw.value for kw in node.keywords if kw.arg in {"filepath_or_buffer", "path"}),
        ]
        if not paths:
            return EMPTY
        test = any(mentions(p, TEST_WORD) for p in paths)
        train = any(mentions(p, TRAIN_WORD) for p in paths)
        if test and not train:
            return frozenset({Origin(Kind.test_rows, node.lineno)})
        if train and not test:
            return frozenset({Origin(Kind.train_rows, node.lineno)})
        if not train and not test and self.predict_path:
            return frozenset({Origin(Kind.test_rows, node.lineno)})
        return EMPTY

    def const_int(self, node: ast.expr | None) -> int | None:
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int)
            and not isinstance(node.value, bool)
        ):
            return node.value
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        return None

    def _const_str(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None

    def _lambda_min_count(self, fn: ast.Lambda) -> int | None:
        body = fn.body
        if isinstance(body, ast.Compare) and len(body.ops) == 1:
            n = self.const_int(body.comparators[0])
            if n is not None and isinstance(body.ops[0], ast.Gt):
                return n + 1
            if n is not None and isinstance(body.ops[0], ast.GtE):
                return n
        return None


def analyse_tree(
    tree: ast.Module, rel: str, summaries: dict[str, Summary] | None = None
) -> UnitAnalysis:
    """Run the pass over a unit's module scope and each of its functions.

    ``summaries`` describe the submission's functions (from an earlier pass over every unit),
    so a call to ``keep_top_classes(df)`` or ``vectorize(texts)`` defined elsewhere is followed.
    """
    imports = imports_of(tree)
    np_seeded, random_seeded = seeded(tree, imports)
    stem = PurePosixPath(rel).stem
    facts = _UnitFacts(
        rel=rel,
        stem=stem,
        consts=module_consts(tree),
        np_seeded=np_seeded,
        random_seeded=random_seeded,
        imports=imports,
        result=UnitAnalysis(),
        summaries=summaries or {},
    )
    predict_file = bool(PREDICT_NAME.match(stem))
    module = _Scope(facts, {}, predict_path=predict_file)
    module.run(tree.body)
    module.finish()
    shared = module_objects(tree.body)
    for fn, class_objects in functions_of(tree):
        trains = "train" in fn.name.lower() or "fit" in fn.name.lower()
        predict_path = bool(PREDICT_NAME.match(fn.name)) or (predict_file and not trains)
        scope = _Scope(
            facts,
            {**shared, **class_objects},
            predict_path=predict_path,
            consts=param_consts(fn, facts.consts),
        )
        scope.run(fn.body)
        scope.finish()
        summary = scope.summary()
        if summary is not None:
            facts.result.summaries[fn.name] = _merge(facts.result.summaries.get(fn.name), summary)
    facts.result.observations.sort(key=lambda o: (o.file, o.line, o.rule.value))
    return facts.result


def _merge(a: Summary | None, b: Summary) -> Summary:
    if a is None:
        return b
    return Summary(union(a.returns, b.returns), a.fits or b.fits)


MAX_PASSES = 3
"""Passes over a submission: each lets summaries reach one more level of helper calls."""


def analyse_units(units: list[tuple[ast.Module, str]]) -> list[UnitAnalysis]:
    """Every unit of a submission, with the summaries of all its functions.

    The first pass finds what each function does; the next passes follow calls to them, until
    the summaries stop changing (or :data:`MAX_PASSES`).
    """
    summaries: dict[str, Summary] = {}
    results: list[UnitAnalysis] = []
    for _ in range(MAX_PASSES):
        results = [analyse_tree(tree, rel, summaries) for tree, rel in units]
        found: dict[str, Summary] = {}
        for result in results:
            for name, summary in result.summaries.items():
                found[name] = _merge(found.get(name), summary)
        if found == summaries:
            break
        summaries = found
    return results
