"""The ways the Plex screens may look, as settings.

The spec (section "variation" lines) lists every point where the live site could go more
than one way. Each is a field here, and the named presets cover every pair of choices
at least once, so a page object that passes on all presets survives each variation.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields, replace
from typing import Literal, get_args

Heading = Literal["plex-home", "users-sharing"]
Reveal = Literal["css", "script"]
PinInput = Literal["single", "digits"]


@dataclass(frozen=True)
class Variant:
    """One combination of the spec's variation lines (plus drift switches for regression checks)."""

    name: str = "classic"
    #: Sidebar entry and page heading: "Plex Home" or "Users & Sharing".
    heading: Heading = "plex-home"
    #: How hovering a user row reveals "Edit PIN": CSS :hover, or script on mouseenter with
    #: the whole list re-rendered into new DOM nodes (on hover and on a periodic refresh).
    reveal: Reveal = "css"
    #: PIN entry in the dialogs: one input labelled "PIN", or four single-digit boxes.
    pin_input: PinInput = "single"
    #: Confirm Current PIN submits itself on the fourth digit instead of showing "Continue".
    auto_submit: bool = False
    #: Sign-in first offers provider buttons and "Continue with Email".
    email_step: bool = True
    #: The PIN Reset page has a "Confirm New PIN" field that must match.
    confirm_new_pin: bool = False
    #: Drift on purpose, for regression checks: the row control reads this instead of "Edit PIN".
    edit_pin_label: str = "Edit PIN"
    #: Drift on purpose: the Edit PIN dialog has no Remove control at all.
    drop_remove: bool = False

    @property
    def heading_text(self) -> str:
        return "Plex Home" if self.heading == "plex-home" else "Users & Sharing"

    def css(self, block: str, element: str) -> str:
        """A CSS-module style class name whose hash changes with the variant, as per release."""
        digest = hashlib.sha1(f"{self.name}:{block}:{element}".encode()).hexdigest()
        return f"{block}-{element}-{digest[:6]}"

    def describe(self) -> str:
        parts = [f"{f.name}={getattr(self, f.name)}" for f in fields(self) if f.name != "name"]
        return f"{self.name} ({', '.join(parts)})"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


PRESETS: dict[str, Variant] = {
    "classic": Variant(name="classic"),
    "modern": Variant(
        name="modern",
        heading="users-sharing",
        reveal="script",
        pin_input="digits",
        auto_submit=True,
        email_step=False,
        confirm_new_pin=True,
    ),
    "hybrid": Variant(
        name="hybrid",
        heading="plex-home",
        reveal="script",
        pin_input="digits",
        auto_submit=False,
        email_step=True,
        confirm_new_pin=True,
    ),
    "compact": Variant(
        name="compact",
        heading="users-sharing",
        reveal="css",
        pin_input="single",
        auto_submit=True,
        email_step=False,
        confirm_new_pin=False,
    ),
}


def variant(name: str, **overrides: object) -> Variant:
    """A preset by name, with individual settings overridden (``None`` leaves one as is)."""
    try:
        base = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown variant {name!r}; choose one of: {', '.join(PRESETS)}") from None
    changes = {k: v for k, v in overrides.items() if v is not None}
    allowed = {"heading": get_args(Heading), "reveal": get_args(Reveal), "pin_input": get_args(PinInput)}
    for key, value in changes.items():
        if key in allowed and value not in allowed[key]:
            raise ValueError(f"{key.replace('_', '-')} must be one of: {', '.join(allowed[key])} (not {value!r})")
    return replace(base, **changes) if changes else base  # type: ignore[arg-type]
