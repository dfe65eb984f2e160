"""Step screenshots that read like the article, drawn by the browser as it takes them.

The element acted on is outlined in Plex orange and the step's sentence is laid over the
page in a caption band, both by a stylesheet Playwright applies for the length of the
screenshot only. The browser encodes each picture once; nothing decodes it again.
"""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

ACCENT = "#e5a00d"
#: The attribute that marks the element acted on while its screenshot is taken.
MARK = "data-plexbook-acted"
#: How long marking waits for the element: the action itself will wait and say so if it is missing.
MARK_TIMEOUT_MS = 2000

_MARK_SCRIPT = """(el, mark) => {
  for (const old of document.querySelectorAll(`[${mark}]`)) old.removeAttribute(mark);
  el.setAttribute(mark, "");
  const box = el.getBoundingClientRect();
  return box.top + box.height / 2;
}"""
_UNMARK_SCRIPT = "mark => { for (const el of document.querySelectorAll(`[${mark}]`)) el.removeAttribute(mark); }"


def mark(locator: Locator) -> float | None:
    """Mark the element for the outline; returns its vertical middle, or None if it is not there yet."""
    try:
        middle = locator.evaluate(_MARK_SCRIPT, MARK, timeout=MARK_TIMEOUT_MS)
    except PlaywrightError:
        return None
    return float(middle)


def unmark(page: Page) -> None:
    """Take the mark off again, so the page is as the app left it."""
    try:
        page.evaluate(_UNMARK_SCRIPT, MARK)
    except PlaywrightError:
        pass  # the page moved on or closed: the mark went with it


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def screenshot_style(caption: str, *, caption_on_top: bool = False) -> str:
    """The stylesheet for one step screenshot: the caption band and the marked element's outline.

    The band sits at the bottom of the page, or at the top when the element acted on is in
    the lower part, so it never hides what the step is about.
    """
    edge, border = ("top", "bottom") if caption_on_top else ("bottom", "top")
    return f"""
html::after {{
  content: {_css_string(caption)};
  position: fixed; left: 0; right: 0; {edge}: 0; z-index: 2147483647;
  padding: 10px 14px; background: #121212; color: #f0f0f0;
  border-{border}: 3px solid {ACCENT};
  font: 600 16px/1.35 system-ui, "DejaVu Sans", sans-serif; white-space: pre-wrap; pointer-events: none;
}}
[{MARK}] {{ outline: 4px solid {ACCENT} !important; outline-offset: 3px !important; }}
"""
