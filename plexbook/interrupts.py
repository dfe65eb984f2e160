"""Ctrl+C and SIGTERM as requests a run honours at its next safe point.

Raising from a signal handler can land inside Playwright's own pipe to its driver and
break the connection, and with it the evidence. So the first signal only asks the run to
stop; the run stops before its next action or step, checks what Plex now says if the
change may have been made, and finishes its evidence. A second signal stops at once.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from plexbook.errors import EXIT_SIGINT, EXIT_SIGTERM, Interrupted


class StopRequest:
    """Whether someone asked the run to stop, and how (the exit code a shell would report)."""

    def __init__(self) -> None:
        self.exit_code: int | None = None

    def ask(self, exit_code: int) -> None:
        if self.exit_code is None:
            self.exit_code = exit_code

    def check(self) -> None:
        """Stop here (raise :class:`Interrupted`) if a stop was asked for."""
        if self.exit_code is not None:
            name = "Terminated" if self.exit_code == EXIT_SIGTERM else "Interrupted"
            raise Interrupted(self.exit_code, name)


@contextmanager
def signals_stop_runs(stop: StopRequest) -> Iterator[None]:
    """For the block, SIGINT and SIGTERM ask the runs that check ``stop`` to stop at their next safe point."""

    def handle(signum: int, frame: FrameType | None) -> None:
        code = EXIT_SIGTERM if signum == signal.SIGTERM else EXIT_SIGINT
        if stop.exit_code is not None:
            raise Interrupted(code, "Stopped at once")
        stop.ask(code)
        print("Stopping before the next action, once the evidence is written (again: stop at once)", file=sys.stderr)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
