"""A sandboxed command running in the background (a server), until the caller stops it.

:meth:`sandbox.Sandbox.start` creates the container exactly as :meth:`~sandbox.Sandbox.run` does
(same isolation, same limits) and hands the run to a thread of its own, which reads the output
and enforces every limit while the caller does something else, such as measuring the server
from a second container that joins its network namespace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sandbox.errors import InfrastructureError
from sandbox.spec import RunResult

__all__ = ["Service"]

_START_PATIENCE_S = 120.0
"""How long the engine may take to start a created container before it is deemed broken."""


class Service:
    """A running sandbox container. Thread-safe; :meth:`stop` it exactly once."""

    def __init__(
        self,
        container_id: str,
        name: str,
        body: Callable[[threading.Event, Callable[[], None]], RunResult],
        dispose: Callable[[], None],
    ) -> None:
        self.container_id = container_id
        """The container's id: what a second run joins (:attr:`sandbox.RunSpec.network_of`)."""
        self.name = name
        self.started_at: float | None = None
        """Wall-clock time (``time.time()``) when the container started."""
        self._body = body
        self._dispose = dispose
        self._stop = threading.Event()
        self._started = threading.Event()
        self._done = threading.Event()
        self._result: RunResult | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"service {name}", daemon=True)

    def begin(self) -> None:
        """Start the run's thread and return once the container runs (or raise why it did not)."""
        self._thread.start()
        deadline = time.monotonic() + _START_PATIENCE_S
        while not self._started.wait(0.02):
            if self._done.is_set():
                break
            if time.monotonic() > deadline:
                self._stop.set()
                raise InfrastructureError(
                    f"the container {self.name} did not start within {_START_PATIENCE_S:g} s"
                )
        if self._error is not None and not self._started.is_set():
            raise self._error

    def _mark_started(self) -> None:
        self.started_at = time.time()
        self._started.set()

    def _run(self) -> None:
        try:
            self._result = self._body(self._stop, self._mark_started)
        except BaseException as exc:
            self._error = exc
        finally:
            self._done.set()

    def exited(self) -> bool:
        """Whether the run is over: the command ended on its own or a limit stopped it."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the run is over; whether it is."""
        return self._done.wait(timeout)

    def stop(self) -> RunResult:
        """Kill the command if it still runs, remove the container, and say how the run went.

        Raises :class:`InfrastructureError` when the engine failed during the run.
        """
        self._stop.set()
        # The reader notices the stop within 50 ms; a kill the engine does not finish raises
        # there after a grace period, so this join is bounded.
        self._thread.join()
        self._dispose()
        if self._error is not None:
            raise self._error
        if self._result is None:  # pragma: no cover - the thread always sets one or the other
            raise InfrastructureError(f"the run of {self.name} ended without a result")
        return self._result
