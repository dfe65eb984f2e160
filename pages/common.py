"""Locator helpers every page object shares."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page

_NON_EMPTY = re.compile(r"\S")


def alert(scope: Page | Locator) -> Locator:
    """An alert that says something (Plex keeps empty alert regions on its forms)."""
    return scope.get_by_role("alert").filter(has_text=_NON_EMPTY)


def control(scope: Page | Locator, name: str) -> Locator:
    """A control by its text, whether Plex renders it as a button or as a link."""
    return scope.get_by_role("button", name=name, exact=True).or_(scope.get_by_role("link", name=name, exact=True))


def any_of(first: Locator, *others: Locator) -> Locator:
    """Whichever of these shows first: for waiting on one of several possible screens.

    Hidden matches are dropped and one element kept, so ``expect(...).to_be_visible()``
    neither trips strict mode nor settles on an element that stays hidden.
    """
    combined = first
    for other in others:
        combined = combined.or_(other)
    return combined.filter(visible=True).first
