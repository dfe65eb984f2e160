"""Page objects announce the element they are about to act on, so evidence can show it.

Everything page objects record belongs to one run, in an :class:`ActionScope` that the engine
opens for the run: who listens to ``acting_on``, which named locators were used (for drift
reports), and how long ``expect`` waits. The scope lives in a context variable, so runs in
different threads of one process never see each other's. Outside any scope (page objects
used on their own), announcing costs nothing and ``expect`` keeps Playwright's default.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from playwright.sync_api import APIResponse, Expect, Locator, Page
    from playwright.sync_api._generated import APIResponseAssertions, LocatorAssertions, PageAssertions

Listener = Callable[["Locator"], None]

#: How long ``expect`` waits outside a run: Playwright's default.
_EXPECT_DEFAULT_MS = 5000
#: How long :func:`first_visible` waits for each candidate, round by round (the last repeats).
_ROUNDS_MS = (100, 250, 500, 1000)


@dataclass(frozen=True)
class _Subscription:
    listener: Listener
    #: Hears only the actions the article names, which a step's screenshot may show.
    shown_only: bool = False


#: How many named locators a scope remembers, most recent last.
_USED_KEPT = 100


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


@dataclass
class ActionScope:
    """What page objects record for one run."""

    #: Who hears ``acting_on``, oldest subscriber first.
    listeners: list[_Subscription] = field(default_factory=list)
    #: The named locators used since the last :meth:`forget_used`, oldest first.
    used: list[UsedLocator] = field(default_factory=list)
    #: ``expect`` for this run, with the run's timeout.
    expect: Expect = field(default_factory=lambda: _new_expect())
    #: How long this run's assertions wait (None: Playwright's default).
    timeout_ms: float | None = None
    #: What the flow last waited for or acted on (several: whichever came first), so a drift
    #: report blames a locator the failing wait was about, not one the page has since left.
    awaited: tuple[Locator, ...] = ()

    def set_timeout(self, timeout_ms: float) -> None:
        """How long this run's ``expect`` assertions wait."""
        self.timeout_ms = timeout_ms
        self.expect.set_options(timeout=timeout_ms)

    def forget_used(self) -> None:
        self.used.clear()
        self.awaited = ()


_scope: ContextVar[ActionScope | None] = ContextVar("plexbook_action_scope", default=None)


def _new_expect() -> Expect:
    # Playwright is imported on first use: listing runbooks needs none of it.
    from playwright.sync_api import Expect

    return Expect()


def current_scope() -> ActionScope | None:
    """The scope of the run going on in this thread, if any."""
    return _scope.get()


@contextmanager
def action_scope() -> Iterator[ActionScope]:
    """A fresh scope for one run; it still hears the listeners of the scope around it."""
    outer = _scope.get()
    scope = ActionScope(listeners=list(outer.listeners) if outer is not None else [])
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def acting_on(locator: Locator, *, shown: bool = True) -> Locator:
    """Announce ``locator`` as the element the next action uses; returns it for chaining.

    ``shown=False`` marks an action that only leads up to the one the article names
    (hovering a row, opening a menu, clicking into a field): a step's screenshot shows the
    control the article names, so no screenshot is taken for these.
    """
    scope = _scope.get()
    if scope is not None:
        scope.awaited = (locator,)
        for subscription in list(scope.listeners):
            if shown or not subscription.shown_only:
                subscription.listener(locator)
    return locator


@contextmanager
def listening(listener: Listener, *, shown_only: bool = False) -> Iterator[None]:
    """Hear ``acting_on`` in this thread's run while the block runs (and in runs it starts).

    ``shown_only`` hears only the actions a step's screenshot may show.
    """
    subscription = _Subscription(listener, shown_only)
    with _scope_or_new(_scope.get()) as scope:
        scope.listeners.append(subscription)
        try:
            yield
        finally:
            scope.listeners.remove(subscription)


@contextmanager
def _scope_or_new(scope: ActionScope | None) -> Iterator[ActionScope]:
    """``scope`` itself, or a new one for the block when there is none."""
    if scope is not None:
        yield scope
        return
    with action_scope() as fresh:
        yield fresh


@overload
def expect(actual: Locator, message: str | None = None) -> LocatorAssertions: ...
@overload
def expect(actual: Page, message: str | None = None) -> PageAssertions: ...
@overload
def expect(actual: APIResponse, message: str | None = None) -> APIResponseAssertions: ...
def expect(
    actual: Locator | Page | APIResponse, message: str | None = None
) -> LocatorAssertions | PageAssertions | APIResponseAssertions:
    """Playwright's ``expect``, waiting as long as this thread's run says (5 s outside a run)."""
    from playwright.sync_api import Locator

    scope = _scope.get()
    if scope is not None and isinstance(actual, Locator):
        scope.awaited = (actual,)
    return (scope.expect if scope is not None else _new_expect())(actual, message)


def first_visible(*candidates: Locator) -> int:
    """Wait, as long as ``expect`` would, until one of ``candidates`` is visible; its index.

    For locators that cannot be combined into one (``Locator.or_``), as Playwright keeps such a
    locator within one frame: each is waited on in turn, a little longer each round, the way
    Playwright's own retries back off. Raises AssertionError when none shows in time.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    scope = _scope.get()
    if scope is not None:
        scope.awaited = candidates
    budget_s = (scope.timeout_ms if scope is not None and scope.timeout_ms else _EXPECT_DEFAULT_MS) / 1000
    deadline = time.monotonic() + budget_s
    rounds = itertools.chain(_ROUNDS_MS, itertools.repeat(_ROUNDS_MS[-1]))
    # In a trace, the short waits that time out on purpose read as part of one wait.
    title = f"wait for the first of {len(candidates)} to show, each in turn (the timeouts inside are expected)"
    with trace_group(candidates[0].page, title):
        while time.monotonic() < deadline:
            round_ms = next(rounds)
            for index, candidate in enumerate(candidates):
                left_ms = (deadline - time.monotonic()) * 1000
                if left_ms <= 0:
                    break
                try:
                    candidate.wait_for(state="visible", timeout=min(round_ms, left_ms))
                except PlaywrightTimeoutError:
                    continue
                return index
    raise AssertionError(f"none of {len(candidates)} locators was visible within {budget_s:g} s")


# -- clicks an overlay may take -----------------------------------------------------------------
# Watches the next trusted click in the page: did it reach the watched control? An overlay that
# arrives after Playwright checked the press and before the release takes the release, and the
# browser then sends the click to what both share, never to the control.
_WATCH = """el => {
  const w = window;
  w.__plexbookClick = { el, reached: null };
  if (w.__plexbookWatching) return;
  w.__plexbookWatching = true;
  w.addEventListener("click", (event) => {
    const watched = w.__plexbookClick;
    if (event.isTrusted && watched && watched.reached === null) {
      watched.reached = event.composedPath().includes(watched.el);
    }
  }, true);
}"""
_REACHED = """() => {
  const watched = window.__plexbookClick;
  window.__plexbookClick = null;
  return watched ? watched.reached : null;
}"""
#: How many clicks one control gets when each is lost.
MOST_CLICKS = 3


def click_reaching(locator: Locator) -> bool:
    """Click ``locator`` (a control of the page itself, not of a frame); False only when the
    click surely never reached it: the release landed on an overlay that arrived mid-click.

    True as well when that cannot be told (the page went on to another document), so a caller
    that clicks again on False never clicks twice what one click already did.
    """
    from playwright.sync_api import Error as PlaywrightError

    locator.evaluate(_WATCH)
    locator.click()
    try:
        return locator.page.evaluate(_REACHED) is not False
    except PlaywrightError:  # the click navigated: it reached something that leads away
        return True


def click_until_reached(locator: Locator, what: str) -> None:
    """Click a control that only leads somewhere (Settings, a sidebar entry), again when a
    click was lost to an overlay arriving mid-click: once the overlay is closed, a second click
    does what the first would have. Never for a click that changes anything in Plex."""
    again = f"the click on {what} was lost to an overlay arriving mid-click: clicking it again"
    for attempt in range(MOST_CLICKS):
        with trace_group(locator.page, again) if attempt else nullcontext():
            if click_reaching(locator):
                return


@contextmanager
def trace_group(page: Page, title: str) -> Iterator[None]:
    """The block's calls, under one titled group in the page's trace."""
    tracing = page.context.tracing
    tracing.group(title)
    try:
        yield
    finally:
        with suppress(Exception):  # a browser that went away has no trace to close a group in
            tracing.group_end()


# -- which locators a flow used, for drift reports ----------------------------------------------
LocatorGetter = Callable[[Any], "Locator"]


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
        scope = _scope.get()
        if scope is not None:
            scope.used.append(UsedLocator(self.name, locator, owner, self.what, self.optional))
            del scope.used[:-_USED_KEPT]
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
    """The named locators this thread's run used since its last ``forget_used``, oldest first."""
    scope = _scope.get()
    return list(scope.used) if scope is not None else []


def awaited_locators() -> tuple[Locator, ...]:
    """What this thread's run last waited for or acted on (see :attr:`ActionScope.awaited`)."""
    scope = _scope.get()
    return scope.awaited if scope is not None else ()
