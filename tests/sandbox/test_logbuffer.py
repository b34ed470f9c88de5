"""The byte-capped log keeps head and tail and marks what it dropped."""

from __future__ import annotations

from sandbox.logbuffer import BoundedLog


def test_short_stream_is_kept_whole() -> None:
    log = BoundedLog(100)
    log.feed(b"hello ")
    log.feed(b"world")
    assert log.text() == "hello world"
    assert not log.truncated and log.total == 11


def test_long_stream_keeps_head_and_tail_within_cap() -> None:
    log = BoundedLog(20)
    for i in range(1000):
        log.feed(f"{i:04}\n".encode())
    text = log.text()
    assert log.truncated and log.total == 5000
    assert text.startswith("0000\n0001\n")
    assert text.endswith("0998\n0999\n")
    assert "[... 4980 bytes of output dropped ...]" in text


def test_one_huge_chunk() -> None:
    log = BoundedLog(10)
    log.feed(b"A" * 5 + b"B" * 1000 + b"C" * 5)
    assert log.text() == "AAAAA\n[... 1000 bytes of output dropped ...]\nCCCCC"


def test_invalid_utf8_is_replaced_not_raised() -> None:
    log = BoundedLog(64)
    log.feed(b"ok \xff\xfe end")
    assert log.text() == "ok \ufffd\ufffd end"
