"""The ways the Plex screens may look, as settings.

Every point where the contract (``plex-ui-spec.md``) leaves the live site open is a field
here: how a user row is built, what the Settings control is and where it sits, how "Edit PIN"
is revealed, how PIN boxes are labelled, whether an interstitial covers the app, and so on.
The named presets stay fixed, for tests and screenshots; :meth:`Variant.random` draws every
field independently from a seed, so a page object that passes on many seeds leans on nothing
the contract leaves open.
"""

from __future__ import annotations

import hashlib
import random as _random
import secrets
from dataclasses import asdict, dataclass, fields, replace
from typing import Literal, get_args, get_type_hints

from plexbook.choices import RANDOM, ErrorShape, FieldNames, Heading, PinInput, PinType, RefusalWords, Reveal

# Heading, Reveal, PinInput, FieldNames, PinType, ErrorShape and RefusalWords live with the command line's
# other choices, which names them without importing the sandbox.
#: Four digit boxes labelled one by one ("PIN digit 1"), or one label for the group.
DigitLabels = Literal["each", "group"]
#: The element a user row is: ``li`` in a list, ``div`` with no role, table row, ``article``.
RowShape = Literal["li", "div", "table", "article"]
#: The Settings control: a button or link with the text, an element with ``role=button``,
#: or an icon named only by ``aria-label`` or only by ``title``.
SettingsControl = Literal["button", "link", "role-button", "icon-label", "icon-title"]
SettingsPlace = Literal["top-bar", "account-menu"]
ControlKind = Literal["link", "button"]
#: The row's "Edit PIN" / "Set PIN" control: link, button, or icon button with an accessible name.
PinControl = Literal["link", "button", "icon"]
#: "PIN Required": plain text, a badge, or text split across spans next to an icon.
PinRequiredShape = Literal["text", "badge", "split"]
EmailLabel = Literal["Email", "Email or Username", "Username or Email"]
PinLabel = Literal["PIN", "New PIN", "Enter PIN"]
CurrentPinLabel = Literal["PIN", "Enter PIN", "Current PIN"]
PasswordLabel = Literal["Current Password", "Password", "Current password"]
ConfirmPinLabel = Literal["Confirm PIN", "Confirm New PIN"]
DialogPlace = Literal["portal", "inline"]
Promo = Literal["none", "streaming", "whats-new", "skip"]
#: When the promo arrives: a moment after the app, or as the first control is pressed (before
#: the release), the way a late overlay can land between a click's press and its release.
PromoArrival = Literal["after-load", "first-press"]
CookieBanner = Literal["none", "dismiss", "close", "not-now"]
HomeRoute = Literal["plex-home", "users"]

#: Ranges the random draw picks whole numbers from, for the numeric fields.
_RANGES: dict[str, tuple[int, int, int]] = {
    "row_wrappers": (0, 2, 1),
    "transition_ms": (0, 400, 50),
    "list_delay_ms": (0, 1500, 250),
}
#: Fields a random draw leaves as they are: the name, and drift switches that break flows on purpose.
_NOT_DRAWN = {"name", "edit_pin_label", "settings_label", "drop_remove"}


@dataclass(frozen=True)
class Variant:
    """One combination of the contract's open choices (plus drift switches for regression checks)."""

    name: str = "classic"
    #: Sidebar entry and page heading: "Plex Home" or "Users & Sharing".
    heading: Heading = "plex-home"
    #: The route of that page: ``#!/settings/plex-home`` or ``#!/settings/users``.
    home_route: HomeRoute = "plex-home"
    #: How hovering a user row reveals its PIN control (see :data:`Reveal`).
    reveal: Reveal = "visibility"
    #: The list re-renders into new DOM nodes every second, as Plex Web's polling does.
    rerender: bool = False
    #: PIN entry in the dialogs: one input, or four single-digit boxes.
    pin_input: PinInput = "single"
    digit_labels: DigitLabels = "each"
    #: Confirm Current PIN submits itself on the fourth digit instead of showing "Continue".
    auto_submit: bool = False
    #: Sign-in first offers provider buttons and "Continue with Email".
    email_step: bool = True
    email_label: EmailLabel = "Email or Username"
    #: The PIN Reset page has a second PIN field that must match.
    confirm_new_pin: bool = False
    #: The Edit PIN dialog asks for the new PIN twice.
    confirm_pin: bool = False
    confirm_pin_label: ConfirmPinLabel = "Confirm New PIN"
    current_pin_label: CurrentPinLabel = "PIN"
    #: The new PIN's label, in the Edit PIN dialog and on the PIN Reset page.
    pin_label: PinLabel = "New PIN"
    password_label: PasswordLabel = "Current Password"
    row: RowShape = "li"
    #: Extra elements around each row (or around its content, where the row must stay a list's child).
    row_wrappers: int = 0
    settings_control: SettingsControl = "icon-label"
    settings_place: SettingsPlace = "top-bar"
    #: The Settings sidebar's entries are links or buttons.
    sidebar_entry: ControlKind = "link"
    #: The sidebar is a ``navigation`` landmark, or a plain element.
    sidebar_landmark: bool = True
    pin_control: PinControl = "link"
    pin_required: PinRequiredShape = "text"
    remove_control: ControlKind = "button"
    dialog_place: DialogPlace = "portal"
    #: How long dialogs take to open and to close (a CSS transition).
    transition_ms: int = 0
    #: The user list shows a spinner this long before its rows.
    list_delay_ms: int = 0
    #: Rows that are not Home users: a pending invite, a guest whose name starts a member's.
    extra_rows: bool = False
    owner_last: bool = False
    #: An interstitial modal over the web app on load, and how its close control is named.
    promo: Promo = "none"
    cookie_banner: CookieBanner = "none"
    #: The sign-in form sits in an iframe named ``fedauth-iFrame`` on a page of its own, as
    #: www.plex.tv wraps it. Drawn last, so the seeds drawn before it keep their screens.
    sign_in_frame: bool = False
    #: How the sign-in fields, the PIN Reset page's fields and a single PIN input are named
    #: (digit boxes keep their own labels). This and the two below are drawn after
    #: ``sign_in_frame``, for the same reason.
    field_names: FieldNames = "label"
    pin_type: PinType = "password"
    #: How the forms and dialogs show a refusal: in an alert region, or as text with no role.
    error_shape: ErrorShape = "alert"
    #: Links (where the variant draws links) are anchors with no ``href``, followed by a script:
    #: they look and work alike but have no link role. Drawn after ``error_shape``.
    bare_links: bool = False
    #: The PIN entry draws its inputs anew (new elements, same names and values) as each digit is
    #: typed, as a component that re-renders its fields on every change. Drawn after ``bare_links``.
    pin_redraw: bool = False
    #: Icon controls (the Settings cog, the row's pencil) are anchors, with an ``href`` or,
    #: under ``bare_links``, without one and so with no role. Drawn after ``pin_redraw``.
    icon_links: bool = False
    #: What the sign-in form, the Confirm Current PIN dialog and the PIN Reset page say when they
    #: refuse the password or the PIN: the contract's words ("User could not be authenticated",
    #: "Incorrect PIN", "Incorrect password"), or their own. Drawn after ``icon_links``.
    refusal_words: RefusalWords = "contract"
    #: When the promo (if any) arrives (see :data:`PromoArrival`). Drawn after ``refusal_words``.
    promo_arrival: PromoArrival = "after-load"
    #: Drift on purpose, for regression checks: the row control reads this instead of "Edit PIN".
    edit_pin_label: str = "Edit PIN"
    #: Drift on purpose: the Settings control is named this instead of "Settings".
    settings_label: str = "Settings"
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

    def choices(self) -> list[str]:
        """One ``field=value`` line per setting, for printing what a random draw chose."""
        return [f"  {f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.name not in _NOT_DRAWN]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def random(cls, seed: int) -> Variant:
        """Every open choice drawn independently from ``seed``; the same seed draws the same screens."""
        rng = _random.Random(seed)
        hints = get_type_hints(cls)
        drawn: dict[str, object] = {}
        for f in fields(cls):
            if f.name in _NOT_DRAWN:
                continue
            hint = hints[f.name]
            if hint is bool:
                drawn[f.name] = rng.random() < 0.5
            elif f.name in _RANGES:
                low, high, step = _RANGES[f.name]
                drawn[f.name] = rng.randrange(low, high + 1, step)
            else:
                drawn[f.name] = rng.choice(get_args(hint))
        return cls(name=f"random-{seed}", **drawn)  # type: ignore[arg-type]


PRESETS: dict[str, Variant] = {
    "classic": Variant(name="classic"),
    "modern": Variant(
        name="modern",
        heading="users-sharing",
        reveal="script",
        rerender=True,
        pin_input="digits",
        auto_submit=True,
        email_step=False,
        confirm_new_pin=True,
    ),
    "hybrid": Variant(
        name="hybrid",
        heading="plex-home",
        reveal="script",
        rerender=True,
        pin_input="digits",
        auto_submit=False,
        email_step=True,
        confirm_new_pin=True,
    ),
    "compact": Variant(
        name="compact",
        heading="users-sharing",
        reveal="visibility",
        pin_input="single",
        auto_submit=True,
        email_step=False,
        confirm_new_pin=False,
    ),
}

#: The name that draws a random variant instead of a preset.


def new_seed() -> int:
    """A fresh seed for a random variant, small enough to type back in with ``--seed``."""
    return secrets.randbelow(1_000_000)


def variant(name: str, seed: int | None = None, **overrides: object) -> Variant:
    """A preset by name (or ``random`` from ``seed``), with settings overridden (``None`` leaves one as is)."""
    if name == RANDOM:
        base = Variant.random(new_seed() if seed is None else seed)
    else:
        try:
            base = PRESETS[name]
        except KeyError:
            raise ValueError(f"unknown variant {name!r}; choose one of: {', '.join([*PRESETS, RANDOM])}") from None
    changes = {k: v for k, v in overrides.items() if v is not None}
    hints = get_type_hints(Variant)
    for key, value in changes.items():
        allowed = get_args(hints[key])
        if allowed and value not in allowed:
            options = ", ".join(str(a) for a in allowed)
            raise ValueError(f"{key.replace('_', '-')} must be one of: {options} (not {value!r})")
    return replace(base, **changes) if changes else base  # type: ignore[arg-type]
