"""The code browser lists what extraction would unpack: no litter, no unsafe names, no links."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from harness.submissions.browse import list_files, read_text


def test_listing_matches_extraction_rules(tmp_path: Path) -> None:
    blob = tmp_path / "s.zip"
    with zipfile.ZipFile(blob, "w") as zf:
        zf.writestr("sol/pkg/a.py", "x = 1\n")
        zf.writestr("sol/.mypy_cache/3.11/a.data.json", "{}")
        zf.writestr("sol/pkg/__pycache__/a.cpython-311.pyc", "junk")
        zf.writestr("sol/../evil.py", "boom")
        link = zipfile.ZipInfo("sol/link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    assert [e.path for e in list_files(blob)] == ["pkg/a.py"]
    assert read_text(blob, "pkg/a.py") == ("x = 1\n", False)
    assert read_text(blob, "../evil.py") is None
    assert read_text(blob, "link") is None


def test_a_changed_archive_is_read_again_not_served_from_the_cache(tmp_path: Path) -> None:
    import os

    blob = tmp_path / "s.zip"
    with zipfile.ZipFile(blob, "w") as zf:
        zf.writestr("WRITEUP.md", "first\n")
    assert read_text(blob, "WRITEUP.md") == ("first\n", False)
    with zipfile.ZipFile(blob, "w") as zf:
        zf.writestr("WRITEUP.md", "second\n")
        zf.writestr("extra.py", "y = 2\n")
    stamp = blob.stat().st_mtime_ns + 1_000_000_000
    os.utime(blob, ns=(stamp, stamp))  # a later modification time, as a rewrite gives
    assert read_text(blob, "WRITEUP.md") == ("second\n", False)
    assert [e.path for e in list_files(blob)] == ["WRITEUP.md", "extra.py"]
    blob.unlink()
    assert read_text(blob, "WRITEUP.md") is None and list_files(blob) == ()
