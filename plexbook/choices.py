"""The fixed choices commands take, as types: help lists them and the parser checks them.

Kept apart from the modules that use them, so the command line can name them without
importing a browser.
"""

from __future__ import annotations

from typing import Literal, get_args

#: When a run keeps its Playwright trace.
TraceMode = Literal["on", "off", "retain-on-failure"]
#: Playwright's browsers.
BrowserName = Literal["chromium", "firefox", "webkit"]
#: The sandbox's screen presets, and "random" for a drawn mix (see plexbook.sandbox.variants).
VariantName = Literal["classic", "modern", "hybrid", "compact", "random"]


def choices(kind: object) -> tuple[str, ...]:
    """The values of one of the Literal types above."""
    return tuple(get_args(kind))
