"""Step screenshots that read like the article, drawn by the browser as it takes them.

The element acted on is outlined in Plex orange and the step's sentence is laid over the
page in a caption band, both by a stylesheet Playwright applies for the length of the
screenshot only. The browser encodes each picture once; nothing decodes it again.

The mark stays on the element after its picture (the next mark moves it): taking it off
would cost a round trip per screenshot, and without the stylesheet it draws nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

ACCENT = "#e5a00d"
#: What a masked area is painted with in a step screenshot: secrets and personal data alike.
MASK_COLOR = "#4a4a4a"
#: Fields that hold an email as it is typed (the sign-in form's).
EMAIL_FIELDS = "input[type=email], input[autocomplete=username], input[autocomplete=email]"
#: The attribute that marks the element acted on while its screenshot is taken.
MARK = "data-plexbook-acted"
#: How long marking waits for a control the page has not drawn yet. Short: a step acts on a
#: screen it has waited for, so a control still missing is usually drift, and the action
#: waits its own timeout after this one before it says so.
MARK_TIMEOUT_MS = 500

_MARK_SCRIPT = """(el, mark) => {
  for (const old of document.querySelectorAll(`[${mark}]`)) old.removeAttribute(mark);
  el.setAttribute(mark, "");
  const box = el.getBoundingClientRect();
  return box.top + box.height / 2;
}"""
#: The same in one round trip, when exactly one element matches already (null otherwise).
_MARK_ONE_SCRIPT = f"(els, mark) => els.length === 1 ? ({_MARK_SCRIPT})(els[0], mark) : null"


def mark(locator: Locator) -> float | None:
    """Mark the element for the outline; returns its vertical middle, or None if it is not there yet."""
    try:
        # Usually the step has waited for its control already: one round trip marks it. Else
        # wait for it, strictly, as the action will (three round trips).
        middle = locator.evaluate_all(_MARK_ONE_SCRIPT, MARK)
        if middle is None:
            middle = locator.evaluate(_MARK_SCRIPT, MARK, timeout=MARK_TIMEOUT_MS)
    except PlaywrightError:
        return None
    return float(middle)


def step_screenshot(page: Page, caption: str, acted_on: Locator | None, masked: Sequence[Locator]) -> bytes:
    """The picture of a step: ``caption`` in a band, ``acted_on`` outlined, what ``masked`` finds painted over.

    The band goes to the top when the element is in the lower part of the page, so it never
    hides what the step is about.
    """
    middle = mark(acted_on) if acted_on is not None else None
    viewport = page.viewport_size
    height = viewport["height"] if viewport else 0
    style = screenshot_style(
        caption,
        outline=middle is not None,
        caption_on_top=middle is not None and middle > height * 0.6,
        page_width=viewport["width"] if viewport else None,
    )
    return page.screenshot(mask=list(masked), mask_color=MASK_COLOR, animations="disabled", style=style)


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def screenshot_style(
    caption: str, *, outline: bool = False, caption_on_top: bool = False, page_width: int | None = None
) -> str:
    """The stylesheet for one step screenshot: the caption band and, with ``outline``, the marked element's outline.

    The band sits at the bottom of the page, or at the top when the element acted on is in
    the lower part, so it never hides what the step is about. Without ``outline`` an
    element an earlier picture marked is left as the page draws it.

    Playwright applies the stylesheet inside iframes too (so an element marked in one is
    outlined). Given ``page_width``, the band is drawn only in a document that wide, the page
    itself, and not again inside a frame such as the sign-in form's.
    """
    edge, border = ("top", "bottom") if caption_on_top else ("bottom", "top")
    outlined = f"[{MARK}] {{ outline: 4px solid {ACCENT} !important; outline-offset: 3px !important; }}"
    band = f"""html::after {{
  content: {_css_string(caption)};
  position: fixed; left: 0; right: 0; {edge}: 0; z-index: 2147483647;
  padding: 10px 14px; background: #121212; color: #f0f0f0;
  border-{border}: 3px solid {ACCENT};
  font: 600 16px/1.35 system-ui, "DejaVu Sans", sans-serif; white-space: pre-wrap; pointer-events: none;
}}"""
    if page_width:
        band = f"@media (min-width: {page_width}px) {{\n{band}\n}}"
    return f"""
{band}
{outlined if outline else ""}
"""


def personal_data_mask(page: Page, personal: Iterable[str]) -> Locator | None:
    """Everything on ``page`` that shows one of ``personal`` (emails and usernames), for Playwright's
    screenshot ``mask``; None when there is nothing to look for.

    An email is found in any text that contains it, in any case ("Signed in as
    alex@example.com"); a username only as a word of its own, in its own case, so that
    "alex" does not hide the row of "Alex", whom the step is about. Email fields are masked
    too, for the sign-in form's.
    """
    found: Locator | None = None
    for value in sorted({v for v in personal if v}):
        if "@" in value:
            here = page.get_by_text(value)
        else:
            here = page.get_by_text(re.compile(rf"(?<![\w.@-]){re.escape(value)}(?![\w.@-])"))
        found = here if found is None else found.or_(here)
    if found is None:
        return None
    return found.or_(page.locator(EMAIL_FIELDS))
