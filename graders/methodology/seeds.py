"""Reproducibility rules: randomness without a seed, and splits that are not stratified.

Each check is a function of one call and the facts of the unit it is in (whether NumPy or
``random`` is seeded once for the whole module, what names were imported from where); it records
an :class:`~graders.methodology.observations.Observation` when the call's result changes from
run to run.
"""

from __future__ import annotations

import ast

from graders.methodology.catalog import NEEDS_SEED, SHUFFLE_SPLITTERS
from graders.methodology.observations import Observation, Rule, UnitFacts
from graders.methodology.syntax import call_name, has_star_kwargs, is_none, is_true, key_of, kwarg

__all__ = [
    "check_constructor_seed",
    "check_sample_seed",
    "check_shuffle_seed",
    "check_split_seed",
    "check_stratified",
]


def check_constructor_seed(facts: UnitFacts, node: ast.Call, name: str) -> None:
    """An estimator or splitter built with randomness and no ``random_state``."""
    shuffles = name in SHUFFLE_SPLITTERS and is_true(kwarg(node, "shuffle"))
    if name not in NEEDS_SEED and not shuffles:
        return
    if facts.np_seeded or has_star_kwargs(node):
        return
    seed = kwarg(node, "random_state")
    if seed is not None and not is_none(seed):
        return
    facts.observe(Observation(Rule.unseeded, node.lineno, name))


def check_split_seed(facts: UnitFacts, node: ast.Call) -> None:
    """``train_test_split`` shuffling without a ``random_state``."""
    shuffle = kwarg(node, "shuffle")
    if isinstance(shuffle, ast.Constant) and shuffle.value is False:
        return
    if facts.np_seeded or has_star_kwargs(node):
        return
    seed = kwarg(node, "random_state")
    if seed is not None and not is_none(seed):
        return
    facts.observe(Observation(Rule.unseeded, node.lineno, "train_test_split"))


def check_stratified(facts: UnitFacts, node: ast.Call) -> None:
    """``train_test_split`` shuffling without ``stratify``."""
    shuffle = kwarg(node, "shuffle")
    if isinstance(shuffle, ast.Constant) and shuffle.value is False:
        return  # an ordered (time-based) split is deliberately not stratified
    if kwarg(node, "stratify") is not None or has_star_kwargs(node):
        return
    facts.observe(Observation(Rule.unstratified_split, node.lineno, "train_test_split"))


def check_sample_seed(facts: UnitFacts, node: ast.Call, recv: ast.expr) -> None:
    """``df.sample(frac=...)`` or ``df.sample(n=...)`` without a ``random_state``."""
    if (key_of(recv) or "").split(".")[-1] == "random":
        return  # random.sample / np.random.sample: not a frame
    if kwarg(node, "frac") is None and kwarg(node, "n") is None:
        return  # df.sample(5): a look at a few rows
    if facts.np_seeded or has_star_kwargs(node):
        return
    seed = kwarg(node, "random_state")
    if seed is not None and not is_none(seed):
        return
    facts.observe(Observation(Rule.unseeded, node.lineno, ".sample()"))


def check_shuffle_seed(facts: UnitFacts, node: ast.Call, recv: ast.expr | None) -> None:
    """``shuffle`` or ``permutation`` from scikit-learn, ``random`` or NumPy, unseeded."""
    name = call_name(node.func)
    module = key_of(recv) if recv is not None else None
    if module is None:
        source = facts.imports.get(name, "")
        if not source.startswith("sklearn"):
            return
        seed = kwarg(node, "random_state")
        if facts.np_seeded or has_star_kwargs(node) or (seed is not None and not is_none(seed)):
            return
        facts.observe(Observation(Rule.unseeded, node.lineno, f"{name}()"))
        return
    if module == "random" and facts.imports.get("random", "random") == "random":
        if not facts.random_seeded:
            facts.observe(Observation(Rule.unseeded, node.lineno, f"random.{name}()"))
        return
    numpy = facts.imports.get(module.split(".")[0], "").startswith("numpy")
    if module.endswith(".random") and numpy and not facts.np_seeded:
        facts.observe(Observation(Rule.unseeded, node.lineno, f"np.random.{name}()"))
