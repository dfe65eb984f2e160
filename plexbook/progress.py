"""What a run tells whoever watches it, as it goes: steps starting and ending, sign-in's stages.

The engine and the recorder send :class:`Event` objects to the listener a command gives
(``RunSettings.progress``); how they are shown (a live display, plain lines, nothing) is the
command's business. Each event names its run, so runs side by side can share a listener.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["run-started", "step-started", "stage", "step-ended", "run-ended"]


@dataclass(frozen=True)
class Event:
    """One thing that happened in a run."""

    kind: EventKind
    #: The run, as people name it: "remove-pin for Jordan".
    run: str
    #: The step's number (the outcome check is the one after the article's last), and how many there are.
    number: int = 0
    total: int = 0
    #: The step's title in the article's words, or the stage ("signing in"), or the run's outcome.
    text: str = ""
    #: passed, failed or not run (step-ended); the run's status (run-ended).
    status: str = ""
    #: How long the step or stage took, or the run so far.
    seconds: float = 0.0
    #: The run's folder name: tells apart runs that people would name alike (two owners' reset-pin).
    run_id: str = ""


Listener = Callable[[Event], None]


def ignore(_event: Event) -> None:
    """The listener when nobody is watching."""


def shielded(listener: Listener) -> Listener:
    """``listener``, whose failure to show an event never reaches the run: a terminal that hung
    up, or a pipe whose reader went away, must not cost the run its evidence."""

    def tell(event: Event) -> None:
        try:
            listener(event)
        except (OSError, ValueError):  # ValueError: a stream that is closed already
            pass

    return tell
