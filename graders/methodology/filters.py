"""Row filters that keep only some classes of the label column.

A filter is recognised step by step as its origins flow: ``value_counts()`` gives class counts,
``.head(k)`` / ``[:k]`` / ``[counts >= n]`` the classes kept, ``isin(...)`` (or ``~isin``, ``!=``,
a ``groupby().transform`` or ``groupby().filter`` on a count) the filtered rows, and the label
column of a filtered frame carries the filter to ``fit`` and the split, where
:meth:`graders.methodology.calls.CallRules.check_labels` reports the classes dropped.
"""

from __future__ import annotations

import ast

from graders.methodology.origins import EMPTY, Kind, Origin, Origins, has, of, union
from graders.methodology.state import CallSite, ScopeState
from graders.methodology.syntax import call_name, column_of, kwarg, str_list

__all__ = ["ClassFilters"]


class ClassFilters(ScopeState):
    """The pass's knowledge of class filters (see the module's docstring)."""

    def filter_call(self, site: CallSite) -> Origins | None:
        """``isin``, ``value_counts``, ``head`` or ``nlargest`` of class counts and
        ``groupby().filter``: a step of a class filter. None for any other call."""
        node, name, recv, recv_o, everything, line = (
            site.node,
            site.name,
            site.recv,
            site.recv_o,
            site.everything,
            site.line,
        )
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
        return None

    def filtered_rows(self, node: ast.Subscript, base: Origins, index: Origins) -> Origins:
        """What ``frame[...]`` holds: the frame and the index, plus the steps of a class filter
        (``counts[:k]``, ``counts[counts >= n]``, ``df[df.label.isin(...)]``) and the label
        column of a filtered frame."""
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

    def _filtered_label(self, base: Origins, column: str | None) -> Origins:
        return frozenset(
            Origin(Kind.filtered_label, o.line, o.detail, o.number, o.extra, o.file)
            for o in base
            if o.kind is Kind.class_filtered and o.detail == column
        )

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

    def _lambda_min_count(self, fn: ast.Lambda) -> int | None:
        body = fn.body
        if isinstance(body, ast.Compare) and len(body.ops) == 1:
            n = self.const_int(body.comparators[0])
            if n is not None and isinstance(body.ops[0], ast.Gt):
                return n + 1
            if n is not None and isinstance(body.ops[0], ast.GtE):
                return n
        return None
