"""Page objects announce the element they are about to act on, so evidence can show it.

A recorder subscribes while a step runs and takes an annotated screenshot of the element;
with nobody subscribed, announcing costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, overload

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
@dataclass(frozen=True)
class UsedLocator:
    """A page object's locator, as a flow used it: enough to say in words what went missing."""

    #: ``Class.name``, the line of ``pages/`` to change.
    name: str
    locator: Locator
    #: The page object that built it (its ``where`` says which screen or row, in words).
    owner: object
    #: What the locator looks for, in words ("an "Edit PIN" or "Set PIN" control"); empty: say it from the selector.
    what: str = ""


#: The named locators used, most recent last.
_used: list[UsedLocator] = []
_USED_KEPT = 100
LocatorGetter = Callable[[Any], Locator]


@overload
def named_locator(fn: LocatorGetter, /) -> property: ...
@overload
def named_locator(what: str, /) -> Callable[[LocatorGetter], property]: ...
def named_locator(fn_or_what: LocatorGetter | str, /) -> property | Callable[[LocatorGetter], property]:
    """``@property`` for a page object's locator that also remembers it was used, by name.

    When a step fails, the drift report looks back over these to say which locator of which
    page object no longer finds anything (``EditPinDialog.remove_button``). Written as
    ``@named_locator('"Remove" control')``, it also says what it looks for, for people.
    """
    if isinstance(fn_or_what, str):
        return lambda fn: _named(fn, fn_or_what)
    return _named(fn_or_what, "")


def _named(fn: LocatorGetter, what: str) -> property:
    name = fn.__qualname__

    def get(self: object) -> Locator:
        locator = fn(self)
        _used.append(UsedLocator(name, locator, self, what))
        del _used[:-_USED_KEPT]
        return locator

    get.named_locator = name  # type: ignore[attr-defined]
    return property(get, doc=fn.__doc__)


def used_locators() -> list[UsedLocator]:
    """The named locators used since the last :func:`forget_used`, oldest first."""
    return list(_used)


def forget_used() -> None:
    _used.clear()
