"""Ctrl+C, SIGTERM and a hang-up (SIGHUP) as requests a run honours at its next safe point.

Raising from a signal handler can land inside Playwright's own pipe to its driver and
break the connection, and with it the evidence. So the first signal only asks the run to
stop; the run stops before its next action or step, checks what Plex now says if the
change may have been made, and finishes its evidence. A second signal stops at once.

A hang-up means the terminal is gone (an SSH connection dropped, a window closed): what
the run would still print there goes nowhere instead, since writing to a terminal that
hung up fails, and nothing must fail between the stop and the evidence.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType

from plexbook.errors import EXIT_SIGHUP, EXIT_SIGTERM, Interrupted

#: What a person at the terminal is told when a run is asked to stop.
STOP_MESSAGE = "Stopping before the next action, once the evidence is written (again: stop at once)"
#: How each stop is named, by its exit code.
_NAMES = {EXIT_SIGTERM: "Terminated", EXIT_SIGHUP: "Hung up"}


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
            raise Interrupted(self.exit_code, _NAMES.get(self.exit_code, "Interrupted"))


#: Whether this thread is waiting for a person at a prompt (see :func:`at_prompt`).
_at_prompt: ContextVar[bool] = ContextVar("plexbook_at_prompt", default=False)

#: The signals that ask a run to stop: SIGHUP only where there is one (not on Windows).
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def signals_stop_runs(stop: StopRequest) -> Iterator[None]:
    """For the block, SIGINT, SIGTERM and SIGHUP ask the runs that check ``stop`` to stop at their next safe point."""

    # Asked now: once a terminal has hung up, it no longer says it is one (isatty fails).
    terminal = terminal_streams()

    def handle(signum: int, frame: FrameType | None) -> None:
        code = 128 + signum
        if signum == getattr(signal, "SIGHUP", None):
            leave_terminal(terminal)
        if stop.exit_code is not None:
            raise Interrupted(code, "Stopped at once")
        stop.ask(code)
        if _at_prompt.get():
            # Waiting for a person is a safe point: nothing of Playwright's is in flight.
            stop.check()
        try:
            print(STOP_MESSAGE, file=sys.stderr)
        except (OSError, ValueError):
            pass  # nowhere to say it: the stop goes on all the same

    previous = {sig: signal.signal(sig, handle) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def at_prompt() -> Iterator[None]:
    """For the block, this thread waits for a person: a stop asked meanwhile ends the wait at
    once (the first Ctrl+C, not the second), since no browser action is under way."""
    token = _at_prompt.set(True)
    try:
        yield
    finally:
        _at_prompt.reset(token)


def terminal_streams() -> tuple[int, ...]:
    """The standard streams (0, 1, 2) that are a terminal."""
    return tuple(fd for fd in (0, 1, 2) if os.isatty(fd))


def leave_terminal(streams: tuple[int, ...]) -> None:
    """Point ``streams`` (those that were the terminal) at the null device: after a hang-up,
    reading or writing the terminal fails, and the run has evidence to finish."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    try:
        for fd in streams:
            try:
                os.dup2(null, fd)
            except OSError:
                pass  # a stream that is closed already
    finally:
        os.close(null)
