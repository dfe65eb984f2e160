"""Page objects: one class per Plex screen or dialog, located by role, label and text only.

Each class wraps a Playwright ``Page`` (or a dialog ``Locator``), exposes its regions as
read-only locator properties and offers the user's verbs as methods. A verb that leads to
another screen returns that screen's object. Verdicts are made with ``expect``.
"""

from plexbook.pages.errors import PinRefused, SignInRefused, UnexpectedScreen
from plexbook.pages.pin_dialogs import ConfirmPinDialog, EditPinDialog
from plexbook.pages.pin_reset import PinResetPage
from plexbook.pages.plex_home import PlexHomePage, UserRow
from plexbook.pages.sign_in import SignInPage
from plexbook.pages.web_app import WebApp

__all__ = [
    "ConfirmPinDialog",
    "EditPinDialog",
    "PinRefused",
    "PinResetPage",
    "PlexHomePage",
    "SignInPage",
    "SignInRefused",
    "UnexpectedScreen",
    "UserRow",
    "WebApp",
]
