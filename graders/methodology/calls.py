"""What the calls that build, fit, evaluate and save models mean to the methodology rules.

The walk of :mod:`graders.methodology.flow` hands each call to families of rules in a fixed
order (:meth:`CallRules.object_call`, :meth:`~CallRules.evaluation_call`,
:meth:`~CallRules.method_call`, :meth:`~CallRules.save_call`, the class filters'
``filter_call``, :meth:`~CallRules.seed_call`, and last :meth:`~CallRules.helper_call`); the
first that recognises the call records what it observes (a fit before the split, a score on the
training rows, a subset model saved, labels of a class filter reaching ``fit``) and says what the
call returns. Calls of the submission's own functions are followed through their
:class:`~graders.methodology.origins.Summary`.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from graders.methodology.catalog import (
    CV_FUNCTIONS,
    DENSE_SAFE_WIDTH,
    EVAL_METHODS,
    METRICS,
    SAVE_FUNCTIONS,
    SAVE_METHODS,
    SPARSE_OUTPUT,
    Role,
    role_of,
)
from graders.methodology.observations import Observation, Rule
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
from graders.methodology.seeds import (
    check_constructor_seed,
    check_sample_seed,
    check_shuffle_seed,
    check_split_seed,
    check_stratified,
)
from graders.methodology.state import CallSite, ScopeState
from graders.methodology.syntax import (
    MODULES_THAT_SAVE,
    READER,
    TEST_WORD,
    TRAIN_HELPER,
    TRAIN_WORD,
    call_name,
    key_of,
    kwarg,
    mentions,
    named_transformer,
)

__all__ = ["CallRules"]


class CallRules(ScopeState):
    """The rules of calls (see the module's docstring)."""

    # --- families of calls: each returns what the call holds, or None when it is not one of them

    def object_call(self, site: CallSite) -> Origins | None:
        """An estimator, transformer or splitter built (``TfidfVectorizer(...)``,
        ``make_pipeline(...)``) or cloned."""
        node, name, arg_o, kw_o = site.node, site.name, site.arg_o, site.kw_o
        role = role_of(name) if name[:1].isupper() or name.startswith("make_") else None
        if role is not None:
            self.construct(node, name, role)
            return union(*arg_o, *kw_o.values())
        if name == "clone" and node.args:
            obj = self._obj_of(node.args[0])
            if obj is not None:
                self.node_obj[id(node)] = obj
            return EMPTY
        return None

    def evaluation_call(self, site: CallSite) -> Origins | None:
        """``train_test_split``, cross-validation functions and metrics: where the rows they are
        given must not have been fitted on, nor filtered to some classes."""
        node, name, arg_o, kw_o, line = site.node, site.name, site.arg_o, site.kw_o, site.line
        if name == "train_test_split":
            check_split_seed(self.facts, node)
            check_stratified(self.facts, node)
            arrays = arg_o if len(arg_o) < 2 else arg_o[:-1]
            self.check_leak(arrays, "train_test_split", line)
            labels = [arg_o[-1]] if len(arg_o) >= 2 else []
            self.check_labels([*labels, kw_o.get("stratify", EMPTY)])
            return site.everything
        if name in CV_FUNCTIONS:
            x = arg_o[1] if len(arg_o) > 1 else kw_o.get("X", EMPTY)
            y = arg_o[2] if len(arg_o) > 2 else kw_o.get("y", EMPTY)
            self.check_leak([x], name, line)
            self.check_labels([y])
            self.facts.result.held_out_evaluations += 1
            return site.everything
        if name in METRICS:
            self.metric(node, name, [*arg_o, *kw_o.values()])
            return site.everything
        return None

    def method_call(self, site: CallSite) -> Origins | None:
        """Methods of estimators, splitters and matrices: fit, transform, predict, score, a
        splitter's ``split``, ``toarray``."""
        node, name, recv, everything = site.node, site.name, site.recv, site.everything
        if name in {"fit", "fit_transform", "fit_resample", "partial_fit"} and recv is not None:
            return self.fit(site, recv)
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
                self.check_leak(site.arg_o[:1], f"{obj.cls}.split", site.line)
            return everything
        if name in {"toarray", "todense"} and recv is not None:
            self.densify(node, site.recv_o, f".{name}()", recv)
            return everything
        return None

    def save_call(self, site: CallSite) -> Origins | None:
        """A model saved (``joblib.dump(model, ...)``, ``model.save(...)``)."""
        node, name, recv = site.node, site.name, site.recv
        if (
            name in SAVE_FUNCTIONS
            and node.args
            and (recv is None or (key_of(recv) or "").split(".")[0] in MODULES_THAT_SAVE)
        ):
            self.save(node.args[0], site.line)
            return site.everything
        if name in SAVE_METHODS and recv is not None and self._fit_of(recv) is not None:
            self.save(recv, site.line)
            return site.everything
        return None

    def seed_call(self, site: CallSite) -> Origins | None:
        """``df.sample(...)``, ``shuffle(...)``, ``permutation(...)``: randomness to seed."""
        if site.name == "sample" and site.recv is not None:
            check_sample_seed(self.facts, site.node, site.recv)
            return site.everything
        if site.name in {"shuffle", "permutation"}:
            check_shuffle_seed(self.facts, site.node, site.recv)
            return site.everything
        return None

    def helper_call(self, site: CallSite) -> Origins:
        """Any other call: a function of the submission (followed through its summary),
        an evaluation helper, a file reader, a training helper, or an unknown call, which passes
        its arguments' origins through."""
        node, func, name, recv, arg_o, kw_o = (
            site.node,
            site.node.func,
            site.name,
            site.recv,
            site.arg_o,
            site.kw_o,
        )
        everything = site.everything
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
                return union(everything, frozenset({Origin(Kind.trained_subset, site.line, name)}))
        return everything

    # --- the submission's own functions

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

    # --- building, fitting and using models

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
        check_constructor_seed(self.facts, node, name)

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

    def fit(self, site: CallSite, recv: ast.expr) -> Origins:
        """``fit``, ``fit_transform``, ``fit_resample`` or ``partial_fit`` on ``recv``: the fit
        is remembered, what it was fitted on is checked, and the result's origins returned."""
        obj = self._obj_of(recv) or named_transformer(recv)
        arg_o, kw_o = site.arg_o, site.kw_o
        x = arg_o[0] if arg_o else kw_o.get("X", EMPTY)
        y = arg_o[1] if len(arg_o) > 1 else kw_o.get("y", EMPTY)
        fit = self._record_fit(site, recv, obj, x)
        self._check_fit(site, obj, x, y, supervised=fit.supervised)
        return self._fit_result(site, obj, x)

    def _record_fit(self, site: CallSite, recv: ast.expr, obj: Obj | None, x: Origins) -> Fit:
        """The fit, bound to the receiver's name, and to the call when the call returns the
        estimator (``model = make_pipeline(...).fit(X, y)``)."""
        node, name = site.node, site.name
        x_node = node.args[0] if node.args else kwarg(node, "X")
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
        return fit

    def _check_fit(
        self, site: CallSite, obj: Obj | None, x: Origins, y: Origins, *, supervised: bool
    ) -> None:
        """What the fit says about the method: labels of a class filter, validation during the
        fit, a search fitted on leaked rows, a transformer fitted on test features."""
        node, name = site.node, site.name
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

    def _fit_result(self, site: CallSite, obj: Obj | None, x: Origins) -> Origins:
        """What the call returns: the estimator for ``fit``; for the others, the data, marked
        as fitted on all rows (before any split), sparse, or resampled."""
        node, name = site.node, site.name
        if name == "fit":
            return site.recv_o
        in_split = has(x, Kind.split_train, Kind.split_test)
        role = obj.role if obj is not None else None
        out = union(site.recv_o, *site.arg_o, *site.kw_o.values())
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
