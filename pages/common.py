"""Locator helpers every page object shares."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import Locator, Page

_NON_EMPTY = re.compile(r"\S")
#: A password field's name: "Password", "Current Password", "Current password".
PASSWORD = re.compile(r"\bpassword\b", re.IGNORECASE)
Name = str | re.Pattern[str]


def alert(scope: Page | Locator) -> Locator:
    """An alert that says something (Plex keeps empty alert regions on its forms)."""
    return scope.get_by_role("alert").filter(has_text=_NON_EMPTY)


def refusal(scope: Page | Locator, *wordings: str) -> Locator:
    """Where a form or dialog says it refused: an alert that says something, or an element that
    says one of the contract's wordings for the refusal and nothing else (a plain paragraph has
    no role at all; a hint such as "Your PIN must be 4 digits" is no refusal).

    One element, the first that shows: an alert and the words inside it may be two.
    """
    said = re.compile(r"^(?:" + "|".join(map(re.escape, wordings)) + r")[.!]?$")
    return alert(scope).or_(scope.get_by_text(said)).filter(visible=True).first


def shown_lines(scope: Locator) -> list[str]:
    """The lines of text ``scope`` shows now (what is typed into its fields is not among them)."""
    return lines_of(scope.inner_text())


def lines_of(text: str) -> list[str]:
    """``text``'s lines that say something, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def answer_in_own_words(scope: Locator, shown: Sequence[str], still_asks: Locator) -> str | None:
    """What a form or dialog that still asks for what it was given says now that it did not say
    in ``shown`` (its lines before it was submitted), lines joined by "; ".

    For when the wait for its answer in the contract's words ran out: the contract guesses
    those words, and a form that still asks (``still_asks`` shows) after the whole wait, saying
    something new, has answered in its own. None where it no longer asks; "" where it says
    nothing new, which is no answer at all.
    """
    if not still_asks.is_visible():
        return None
    return "; ".join(line for line in shown_lines(scope) if line not in shown)


def entry(scope: Page | Locator, name: Name | None = None) -> Locator:
    """A field to type into, by its accessible name (a label, ``aria-label``, ``title`` or a
    placeholder gives it; any name when None): a text box, or a spin button where the input
    is a number field."""
    return scope.get_by_role("textbox", name=name).or_(scope.get_by_role("spinbutton", name=name))


def control(
    scope: Page | Locator, name: Name, roles: Sequence[str] = ("button", "link"), *, bare_links: bool = True
) -> Locator:
    """A control by its accessible name, whichever of ``roles`` Plex renders it as.

    The contract names controls by what they say, not by what they are: "Edit PIN" is a link
    in one release and an icon button in the next, Settings a button or a link. A link may
    also be an anchor with no ``href`` that a script follows: it looks and works like a link
    but has no link role, so where links are looked for, such an anchor counts too when it
    says ``name`` and nothing else, or, drawn as an icon, is named so by its ``aria-label`` or
    ``title`` (``bare_links=False`` leaves them out).
    """
    exact = isinstance(name, str)
    found = scope.get_by_role(roles[0], name=name, exact=exact)  # type: ignore[arg-type]
    for role in roles[1:]:
        found = found.or_(scope.get_by_role(role, name=name, exact=exact))  # type: ignore[arg-type]
    if bare_links and "link" in roles:
        says = re.compile(f"^{re.escape(name)}$") if isinstance(name, str) else name
        bare = scope.locator("a:not([href])")
        named = scope.get_by_label(name, exact=exact).or_(scope.get_by_title(name, exact=exact))
        found = found.or_(bare.filter(has_text=says)).or_(bare.and_(named))
    return found


def any_of(first: Locator, *others: Locator) -> Locator:
    """Whichever of these shows first: for waiting on one of several possible screens.

    Hidden matches are dropped and one element kept, so ``expect(...).to_be_visible()``
    neither trips strict mode nor settles on an element that stays hidden.
    """
    combined = first
    for other in others:
        combined = combined.or_(other)
    return combined.filter(visible=True).first
