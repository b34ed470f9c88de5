"""Hostile archives: each is rejected with a clear message or neutralised, nothing escapes."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from harness.submissions.archive import (
    ArchiveLimits,
    ArchiveRejected,
    check_archive,
    extract_submission,
)


def make_zip(path: Path, members: dict[str, bytes], *, modes: dict[str, int] | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            mode = (modes or {}).get(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


def make_tar(path: Path, members: list[tarfile.TarInfo], payloads: dict[str, bytes] | None = None) -> Path:
    payloads = payloads or {}
    with tarfile.open(path, "w:gz") as tf:
        for info in members:
            data = payloads.get(info.name)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def tar_file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


GOOD = {"submission.toml": b"[train]\ncommand='x'\n", "train.py": b"print('hi')\n", "pkg/mod.py": b"x = 1\n"}


def listing(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def assert_nothing_outside(tmp_path: Path, dest: Path) -> None:
    for path in tmp_path.rglob("*"):
        assert not path.name.startswith("evil"), f"{path} was written"


def test_zip_extracts_regular_files(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "s.zip", GOOD)
    info = extract_submission(archive, tmp_path / "ws")
    assert listing(tmp_path / "ws") == ["pkg/mod.py", "submission.toml", "train.py"]
    assert info.format == "zip" and info.files == 3 and len(info.sha256) == 64


def test_tar_gz_extracts_and_unwraps_single_top_folder(tmp_path: Path) -> None:
    members, payloads = [], {}
    for name, data in GOOD.items():
        info, payload = tar_file(f"my-solution/{name}", data)
        members.append(info)
        payloads[info.name] = payload
    archive = make_tar(tmp_path / "s.tar.gz", members, payloads)
    info = extract_submission(archive, tmp_path / "ws")
    assert listing(tmp_path / "ws") == ["pkg/mod.py", "submission.toml", "train.py"]
    assert info.unwrapped == "my-solution"


def test_folder_is_copied_and_hashed_stably(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for name, data in GOOD.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(data)
    first = extract_submission(src, tmp_path / "a")
    second = check_archive(src)
    assert first.format == "folder" and first.sha256 == second.sha256
    (src / "train.py").write_bytes(b"print('changed')\n")
    assert check_archive(src).sha256 != first.sha256


def test_litter_is_dropped_not_rejected(tmp_path: Path) -> None:
    members = {**GOOD, "__MACOSX/._train.py": b"junk", ".DS_Store": b"junk",
               "pkg/__pycache__/mod.cpython-311.pyc": b"junk", ".git/HEAD": b"ref", "._x": b"j"}
    info = extract_submission(make_zip(tmp_path / "s.zip", members), tmp_path / "ws")
    assert listing(tmp_path / "ws") == ["pkg/mod.py", "submission.toml", "train.py"]
    assert info.dropped_count == 5


@pytest.mark.parametrize("name", ["../evil.py", "a/../../evil.py", "..\\evil.py"])
def test_zip_path_traversal_rejected(tmp_path: Path, name: str) -> None:
    archive = make_zip(tmp_path / "s.zip", {**GOOD, name: b"x"})
    with pytest.raises(ArchiveRejected, match="outside the archive"):
        extract_submission(archive, tmp_path / "ws")
    assert_nothing_outside(tmp_path, tmp_path / "ws")
    assert listing(tmp_path / "ws") == []


@pytest.mark.parametrize("name", ["/etc/evil", "C:/evil.py", "/tmp/evil.py"])
def test_absolute_paths_rejected(tmp_path: Path, name: str) -> None:
    archive = make_zip(tmp_path / "s.zip", {**GOOD, name: b"x"})
    with pytest.raises(ArchiveRejected, match="absolute path"):
        check_archive(archive)


def test_tar_traversal_rejected(tmp_path: Path) -> None:
    info, data = tar_file("../evil.py", b"x")
    with pytest.raises(ArchiveRejected, match="outside the archive"):
        extract_submission(make_tar(tmp_path / "s.tar.gz", [info], {info.name: data}), tmp_path / "ws")
    assert not (tmp_path / "evil.py").exists()


def test_zip_symlink_member_rejected(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "s.zip", {**GOOD, "link": b"/etc/passwd"},
                       modes={"link": stat.S_IFLNK | 0o777})
    with pytest.raises(ArchiveRejected, match="symbolic link"):
        extract_submission(archive, tmp_path / "ws")


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_tar_links_rejected(tmp_path: Path, kind: bytes) -> None:
    link = tarfile.TarInfo("data.csv")
    link.type = kind
    link.linkname = "/etc/passwd"
    with pytest.raises(ArchiveRejected, match="link"):
        extract_submission(make_tar(tmp_path / "s.tar.gz", [link]), tmp_path / "ws")
    assert listing(tmp_path / "ws") == []


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_tar_device_and_fifo_rejected(tmp_path: Path, kind: bytes) -> None:
    dev = tarfile.TarInfo("dev")
    dev.type = kind
    with pytest.raises(ArchiveRejected, match="special file"):
        check_archive(make_tar(tmp_path / "s.tar.gz", [dev]))


def test_zip_bomb_rejected_by_ratio(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bomb.zip", {"submission.toml": b"x", "zeros.bin": b"\0" * (40 * 1024 * 1024)})
    assert archive.stat().st_size < 1024 * 1024
    with pytest.raises(ArchiveRejected, match="decompression bomb"):
        extract_submission(archive, tmp_path / "ws")
    assert listing(tmp_path / "ws") == []


def test_tar_gz_bomb_rejected(tmp_path: Path) -> None:
    info, data = tar_file("zeros.bin", b"\0" * (40 * 1024 * 1024))
    with pytest.raises(ArchiveRejected, match="decompression bomb"):
        check_archive(make_tar(tmp_path / "bomb.tar.gz", [info], {info.name: data}))


def test_total_size_cap(tmp_path: Path) -> None:
    limits = ArchiveLimits(max_total_bytes=1000, max_file_bytes=800)
    archive = make_zip(tmp_path / "s.zip", {"a.txt": os.urandom(600), "b.txt": os.urandom(600)},
                       compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveRejected, match="unpacks to more than"):
        check_archive(archive, limits=limits)


def test_one_huge_file(tmp_path: Path) -> None:
    limits = ArchiveLimits(max_file_bytes=1024)
    archive = make_zip(tmp_path / "s.zip", {**GOOD, "model.bin": os.urandom(4096)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveRejected, match=r"model\.bin"):
        check_archive(archive, limits=limits)


def test_declared_sizes_are_not_trusted(tmp_path: Path) -> None:
    """A member whose header claims a small size but unpacks large is still caught."""
    limits = ArchiveLimits(max_file_bytes=1024)
    path = make_zip(tmp_path / "s.zip", {"big.txt": b"a" * 5000}, compression=zipfile.ZIP_STORED)
    raw = bytearray(path.read_bytes())
    # Patch the central directory's uncompressed size (offset 24 in the entry) to 10 bytes.
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(ArchiveRejected):
        check_archive(path, limits=limits)


def test_too_many_files(tmp_path: Path) -> None:
    members = {f"f{i}.py": b"" for i in range(30)}
    with pytest.raises(ArchiveRejected, match="more than 20 files"):
        check_archive(make_zip(tmp_path / "s.zip", members), limits=ArchiveLimits(max_files=20))


def test_non_utf8_tar_name_rejected(tmp_path: Path) -> None:
    path = tmp_path / "s.tar.gz"
    with tarfile.open(path, "w:gz", encoding="utf-8", errors="surrogateescape") as tf:
        info = tarfile.TarInfo(b"caf\xe9.py".decode("utf-8", "surrogateescape"))
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ArchiveRejected, match="not valid UTF-8"):
        check_archive(path)


def test_duplicate_members_rejected(tmp_path: Path) -> None:
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.py", "1")
        with pytest.warns(UserWarning):
            zf.writestr("a.py", "2")
    with pytest.raises(ArchiveRejected, match="twice"):
        check_archive(path)


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "s.rar"
    path.write_bytes(b"Rar!\x1a\x07\x00 not supported")
    with pytest.raises(ArchiveRejected, match=r"not a \.zip or \.tar\.gz"):
        check_archive(path)


def test_truncated_zip(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "s.zip", GOOD)
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ArchiveRejected, match="damaged"):
        check_archive(path)


def test_encrypted_zip_member_rejected(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "s.zip", GOOD)
    raw = bytearray(path.read_bytes())
    cd = raw.find(b"PK\x01\x02")
    raw[cd + 8] |= 0x1  # general purpose flag: encrypted
    path.write_bytes(bytes(raw))
    with pytest.raises(ArchiveRejected, match="encrypted"):
        check_archive(path)


def test_folder_with_symlink_rejected(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "submission.toml").write_text("x")
    (src / "secrets").symlink_to("/etc/passwd")
    with pytest.raises(ArchiveRejected, match="symbolic link"):
        extract_submission(src, tmp_path / "ws")


def test_folder_with_fifo_rejected(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "pipe")
    with pytest.raises(ArchiveRejected, match="special file"):
        check_archive(src)


def test_oversized_upload_rejected_before_reading(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "s.zip", {"a.bin": os.urandom(5000)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveRejected, match="the limit is"):
        check_archive(path, "s.zip", ArchiveLimits(max_archive_bytes=1024 * 1024 // 1024))


def test_extracted_files_are_plain_and_not_executable(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "s.zip", {"run.sh": b"#!/bin/sh\n"}, modes={"run.sh": stat.S_IFREG | 0o4777})
    extract_submission(archive, tmp_path / "ws")
    mode = (tmp_path / "ws" / "run.sh").stat().st_mode
    assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_IXUSR)
