"""Interstitials Plex Web shows over the app (a promo, "what's new", a cookie banner).

They are dismissed by their close control's accessible name and nothing else: a flow never
accepts, starts or learns more on the user's behalf. Playwright's locator handler runs the
dismissal whenever such a control is visible before an action or an assertion, so an overlay
that arrives late, or again after a reload, is closed where it appears.

The dismissal may run beside the flow's own actions: when the wait that set it off gives up
(a short wait of ``first_visible``), Playwright lets the flow go on while the handler is still
at work. So it closes an overlay by sending its close control a click event, never with the
mouse or the keyboard: two pointers pressing and releasing at once lose each other's clicks,
and a real click would also take the focus from the field the flow is typing in.
"""

from __future__ import annotations

import re
from contextlib import suppress

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from plexbook.pages.common import control

#: The close controls' names: "Close", "Dismiss", "Not now", "Skip", and Plex's own
#: "Close Streaming Services modal".
CLOSE = re.compile(r"^(Close|Dismiss|Not now|Skip)\b", re.IGNORECASE)

# A close control inside a dialog with an input belongs to a form the flow is filling (a PIN
# dialog with a close button): that one is the flow's to close, never the overlay handler's.
_IN_A_FORM_DIALOG = "el => { const d = el.closest('[role=dialog], dialog'); return !!(d && d.querySelector('input')); }"


#: Bounds on one dismissal: how many overlays may stack, how long one close may take.
_MOST_OVERLAYS = 4
_QUICK_MS = 5000
#: How long a close control listed a moment ago is looked for: an overlay may go by itself.
_GONE_MS = 1000


def close_controls(page: Page) -> Locator:
    """Every visible control named like an overlay's close control."""
    # Only controls with a role: a bare "Skip ..." anchor is more likely page text than a close.
    return control(page, CLOSE, bare_links=False).filter(visible=True)


def dismiss_interstitials(page: Page) -> None:
    """Close any interstitial as soon as it shows, for the rest of the page's life."""

    def close(_: Locator) -> None:
        # Playwright raises a handler's error from whichever call the flow makes next, about
        # anything at all. An error here means the page navigated, closed or moved on under
        # the handler, and the overlay with it; one that stays is met again at the next action.
        with suppress(PlaywrightError):
            _close_showing(page)

    page.add_locator_handler(close_controls(page).first, close, no_wait_after=True)


def _close_showing(page: Page) -> None:
    """Close the overlays showing now, the top one first."""

    # One at a time: closing one overlay can remove or renumber the others. The newest
    # overlay (last in the page) lies on top, so it is closed first, as a user would.
    for _attempt in range(_MOST_OVERLAYS):
        closers = [c for c in close_controls(page).all() if not c.evaluate(_IN_A_FORM_DIALOG, timeout=_QUICK_MS)]
        if not closers:
            return
        # An overlay that went by itself in the meantime is no error: the list is read again.
        with suppress(PlaywrightError):
            closers[-1].dispatch_event("click", timeout=_GONE_MS)
