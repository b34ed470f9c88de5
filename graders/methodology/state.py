"""What the pass knows while it walks one scope, and the lookups every part of it uses.

:class:`ScopeState` is the base of the pass over one scope (the walk of
:mod:`graders.methodology.flow`, the call rules of :mod:`graders.methodology.calls`, the class
filters of :mod:`graders.methodology.filters`): the origins each variable holds, the objects and
fits bound to names and to call nodes, and the constants in reach. :class:`CallSite` is one call
with the origins of its receiver and arguments, as the families of call rules receive it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from graders.methodology.catalog import Role
from graders.methodology.observations import Observation, UnitFacts
from graders.methodology.origins import EMPTY, Fit, Obj, Origins
from graders.methodology.syntax import key_of

__all__ = ["CallSite", "ScopeState"]


@dataclass(frozen=True)
class CallSite:
    """One call, its receiver and arguments already walked."""

    node: ast.Call
    name: str
    """The called name (``fit``, ``train_test_split``, ``TfidfVectorizer``)."""
    recv: ast.expr | None
    """What a method is called on (``model`` of ``model.fit(...)``); None for a plain call."""
    recv_o: Origins
    arg_o: list[Origins]
    """Origins of each positional argument."""
    kw_o: dict[str | None, Origins]
    """Origins of each keyword argument, by keyword."""
    everything: Origins
    """Origins of the receiver and all arguments together: what an unknown call passes through."""

    @property
    def line(self) -> int:
        return self.node.lineno


class ScopeState:
    """The state of the forward pass over one scope's statements."""

    def __init__(
        self,
        facts: UnitFacts,
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
