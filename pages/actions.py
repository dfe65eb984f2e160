"""Page objects announce the element they are about to act on, so evidence can show it.

A recorder subscribes while a step runs and takes an annotated screenshot of the element;
with nobody subscribed, announcing costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Locator

Listener = Callable[[Locator], None]
_listeners: list[Listener] = []


def acting_on(locator: Locator) -> Locator:
    """Announce ``locator`` as the element the next action uses; returns it for chaining."""
    for listener in _listeners:
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


# -- which locators a flow used, for drift reports ----------------------------------------------
#: (``Class.name``, locator, page object) for each named locator used, most recent last.
_used: list[tuple[str, Locator, object]] = []
_USED_KEPT = 100


def named_locator(fn: Callable[[Any], Locator]) -> property:
    """``@property`` for a page object's locator that also remembers it was used, by name.

    When a step fails, the drift report looks back over these to say which locator of which
    page object no longer finds anything (``EditPinDialog.remove_button``).
    """
    name = fn.__qualname__

    def get(self: object) -> Locator:
        locator = fn(self)
        _used.append((name, locator, self))
        del _used[:-_USED_KEPT]
        return locator

    return property(get, doc=fn.__doc__)


def used_locators() -> list[tuple[str, Locator, object]]:
    """The named locators used since the last :func:`forget_used`, oldest first."""
    return list(_used)


def forget_used() -> None:
    _used.clear()
