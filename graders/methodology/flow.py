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

This module is the walk (statements, bindings, expressions) and the entry points. The pieces it
is built from, each in its own module:

- :mod:`~graders.methodology.observations`: the rules, an observation, a unit's results;
- :mod:`~graders.methodology.state`: what the pass knows while it walks one scope;
- :mod:`~graders.methodology.calls`: what calls that build, fit, evaluate and save models mean;
- :mod:`~graders.methodology.filters`: row filters that keep only some classes;
- :mod:`~graders.methodology.seeds`: randomness without a seed, splits that are not stratified.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from graders.methodology.calls import CallRules
from graders.methodology.catalog import Role
from graders.methodology.filters import ClassFilters
from graders.methodology.observations import Observation, Rule, UnitAnalysis, UnitFacts
from graders.methodology.origins import EMPTY, Kind, Origin, Origins, Summary, union
from graders.methodology.state import CallSite
from graders.methodology.syntax import (
    EVAL_PART,
    PREDICT_NAME,
    SPLIT_HELPER,
    TRAIN_WORD,
    call_name,
    functions_of,
    imports_of,
    key_of,
    module_consts,
    module_objects,
    param_consts,
    seeded,
)

__all__ = ["Observation", "Rule", "UnitAnalysis", "analyse_tree", "analyse_units"]


class _Scope(CallRules, ClassFilters):
    """The forward pass over one scope's statements."""

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

    def subscript(self, node: ast.Subscript) -> Origins:
        base = self.expr(node.value)
        index = self.expr(node.slice)
        return self.filtered_rows(node, base, index)

    def call(self, node: ast.Call) -> Origins:
        """Walk the receiver and the arguments, then let the first family of call rules that
        recognises the call record what it observes and say what the call returns (see
        :mod:`graders.methodology.calls`)."""
        func = node.func
        recv = func.value if isinstance(func, ast.Attribute) else None
        recv_o = self.expr(recv)
        arg_o = [self.expr(a) for a in node.args]
        kw_o = {kw.arg: self.expr(kw.value) for kw in node.keywords}
        site = CallSite(
            node=node,
            name=call_name(func),
            recv=recv,
            recv_o=recv_o,
            arg_o=arg_o,
            kw_o=kw_o,
            everything=union(recv_o, *arg_o, *kw_o.values()),
        )
        for family in (
            self.object_call,
            self.evaluation_call,
            self.method_call,
            self.save_call,
            self.filter_call,
            self.seed_call,
        ):
            returned = family(site)
            if returned is not None:
                return returned
        return self.helper_call(site)


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
    facts = UnitFacts(
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
