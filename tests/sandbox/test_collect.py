"""collect_outputs on hostile folders made on the host (no container needed)."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox import collect_outputs
from tests.sandbox.conftest import MiB


def collect(folder: Path, **caps: int) -> tuple[list[str], list[str]]:
    values = {"max_file_bytes": MiB, "max_total_bytes": 4 * MiB, **caps}
    result = collect_outputs(folder, **values)
    return [f.name for f in result.files], result.rejected


def test_regular_files_in_subfolders_are_collected(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("1")
    (tmp_path / "predictions.csv").write_text("id,label\n")
    result = collect_outputs(tmp_path, max_file_bytes=MiB, max_total_bytes=MiB)
    assert [(f.name, f.size) for f in result.files] == [("a/x.csv", 1), ("predictions.csv", 9)]
    assert result.files[0].path == tmp_path / "a" / "x.csv"
    assert result.rejected == []
    assert result.get("predictions.csv") is not None and result.get("missing") is None


def test_links_fifos_sockets_and_devices_are_rejected(tmp_path: Path) -> None:
    import socket

    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret")
    out = tmp_path / "out"
    out.mkdir()
    (out / "link.csv").symlink_to(outside)
    (out / "dirlink").symlink_to("/etc")
    os.mkfifo(out / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(out / "sock"))
    os.mknod(out / "null", 0o600 | 0o020000, os.makedev(1, 3))  # we run as root in CI
    try:
        names, rejected = collect(out)
    finally:
        sock.close()
    assert names == []
    assert sorted(rejected) == [
        "dirlink: symlink, not followed",
        "link.csv: symlink, not followed",
        "null: device file",
        "pipe: FIFO",
        "sock: socket",
    ]


def test_size_and_count_caps(tmp_path: Path) -> None:
    with open(tmp_path / "big.bin", "wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: costs no disk
    for i in range(5):
        (tmp_path / f"f{i}.txt").write_bytes(b"x" * (600 * 1024))
    names, rejected = collect(tmp_path, max_files=3, max_total_bytes=MiB + 512 * 1024)
    assert names == ["f0.txt", "f1.txt"]
    assert "big.bin: 3 GiB over the 1 MiB cap" in rejected
    assert "f2.txt: 600 KiB would pass the 1.5 MiB total cap" in rejected
    assert len(rejected) == 4


def test_deep_trees_and_many_entries_stop_cleanly(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(40):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "x").write_text("x")
    names, rejected = collect(tmp_path)
    assert names == []
    assert any("nested deeper than" in line for line in rejected)

    wide = tmp_path / "wide"
    wide.mkdir()
    for i in range(300):
        (wide / f"{i:03}").write_text("x")
    result = collect_outputs(wide, max_files=10, max_file_bytes=MiB, max_total_bytes=MiB)
    assert len(result.files) == 10
    assert len(result.rejected) == 100
    assert result.rejected[-1].startswith("... and ")


def test_names_that_are_not_utf8_are_rejected(tmp_path: Path) -> None:
    with open(os.path.join(os.fsencode(tmp_path), b"bad-\xff.csv"), "wb") as fh:
        fh.write(b"x")
    names, rejected = collect(tmp_path)
    assert names == []
    assert rejected == ["bad-\ufffd.csv: name is not valid UTF-8"]


def test_unusable_root_never_raises(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path)
    for root in (tmp_path / "missing", link):
        names, rejected = collect(root)
        assert names == [] and len(rejected) == 1 and "cannot be read as a folder" in rejected[0]
