"""Page objects announce the element they are about to act on, so evidence can show it.

A recorder subscribes while a step runs and takes an annotated screenshot of the element;
with nobody subscribed, announcing costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from playwright.sync_api import Locator

Listener = Callable[[Locator], None]
_listeners: list[Listener] = []


def acting_on(locator: Locator) -> Locator:
    """Announce ``locator`` as the element the next action uses; returns it for chaining."""
    for listener in list(_listeners):
        listener(locator)
    return locator


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Hear every ``acting_on`` while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
