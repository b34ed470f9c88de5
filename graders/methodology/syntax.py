"""Reading candidate code's syntax: names, keys of variables, literal values, module facts."""

from __future__ import annotations

import ast
import re

from graders.methodology.catalog import Role, role_of
from graders.methodology.origins import Obj

__all__ = [
    "EVAL_PART",
    "MODULES_THAT_SAVE",
    "PREDICT_NAME",
    "READER",
    "SEED_HELPER",
    "SPLIT_HELPER",
    "TEST_WORD",
    "TRAIN_HELPER",
    "TRAIN_WORD",
    "call_name",
    "class_objects",
    "column_of",
    "functions_of",
    "has_star_kwargs",
    "imports_of",
    "is_none",
    "is_true",
    "key_of",
    "kwarg",
    "mentions",
    "module_consts",
    "module_objects",
    "named_transformer",
    "param_consts",
    "seeded",
    "str_list",
]


def call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def key_of(node: ast.expr | None) -> str | None:
    """``x``, ``self.vec`` or ``args.test`` for a name or a chain of attributes on a name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def column_of(node: ast.expr | None) -> str | None:
    """The column a ``df["label"]`` or ``df.label`` expression reads."""
    if isinstance(node, ast.Subscript):
        sl = node.slice
        if isinstance(sl, ast.Constant) and isinstance(sl.value, str):
            return sl.value
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)):
        return node.attr
    return None


def kwarg(node: ast.Call, name: str) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == name:
            return kw.value
    return None


def has_star_kwargs(node: ast.Call) -> bool:
    return any(kw.arg is None for kw in node.keywords)


def is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def str_list(node: ast.expr) -> tuple[str, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and node.elts:
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(values) == len(node.elts) and all(isinstance(v, str) for v in values):
            return tuple(str(v) for v in values)
    return None


TEST_WORD = re.compile(r"(?i)(?:^|[^a-z])(?:test|val|valid|validation|holdout|dev)(?:[^a-z]|$)")
TRAIN_WORD = re.compile(r"(?i)(?:^|[^a-z])train")
READER = re.compile(r"(?i)^(?:read|load)")
TRAIN_HELPER = re.compile(r"(?i)(?:^|_)(?:train|fit)(?:_|$)")
SPLIT_HELPER = re.compile(r"(?i)split")
EVAL_PART = re.compile(r"(?i)test|val|dev|hold")
PREDICT_NAME = re.compile(r"(?i)^(?:predict|infer)")
SEED_HELPER = re.compile(r"(?i)^(?:set|fix|seed)_?(?:all_?)?(?:seeds?|everything|random)")
MODULES_THAT_SAVE = frozenset({"joblib", "pickle", "cloudpickle", "torch", "dill", "io", "skops"})


def words(node: ast.expr) -> list[str]:
    out: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            out.append(sub.value[:200])
    return out


def mentions(node: ast.expr, word: re.Pattern[str]) -> bool:
    return any(word.search(w) for w in words(node))


TRANSFORMER_NAME = re.compile(r"(?i)(?:vectori[sz]er|tfidf|^vec$|_vec$|scaler)$")


def named_transformer(recv: ast.expr) -> Obj | None:
    """A transformer built where the pass cannot see (a helper, a pickle), known by its name."""
    key = key_of(recv)
    last = key.split(".")[-1] if key else ""
    if last and TRANSFORMER_NAME.search(last):
        return Obj(last, Role.stateful_transformer, recv.lineno, local=False)
    return None


def module_consts(tree: ast.Module) -> dict[str, int]:
    out: dict[str, int] = {}
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, int)
            and not isinstance(stmt.value.value, bool)
        ):
            out[stmt.targets[0].id] = stmt.value.value
    return out


def imports_of(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


def seeded(tree: ast.Module, imports: dict[str, str]) -> tuple[bool, bool]:
    """(numpy's global RNG is seeded, the ``random`` module is seeded) anywhere in the unit."""
    np_seeded = random_seeded = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and SEED_HELPER.search(node.func.id):
            # set_seed(42) / seed_everything(SEED): a helper that seeds every generator
            np_seeded = random_seeded = True
            continue
        if call_name(node.func) != "seed" or not node.args:
            continue
        key = key_of(node.func.value) if isinstance(node.func, ast.Attribute) else None
        if key is None:
            continue
        root = imports.get(key.split(".")[0], key.split(".")[0])
        if key.endswith("random") and root.startswith("numpy"):
            np_seeded = True
        elif key == "random" and root == "random":
            random_seeded = True
    return np_seeded, random_seeded


def module_objects(body: list[ast.stmt]) -> dict[str, Obj]:
    """Objects constructed at module level (``VEC = TfidfVectorizer()``), visible in functions."""
    out: dict[str, Obj] = {}
    for stmt in body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            name = call_name(stmt.value.func)
            role = role_of(name) if name[:1].isupper() or name.startswith("make_") else None
            if role is None:
                continue
            for target in stmt.targets:
                key = key_of(target)
                if key is not None:
                    out[key] = Obj(name, role, stmt.lineno, local=False)
    return out


def class_objects(cls: ast.ClassDef) -> dict[str, Obj]:
    """``self.x = Ctor()`` anywhere in a class: the methods share these objects."""
    out: dict[str, Obj] = {}
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            name = call_name(node.value.func)
            role = role_of(name) if name[:1].isupper() or name.startswith("make_") else None
            if role is None:
                continue
            for target in node.targets:
                key = key_of(target)
                if key is not None and key.startswith("self."):
                    out[key] = Obj(name, role, node.lineno, local=False)
    return out


def functions_of(
    tree: ast.Module,
) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, dict[str, Obj]]]:
    """Every function with the objects of its class (for methods)."""
    out: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, dict[str, Obj]]] = []
    stack: list[tuple[ast.AST, dict[str, Obj]]] = [(tree, {})]
    while stack:
        node, inherited = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                stack.append((child, {**inherited, **class_objects(child)}))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                out.append((child, inherited))
                stack.append((child, inherited))
            elif isinstance(child, ast.stmt):
                stack.append((child, inherited))
    out.sort(key=lambda pair: pair[0].lineno)
    return out


def param_consts(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, consts: dict[str, int]
) -> dict[str, int]:
    """Parameters with an integer default (``n: int = TOP_N``), by name."""
    out: dict[str, int] = {}
    positional = [*fn.args.posonlyargs, *fn.args.args]
    with_defaults = positional[len(positional) - len(fn.args.defaults) :]
    pairs = list(zip(with_defaults, fn.args.defaults, strict=True))
    pairs += [
        (a, d)
        for a, d in zip(fn.args.kwonlyargs, fn.args.kw_defaults, strict=True)
        if d is not None
    ]
    for arg, default in pairs:
        if isinstance(default, ast.Constant) and type(default.value) is int:
            out[arg.arg] = default.value
        elif isinstance(default, ast.Name) and default.id in consts:
            out[arg.arg] = consts[default.id]
    return out
