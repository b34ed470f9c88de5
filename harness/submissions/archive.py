"""Checking and extracting submissions: a folder, a ``.zip`` or a ``.tar.gz``.

Archives are hostile input. Members are streamed and counted as they are written (declared sizes
can lie), never written outside the destination, and anything that is not a regular file or a
folder is refused with a message that names the member and says what to do instead.

Operating-system litter (``__MACOSX/``, ``.DS_Store``, ``__pycache__/``, ``.git/``, virtual
environments) is dropped silently and counted, so a candidate is not rejected for what their
zip tool added.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from harness.errors import InputRejected

__all__ = [
    "JUNK_DIRS",
    "JUNK_FILES",
    "ArchiveInfo",
    "ArchiveLimits",
    "ArchiveRejected",
    "check_archive",
    "extract_submission",
    "is_litter",
    "member_path",
    "sha256_file",
]

_CHUNK = 1 << 16
JUNK_DIRS = frozenset({"__MACOSX", "__pycache__", ".git", ".hg", ".svn", ".ipynb_checkpoints",
                        ".venv", "venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea",
                        ".vscode", "node_modules"})
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class ArchiveRejected(InputRejected):
    """The archive cannot be accepted; the message is meant for the candidate."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Caps on what a submission may unpack to."""

    max_archive_bytes: int | None = 50 * 1024 * 1024
    """Size of the uploaded file itself; ``None`` when it was checked already (grading an
    upload that intake admitted under ``HARNESS_MAX_UPLOAD_MB`` never re-judges its size)."""
    max_files: int = 2000
    """Regular files after junk is dropped."""
    max_total_bytes: int = 256 * 1024 * 1024
    """Sum of unpacked file sizes."""
    max_file_bytes: int = 100 * 1024 * 1024
    """Largest single unpacked file."""
    max_ratio: float = 200.0
    """Unpacked over packed size, per member and overall (zip bombs)."""
    ratio_floor_bytes: int = 8 * 1024 * 1024
    """Ratios are only judged above this many unpacked bytes (small text compresses well)."""
    max_depth: int = 24
    """Folder nesting."""
    max_name_bytes: int = 255
    max_path_bytes: int = 1024


@dataclass
class ArchiveInfo:
    """What a checked submission holds."""

    format: Literal["zip", "tar", "folder"]
    sha256: str
    """Of the archive file; for a folder, of a canonical listing of paths and file hashes."""
    files: int = 0
    total_bytes: int = 0
    packed_bytes: int = 0
    dropped: list[str] = field(default_factory=list)
    """Litter that was skipped (first few names)."""
    dropped_count: int = 0
    unwrapped: str | None = None
    """The single top folder that was unwrapped into the root, if any."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Member:
    name: str
    """Normalised relative POSIX path."""
    is_dir: bool
    packed_size: int
    open: object  # () -> IO[bytes], for files


def _reject(message: str) -> ArchiveRejected:
    return ArchiveRejected(message)


def _display(raw: str) -> str:
    return raw.encode("utf-8", "backslashreplace").decode("utf-8")[:200]


def _normalise(raw: str, limits: ArchiveLimits) -> str | None:
    """A safe relative path for an archive member name, or None for litter. Rejects the unsafe."""
    try:
        encoded = raw.encode("utf-8")
    except UnicodeEncodeError:
        raise _reject(
            f"The archive member {_display(raw)!r} has a name that is not valid UTF-8. "
            "Rename it using plain UTF-8 characters and upload again."
        ) from None
    if b"\x00" in encoded or any(ch < 0x20 for ch in encoded):
        raise _reject(
            f"The archive member {_display(raw)!r} has control characters in its name; rename it."
        )
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _reject(
            f"The archive member {_display(raw)!r} has an absolute path. Create the archive from "
            "inside your submission folder so that paths are relative (e.g. `zip -r sub.zip .`)."
        )
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise _reject(
            f"The archive member {_display(raw)!r} points outside the archive ('..' in its path). "
            "Re-create the archive from your submission folder."
        )
    if not parts or is_litter(parts):
        return None
    if len(parts) > limits.max_depth:
        raise _reject(f"The archive member {_display(raw)!r} is nested deeper than {limits.max_depth} folders.")
    if any(len(p.encode()) > limits.max_name_bytes for p in parts) or len(encoded) > limits.max_path_bytes:
        raise _reject(f"The archive member {_display(raw)!r} has a name that is too long.")
    return "/".join(parts)


def is_litter(parts: list[str] | tuple[str, ...]) -> bool:
    """Whether a path (as parts) is operating-system or tool litter that submissions drop."""
    if any(p in JUNK_DIRS for p in parts[:-1]) or parts[-1] in JUNK_DIRS | JUNK_FILES:
        return True
    return parts[-1].startswith("._") or parts[-1].endswith(".pyc")


def member_path(raw: str, limits: ArchiveLimits | None = None) -> str | None:
    """The workspace path an archive member extracts to: None for litter or unsafe names.

    The same rules as extraction, for code that reads archives without extracting them.
    """
    try:
        return _normalise(raw, limits or ArchiveLimits())
    except ArchiveRejected:
        return None


# --- reading members, per format ---------------------------------------------------------------

def _zip_members(zf: zipfile.ZipFile, limits: ArchiveLimits) -> Iterator[tuple[str, zipfile.ZipInfo]]:
    for info in zf.infolist():
        # Unix type bits live in the high 16 bits; many tools leave them 0 (then it is a file).
        mode = stat.S_IFMT((info.external_attr >> 16) & 0xFFFF)
        if info.flag_bits & 0x1:
            raise _reject(
                f"The archive member {_display(info.filename)!r} is encrypted. Upload an archive "
                "without a password."
            )
        if mode and stat.S_ISLNK(mode):
            raise _reject(
                f"The archive member {_display(info.filename)!r} is a symbolic link. Submissions may "
                "hold regular files and folders only: replace the link with the file it points to."
            )
        if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise _reject(
                f"The archive member {_display(info.filename)!r} is a special file (device, FIFO or "
                "socket). Remove it: submissions may hold regular files and folders only."
            )
        yield info.filename, info


def _tar_check_member(member: tarfile.TarInfo) -> None:
    name = _display(member.name)
    if member.issym() or member.islnk():
        kind = "symbolic link" if member.issym() else "hard link"
        raise _reject(
            f"The archive member {name!r} is a {kind}. Submissions may hold regular files and "
            "folders only: replace the link with the file it points to."
        )
    if member.issparse():
        raise _reject(f"The archive member {name!r} is a sparse file; archive it as a regular file.")
    if not (member.isreg() or member.isdir()):
        raise _reject(
            f"The archive member {name!r} is a special file (device, FIFO or socket). Remove it: "
            "submissions may hold regular files and folders only."
        )


# --- the walk shared by check and extract -------------------------------------------------------

class _Budget:
    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.files = 0
        self.total = 0
        self.seen: set[str] = set()

    def add_file(self, name: str) -> None:
        if name in self.seen:
            raise _reject(f"The archive holds {name!r} twice. Re-create it so each file appears once.")
        self.seen.add(name)
        self.files += 1
        if self.files > self.limits.max_files:
            raise _reject(
                f"The submission holds more than {self.limits.max_files} files. Leave out data, "
                "virtual environments and build output, and upload again."
            )

    def copy(self, name: str, src: IO[bytes] | _HashingReader, dst: IO[bytes] | None, packed: int | None) -> int:
        limits = self.limits
        size = 0
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            self.total += len(chunk)
            if size > limits.max_file_bytes:
                raise _reject(
                    f"{name!r} unpacks to more than {limits.max_file_bytes // (1024 * 1024)} MiB. "
                    "Leave large data and model files out of the submission: the harness trains "
                    "your model itself."
                )
            if self.total > limits.max_total_bytes:
                raise _reject(
                    f"The submission unpacks to more than {limits.max_total_bytes // (1024 * 1024)} "
                    "MiB. Leave data, models and environments out and upload again."
                )
            if packed is not None and size > limits.ratio_floor_bytes and size > packed * limits.max_ratio:
                raise _reject(
                    f"{name!r} expands more than {limits.max_ratio:.0f}-fold when unpacked, which "
                    "looks like a decompression bomb; it was not unpacked."
                )
            if dst is not None:
                dst.write(chunk)
        return size


class _HashingReader:
    """Reads through to a file while hashing what passes."""

    def __init__(self, inner: IO[bytes]) -> None:
        self._inner = inner
        self._digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self._inner.read(n)
        self._digest.update(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _open_target(root: Path, name: str) -> IO[bytes]:
    target = root.joinpath(*name.split("/"))
    # Belt and braces: the name was normalised, and nothing under root is a link (we made it all).
    if not str(target.resolve()).startswith(str(root.resolve()) + os.sep):
        raise _reject(f"The archive member {name!r} points outside the submission folder.")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    # Readable by the sandbox user whatever the harness's umask; never executable or setuid.
    os.fchmod(fd, 0o644)
    return os.fdopen(fd, "wb")


def _sniff(path: Path, shown: str) -> Literal["zip", "tar", "folder"]:
    """The format of ``path``; ``shown`` is how messages name it (the candidate's own file
    name, never the server's temporary or content-addressed one)."""
    if path.is_dir() and not path.is_symlink():
        return "folder"
    if not path.is_file():
        raise _reject(f"{shown!r} is neither a folder nor a file.")
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b") or head[257:262] == b"ustar":
        return "tar"
    raise _reject(
        f"{shown!r} is not a .zip or .tar.gz archive. Upload your submission folder as a "
        ".zip or .tar.gz file."
    )


class _Walk:
    """One pass over a submission's members, shared by the three formats: litter is dropped and
    counted, folders are made (when extracting), files are copied through the budget."""

    def __init__(self, dest: Path | None, limits: ArchiveLimits) -> None:
        self.dest = dest
        self.limits = limits
        self.budget = _Budget(limits)
        self.dropped: list[str] = []
        self.dropped_count = 0

    def name(self, raw: str) -> str | None:
        """The member's safe relative path, or ``None`` (counted) for litter."""
        name = _normalise(raw, self.limits)
        if name is None:
            self.dropped_count += 1
            if len(self.dropped) < 10:
                self.dropped.append(_display(raw))
        return name

    def folder(self, name: str) -> None:
        if self.dest is not None:
            self.dest.joinpath(*name.split("/")).mkdir(parents=True, exist_ok=True)

    def copy(self, name: str, src: IO[bytes] | _HashingReader, packed: int | None) -> None:
        """Copy one regular file, counted already (``packed``: its compressed size, if known)."""
        if self.dest is None:
            self.budget.copy(name, src, None, packed)
        else:
            with _open_target(self.dest, name) as out:
                self.budget.copy(name, src, out, packed)

    def info(self, fmt: Literal["zip", "tar", "folder"], sha256: str, packed: int = 0) -> ArchiveInfo:
        return ArchiveInfo(
            format=fmt,
            sha256=sha256,
            files=self.budget.files,
            total_bytes=self.budget.total,
            packed_bytes=packed,
            dropped=self.dropped,
            dropped_count=self.dropped_count,
        )


def _walk_zip(walk: _Walk, source: Path) -> None:
    try:
        with zipfile.ZipFile(source) as zf:
            for raw, zinfo in _zip_members(zf, walk.limits):
                name = walk.name(raw)
                if name is None:
                    continue
                if zinfo.is_dir():
                    walk.folder(name)
                    continue
                walk.budget.add_file(name)
                with zf.open(zinfo) as src:
                    walk.copy(name, src, zinfo.compress_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise _reject(f"The zip file is damaged or uses an unsupported feature ({exc}). Re-create it and upload again.") from exc


def _walk_tar(walk: _Walk, source: Path, packed_total: int) -> None:
    limits = walk.limits
    try:
        with tarfile.open(source, mode="r:*") as tf:
            for member in tf:
                name = walk.name(member.name)
                if name is None:
                    continue
                _tar_check_member(member)
                if member.isdir():
                    walk.folder(name)
                    continue
                walk.budget.add_file(name)
                member_src = tf.extractfile(member)
                if member_src is None:  # pragma: no cover - regular members always have data
                    continue
                with member_src:
                    # A tar member's packed size is unknown inside a gzip stream; judge the
                    # ratio on the whole archive below.
                    walk.copy(name, member_src, None)
                total = walk.budget.total
                if total > limits.ratio_floor_bytes and total > packed_total * limits.max_ratio:
                    raise _reject(
                        f"The archive expands more than {limits.max_ratio:.0f}-fold when unpacked, "
                        "which looks like a decompression bomb; it was not unpacked."
                    )
    except (tarfile.TarError, EOFError, OSError) as exc:
        # gzip's BadGzipFile is an OSError without errno: the archive's fault. An OSError with
        # an errno (disk full, permissions) is the harness's and must not blame the candidate.
        if isinstance(exc, ArchiveRejected) or (isinstance(exc, OSError) and exc.errno is not None):
            raise
        raise _reject(f"The .tar.gz file is damaged ({exc}). Re-create it and upload again.") from exc


def _walk_folder_files(walk: _Walk, source: Path) -> str:
    """Walk a folder; returns the hash of its canonical listing (paths and file hashes)."""
    digest = hashlib.sha256()
    for rel, path, is_dir in _walk_folder(source, source):
        name = walk.name(rel)
        if name is None:
            continue
        if is_dir:
            walk.folder(name)
            continue
        walk.budget.add_file(name)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as raw_src:
            hashing = _HashingReader(raw_src)
            walk.copy(name, hashing, None)
        digest.update(f"{name}\0{hashing.hexdigest()}\n".encode())
    return digest.hexdigest()


def _walk(
    source: Path, dest: Path | None, limits: ArchiveLimits, shown: str | None = None
) -> ArchiveInfo:
    """Check every member of ``source`` (and extract it into ``dest`` unless that is ``None``)."""
    fmt = _sniff(source, shown or source.name)
    walk = _Walk(dest, limits)
    if fmt == "folder":
        return walk.info("folder", _walk_folder_files(walk, source))
    packed_total = source.stat().st_size
    if fmt == "zip":
        _walk_zip(walk, source)
    else:
        _walk_tar(walk, source, packed_total)
    if walk.budget.files == 0:
        raise _reject("The archive holds no files. Upload your submission folder as a .zip or .tar.gz.")
    return walk.info(fmt, sha256_file(source), packed_total)


def _walk_folder(root: Path, base: Path) -> Iterator[tuple[str, Path, bool]]:
    """Entries under a folder, sorted, without following links; special files are refused."""
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        rel = os.fsdecode(Path(entry.path).relative_to(base).as_posix())
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            raise _reject(
                f"{rel!r} is a symbolic link. Submissions may hold regular files and folders only: "
                "replace the link with the file it points to."
            )
        if stat.S_ISDIR(st.st_mode):
            yield rel, Path(entry.path), True
            if PurePosixPath(rel).name not in JUNK_DIRS:
                yield from _walk_folder(Path(entry.path), base)
        elif stat.S_ISREG(st.st_mode):
            yield rel, Path(entry.path), False
        else:
            raise _reject(f"{rel!r} is a special file (device, FIFO or socket); remove it.")


def check_archive(path: Path, filename: str | None = None, limits: ArchiveLimits | None = None) -> ArchiveInfo:
    """Read a whole submission without writing anything; raise ArchiveRejected if it is unusable.
    Messages name it ``filename`` (what the candidate called it) when given."""
    limits = limits or ArchiveLimits()
    cap = limits.max_archive_bytes
    if cap is not None and path.is_file() and path.stat().st_size > cap:
        raise _reject(
            f"{filename or path.name!r} is {path.stat().st_size / (1024 * 1024):.1f} MiB; the limit "
            f"is {cap // (1024 * 1024)} MiB. Leave data and model files out."
        )
    return _walk(path, None, limits, filename)


def extract_submission(
    path: Path, dest: Path, limits: ArchiveLimits | None = None, filename: str | None = None
) -> ArchiveInfo:
    """Check and unpack a submission into the empty folder ``dest``.

    A lone top-level folder (``my-solution/...``) is unwrapped so that ``dest`` is the submission
    root. On rejection, ``dest`` is left empty. Messages name it ``filename`` when given.
    """
    limits = limits or ArchiveLimits()
    check = check_archive(path, filename, limits)  # reject before writing a byte
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise ValueError(f"extraction target {dest} is not empty")
    try:
        info = _walk(path, dest, limits, filename)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True, exist_ok=True)
        raise
    info.sha256 = check.sha256
    for folder in [dest, *(p for p in dest.rglob("*") if p.is_dir() and not p.is_symlink())]:
        folder.chmod(0o755)
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        top = entries[0]
        tmp = dest.with_name(dest.name + ".unwrap")
        top.rename(tmp)
        dest.rmdir()
        tmp.rename(dest)
        info.unwrapped = top.name
    return info
