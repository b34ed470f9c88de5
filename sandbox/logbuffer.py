"""A byte-capped log: keeps the head and the tail of a stream, drops and marks the middle."""

from __future__ import annotations

__all__ = ["BoundedLog"]


class BoundedLog:
    """Collects a byte stream keeping at most ``cap`` bytes: the first half and the last half.

    Reviewers need both ends: the head says what the program set out to do, the tail why it
    stopped. Memory stays bounded whatever the stream's length.
    """

    def __init__(self, cap: int) -> None:
        if cap <= 0:
            raise ValueError(f"cap must be positive, got {cap}")
        self._head_cap = cap // 2
        self._tail_cap = cap - self._head_cap
        self._head = bytearray()
        self._tail = bytearray()
        self.total = 0
        """Bytes fed in all."""

    def feed(self, data: bytes) -> None:
        """Add ``data`` to the stream."""
        self.total += len(data)
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if not data:
            return
        if len(data) >= self._tail_cap:
            self._tail[:] = data[-self._tail_cap :]
        else:
            self._tail += data
            excess = len(self._tail) - self._tail_cap
            if excess > 0:
                del self._tail[:excess]

    @property
    def truncated(self) -> bool:
        """Whether bytes were dropped."""
        return self.total > len(self._head) + len(self._tail)

    def text(self) -> str:
        """The kept bytes as text, with a marker line where bytes were dropped."""
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail.decode("utf-8", errors="replace")
        if not self.truncated:
            return head + tail
        dropped = self.total - len(self._head) - len(self._tail)
        return f"{head}\n[... {dropped} bytes of output dropped ...]\n{tail}"
