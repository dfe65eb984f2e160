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
RANDOM = "random"
#: The sandbox's Settings page name.
Heading = Literal["plex-home", "users-sharing"]
#: How hovering a row reveals its PIN control: CSS ``display``, script (the row re-renders
#: with the control only while hovered), CSS ``opacity`` or CSS ``visibility``.
Reveal = Literal["css", "script", "opacity", "visibility"]
#: One PIN input, or four digit boxes.
PinInput = Literal["single", "digits"]
#: How a form field is named: by a ``<label>``, by ``aria-label``, or by its placeholder alone.
FieldNames = Literal["label", "aria-label", "placeholder"]
#: A PIN input's type: masked, plain text, or a number field (a spin button, not a text box).
PinType = Literal["password", "text", "number"]
#: How a refusal ("Incorrect PIN", "User could not be authenticated") shows: an alert, or plain text.
ErrorShape = Literal["alert", "text"]
#: What a refusal says: the contract's words, or other words that mean the same (the contract
#: guesses the dialogs' and pages' wordings).
RefusalWords = Literal["contract", "own"]


def choices(kind: object) -> tuple[str, ...]:
    """The values of one of the Literal types above."""
    return tuple(get_args(kind))
