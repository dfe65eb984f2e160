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
    #: What it looks for, in words ('"Edit PIN" or "Set PIN" control'); empty: say it from the selector.
    what: str = ""
    #: Shown only sometimes (an error, "Continue"): its absence is no drift.
    optional: bool = False


#: The named locators used, most recent last.
_used: list[UsedLocator] = []
_USED_KEPT = 100
LocatorGetter = Callable[[Any], Locator]


class NamedLocator:
    """A page object's locator property that also remembers, by name, each time it is used."""

    def __init__(self, getter: LocatorGetter, what: str = "", optional: bool = False) -> None:
        self.getter = getter
        #: ``Class.name``, as drift reports say it.
        self.name = getter.__qualname__
        self.what = what
        self.optional = optional
        self.__doc__ = getter.__doc__

    @overload
    def __get__(self, owner: None, kind: type) -> NamedLocator: ...
    @overload
    def __get__(self, owner: object, kind: type | None = None) -> Locator: ...
    def __get__(self, owner: object | None, kind: type | None = None) -> Locator | NamedLocator:
        if owner is None:
            return self
        locator = self.getter(owner)
        _used.append(UsedLocator(self.name, locator, owner, self.what, self.optional))
        del _used[:-_USED_KEPT]
        return locator


@overload
def named_locator(getter: LocatorGetter, /) -> NamedLocator: ...
@overload
def named_locator(what: str, /, *, optional: bool = False) -> Callable[[LocatorGetter], NamedLocator]: ...
def named_locator(
    getter_or_what: LocatorGetter | str, /, *, optional: bool = False
) -> NamedLocator | Callable[[LocatorGetter], NamedLocator]:
    """A read-only locator property of a page object that also remembers it was used, by name.

    When a step fails, the drift report looks back over these to say which locator of which
    page object no longer finds anything (``EditPinDialog.remove_button``). Written as
    ``@named_locator('"Remove" control')``, it also says what it looks for, for people;
    ``optional=True`` marks what only some screens or moments show (an error, "Continue"),
    which drift reports never blame.
    """
    if isinstance(getter_or_what, str):
        what = getter_or_what
        return lambda getter: NamedLocator(getter, what, optional)
    return NamedLocator(getter_or_what)


def used_locators() -> list[UsedLocator]:
    """The named locators used since the last :func:`forget_used`, oldest first."""
    return list(_used)


def forget_used() -> None:
    _used.clear()
