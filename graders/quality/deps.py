"""Declared dependencies: found, parsed, and checked against the code and the grading environment.

Reads ``requirements*.txt``, ``pyproject.toml`` (``[project]`` and ``[tool.poetry]``),
``environment.yml`` (conda, with its ``pip:`` list) and ``Pipfile`` as bounded text; nothing is
installed, imported or executed. A requirement is judged on what ``pip install`` would make of it
on another machine:

- **unparseable**: not a PEP 508 requirement (e.g. conda's ``name=version=build`` export format in a
  ``requirements.txt``);
- **local path**: ``name @ file:///...`` points into the author's machine (``pip freeze`` in a conda
  environment writes these);
- **platform-specific**: local version labels (``torch==2.0.1+cpu``), conda build strings
  (``numpy=1.21.0=py39h...``), wheels for one platform (``win_amd64``), Windows- or macOS-only
  packages without an environment marker (``pywin32``);
- **contradicts the grading environment**: an exact pin (or a range) that excludes the version
  installed in the sandbox (``scikit-learn==1.0.2`` where the sandbox has 1.9.1), from
  :attr:`graders.types.AssignmentView.environment`;
- **unavailable**: a module the solution imports (outside ``try: ... except ImportError``) that the
  grading environment does not provide, so the code cannot run there;
- **unused heavy**: a large framework (torch, tensorflow, keras, ...) that no file imports;
- **environment freeze**: 30 or more requirements of which at most a third are imported: a dump of
  the author's environment, not a declaration of what the code needs.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from graders._workspace import Inventory, read_text

__all__ = ["DeclaredRequirement", "Dependencies", "declared_dependencies", "normalise"]

MAX_CONFIG_BYTES = 256 * 1024
FREEZE_MIN_REQUIREMENTS = 30
"""At least this many requirements, mostly not imported, make an environment freeze."""
FREEZE_MAX_USED_SHARE = 1 / 3
MAX_LISTED = 8
"""Requirements named in one finding."""

_LOCK_FILES = frozenset(
    {"poetry.lock", "uv.lock", "pdm.lock", "pipfile.lock", "conda-lock.yml", "requirements.lock"}
)
_REQ_NAME = re.compile(r"^(requirements|reqs|constraints)([-_.][\w.-]*)?\.(txt|in)$", re.IGNORECASE)
_CONDA_SPEC = re.compile(r"^([A-Za-z0-9_.-]+)\s*(?:==?\s*([\w.*+!-]+))?(?:=([\w.*+!-]+))?$")
_PLATFORM_WHEEL = re.compile(r"win_amd64|win32|macosx_|manylinux|linux_x86_64|linux_aarch64")
_PLATFORM_ONLY = frozenset(
    {"pywin32", "pypiwin32", "pywinpty", "wmi", "comtypes", "tensorflow-intel", "tensorflow-macos",
     "tensorflow-metal", "pyobjc", "pyobjc-core", "pywin32-ctypes", "windows-curses"}
)  # fmt: skip
_HEAVY = frozenset(
    {"torch", "torchvision", "torchaudio", "pytorch", "tensorflow", "tensorflow-gpu",
     "tensorflow-cpu", "tensorflow-intel", "keras", "jax", "jaxlib", "transformers", "mxnet",
     "paddlepaddle", "onnxruntime", "onnxruntime-gpu", "opencv-python", "opencv-contrib-python",
     "spacy", "xgboost", "lightgbm", "catboost", "tensorboard", "pyspark", "cupy", "dask"}
)  # fmt: skip
_TOOLING = frozenset({"python", "pip", "setuptools", "wheel"})
# Import names whose distribution is named differently.
_DIST_OF_IMPORT = {
    "sklearn": "scikit-learn", "cv2": "opencv-python", "pil": "pillow", "yaml": "pyyaml",
    "bs4": "beautifulsoup4", "skimage": "scikit-image", "dateutil": "python-dateutil",
    "dotenv": "python-dotenv", "attr": "attrs", "jwt": "pyjwt", "serial": "pyserial",
    "crypto": "pycryptodome", "fitz": "pymupdf", "docx": "python-docx", "levenshtein":
    "python-levenshtein", "google": "protobuf", "tf": "tensorflow", "sentencepiece":
    "sentencepiece", "umap": "umap-learn", "hdbscan": "hdbscan", "magic": "python-magic",
    "multipart": "python-multipart", "lgb": "lightgbm", "xgb": "xgboost", "torch": "torch",
    "imblearn": "imbalanced-learn", "pytorch_lightning": "pytorch-lightning", "ipykernel":
    "ipykernel", "IPython": "ipython", "ipython": "ipython", "wordcloud": "wordcloud",
}  # fmt: skip


def normalise(name: str) -> str:
    """PEP 503 normal form of a distribution or import name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class DeclaredRequirement:
    """One requirement as a file declares it."""

    source: str
    """The file it comes from."""
    text: str
    """As written (bounded)."""
    name: str | None
    """Normalised distribution name; None when the line cannot be read at all."""
    pinned: bool
    """An exact version (``==``, ``===``, conda ``=x.y.z``)."""
    version: str | None = None
    """The exact version pinned, if any."""
    specifier: str = ""
    """The version specifier (``>=1.3,<2``), for range checks."""
    conda: bool = False
    """A conda spec, where ``=1.2`` means ``1.2.*``."""
    problem: str | None = None
    """``unparseable``, ``local-path`` or ``platform`` when pip could not install it elsewhere."""
    detail: str = ""


@dataclass
class Dependencies:
    """What the submission declares it needs, and what is wrong with it."""

    sources: list[str] = field(default_factory=list)
    """Files that declare dependencies."""
    requirements: list[DeclaredRequirement] = field(default_factory=list)
    lock_file: str | None = None
    """A lock file (poetry.lock, uv.lock, ...) pins everything when present."""
    lock_conflicts: list[tuple[DeclaredRequirement, str]] = field(default_factory=list)
    """Requirements that exclude the sandbox's version, with that version."""
    unused_heavy: list[DeclaredRequirement] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)
    """Third-party modules imported but not declared."""
    unavailable: list[str] = field(default_factory=list)
    """Third-party modules the solution imports (unguarded) that the grading environment does not
    provide: the code cannot run there."""
    used: int = 0
    """Requirements some file imports."""
    environment_checked: bool = False
    """Whether the grading environment's versions were known (see ``lock_conflicts``)."""

    @property
    def declared(self) -> bool:
        return bool(self.sources)

    def _pinned_names(self) -> set[str]:
        return {r.name for r in self.requirements if r.pinned and r.name}

    @property
    def unpinned(self) -> list[str]:
        """Requirements without an exact version anywhere: ``pandas`` in pyproject.toml is
        pinned when requirements.txt says ``pandas==3.1.1``."""
        pinned = self._pinned_names()
        return [r.text for r in self.requirements if not r.pinned and r.name not in pinned]

    @property
    def pinned_share(self) -> float | None:
        """Share of the declared distributions pinned to an exact version somewhere."""
        if self.lock_file is not None:
            return 1.0
        names = {r.name or r.text for r in self.requirements}
        if not names:
            return None
        return len(self._pinned_names() & names) / len(names)

    def with_problem(self, problem: str) -> list[DeclaredRequirement]:
        return [r for r in self.requirements if r.problem == problem]

    @property
    def is_freeze(self) -> bool:
        """A dump of the author's environment rather than a declaration (see module docstring)."""
        n = len(self.requirements)
        return n >= FREEZE_MIN_REQUIREMENTS and self.used <= n * FREEZE_MAX_USED_SHARE


def _pip_requirement(source: str, line: str) -> DeclaredRequirement:
    text = line[:200]
    try:
        req = Requirement(line)
    except InvalidRequirement:
        conda = _CONDA_SPEC.match(line)
        if conda and conda.group(2):
            return DeclaredRequirement(
                source, text, normalise(conda.group(1)), True, conda.group(2), conda=True,
                problem="unparseable", detail="conda's export format, which pip cannot read",
            )  # fmt: skip
        return DeclaredRequirement(source, text, None, False, problem="unparseable")
    name = normalise(req.name)
    exact = [
        s.version for s in req.specifier if s.operator in {"==", "==="} and "*" not in s.version
    ]
    version = exact[0] if exact else None
    problem, detail = None, ""
    if req.url is not None:
        if req.url.startswith("file:"):
            problem, detail = "local-path", "a path on the author's machine"
        elif _PLATFORM_WHEEL.search(req.url):
            problem, detail = "platform", "a wheel built for one platform"
    elif version is not None and "+" in version:
        problem, detail = "platform", f"the build-specific version {version}"
    elif name in _PLATFORM_ONLY and req.marker is None:
        problem, detail = "platform", "a package for one operating system, without a marker"
    return DeclaredRequirement(
        source, text, name, version is not None or req.url is not None, version,
        str(req.specifier), problem=problem, detail=detail,
    )  # fmt: skip


def _conda_requirement(source: str, spec: str) -> DeclaredRequirement:
    match = _CONDA_SPEC.match(spec.replace(" ", ""))
    if match is None:
        return _pip_requirement(source, spec)
    name, version, build = match.group(1), match.group(2), match.group(3)
    if build:
        return DeclaredRequirement(
            source, spec[:200], normalise(name), True, version, conda=True, problem="platform",
            detail=f"the conda build string {build}",
        )  # fmt: skip
    return DeclaredRequirement(
        source, spec[:200], normalise(name), bool(version and "*" not in version), version,
        conda=True,
    )  # fmt: skip


def _read(inv: Inventory, rel: str, size: int) -> str | None:
    return read_text(inv.root, rel, size, MAX_CONFIG_BYTES).text


def _requirements_file(inv: Inventory, rel: str, size: int, deps: Dependencies) -> None:
    text = _read(inv, rel, size)
    if text is None:
        return
    deps.sources.append(rel)
    for raw in text.splitlines():
        line = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        _add(deps, _pip_requirement(rel, line))


def _conda_file(inv: Inventory, rel: str, size: int, deps: Dependencies) -> None:
    text = _read(inv, rel, size)
    if text is None:
        return
    deps.sources.append(rel)
    in_pip = False
    pip_indent = 0
    for raw in text.splitlines():
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if stripped.startswith("prefix:"):
            _add(deps, DeclaredRequirement(
                rel, stripped[:200], None, False, problem="local-path",
                detail="the author's environment folder",
            ))  # fmt: skip
            continue
        if not stripped.startswith("- "):
            in_pip = False if stripped and indent <= pip_indent else in_pip
            continue
        spec = stripped[2:].strip().strip("\"'")
        if spec in {"pip:", "pip :"}:
            in_pip, pip_indent = True, indent
            continue
        if spec.endswith(":"):
            continue
        if in_pip and indent > pip_indent:
            _add(deps, _pip_requirement(rel, spec))
        else:
            in_pip = False
            _add(deps, _conda_requirement(rel, spec))


def _toml(inv: Inventory, rel: str) -> dict[str, Any] | None:
    f = inv.get(rel)
    if f is None:
        return None
    text = _read(inv, rel, f.size)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None


def _table_requirements(rel: str, table: Mapping[str, Any]) -> Iterable[DeclaredRequirement]:
    """Poetry and Pipfile tables: ``name = "==1.2"`` / ``"^1.2"`` / ``"*"`` / ``{version = ...}``."""
    for dep_name, spec in table.items():
        version = spec.get("version") if isinstance(spec, dict) else spec
        text = f"{dep_name} {version}" if isinstance(version, str) else str(dep_name)
        if isinstance(spec, dict) and "path" in spec:
            yield DeclaredRequirement(rel, text[:200], normalise(dep_name), True,
                                      problem="local-path", detail="a local path")  # fmt: skip
            continue
        exact = isinstance(version, str) and re.fullmatch(
            r"(?:==?)?\s*(\d[\w.+!-]*)", version.strip()
        )
        yield DeclaredRequirement(
            rel,
            text[:200],
            normalise(dep_name),
            bool(exact),
            exact.group(1) if exact else None,
        )


def _pyproject(inv: Inventory, deps: Dependencies) -> None:
    pyproject = _toml(inv, "pyproject.toml")
    if pyproject is None:
        return
    project = pyproject.get("project")
    listed = project.get("dependencies") if isinstance(project, dict) else None
    if isinstance(listed, list) and listed:
        deps.sources.append("pyproject.toml")
        for item in listed:
            if isinstance(item, str):
                _add(deps, _pip_requirement("pyproject.toml", item))
    tool = pyproject.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    poetry_deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(poetry_deps, dict) and poetry_deps:
        deps.sources.append("pyproject.toml [tool.poetry]")
        for req in _table_requirements("pyproject.toml", poetry_deps):
            _add(deps, req)


def _pipfile(inv: Inventory, deps: Dependencies) -> None:
    pipfile = _toml(inv, "Pipfile")
    if pipfile is None:
        return
    deps.sources.append("Pipfile")
    packages = pipfile.get("packages")
    if isinstance(packages, dict):
        for req in _table_requirements("Pipfile", packages):
            _add(deps, req)


def _add(deps: Dependencies, req: DeclaredRequirement) -> None:
    if req.name in _TOOLING:
        return
    deps.requirements.append(req)


def _conflict(req: DeclaredRequirement, installed: str) -> bool:
    try:
        have = Version(installed)
        if req.conda and req.version is not None:
            # conda's `=1.2` means 1.2.*; `==1.2.0` is exact
            wanted = req.version.rstrip(".*")
            return not (installed == wanted or installed.startswith(f"{wanted}."))
        if req.version is not None:
            return Version(req.version) != have
        return bool(req.specifier) and not SpecifierSet(req.specifier).contains(
            have, prereleases=True
        )
    except (InvalidVersion, InvalidSpecifier):
        return False


def _import_dist_names(module: str) -> set[str]:
    return {
        normalise(module),
        normalise(_DIST_OF_IMPORT.get(module, _DIST_OF_IMPORT.get(module.lower(), module))),
    }


def _provided(module: str, env: Mapping[str, str]) -> bool:
    return any(
        name in env or any(e.startswith(f"{name}-") for e in env)
        for name in _import_dist_names(module)
    )


def _check(
    deps: Dependencies, imports: set[str], environment: Mapping[str, str], optional: set[str]
) -> None:
    required = {m for m in imports if m not in sys.stdlib_module_names}
    third_party = required | {m for m in optional if m not in sys.stdlib_module_names}
    wanted = {name for m in third_party for name in _import_dist_names(m)}

    def used(req: DeclaredRequirement) -> bool:
        name = req.name or ""
        return name in wanted or any(name.startswith(f"{w}-") for w in wanted)

    deps.used = sum(1 for r in deps.requirements if used(r))
    deps.unused_heavy = [r for r in deps.requirements if r.name in _HEAVY and not used(r)]
    declared = {r.name for r in deps.requirements if r.name}
    if deps.requirements and deps.lock_file is None:
        deps.undeclared = sorted(
            m
            for m in third_party
            if not any(
                name in declared or any(d.startswith(f"{name}-") for d in declared)
                for name in _import_dist_names(m)
            )
        )
    env = {normalise(k): v for k, v in environment.items()}
    deps.environment_checked = bool(env)
    if env:
        deps.unavailable = sorted(m for m in required if not _provided(m, env))
    for req in deps.requirements:
        installed = env.get(req.name or "")
        if installed is not None and req.problem is None and _conflict(req, installed):
            deps.lock_conflicts.append((req, installed))


def declared_dependencies(
    inv: Inventory,
    imports: set[str],
    environment: Mapping[str, str],
    optional: set[str] | None = None,
) -> Dependencies:
    """Dependencies from the root (and one level down) of the workspace, checked against the
    top-level modules the code imports (local modules excluded; ``optional`` ones are guarded by
    ``except ImportError``) and the grading environment."""
    deps = Dependencies()
    for f in inv.files:
        if f.depth > 1:
            continue
        lower = f.name.lower()
        if lower in _LOCK_FILES:
            deps.lock_file = f.rel
        if _REQ_NAME.match(f.name):
            _requirements_file(inv, f.rel, f.size, deps)
        elif lower in {"environment.yml", "environment.yaml"}:
            _conda_file(inv, f.rel, f.size, deps)
        elif f.name in {"setup.py", "setup.cfg"} and f.depth == 0:
            deps.sources.append(f.rel)
    _pyproject(inv, deps)
    _pipfile(inv, deps)
    deps.sources = list(dict.fromkeys(deps.sources))
    _check(deps, imports, environment, optional or set())
    return deps
