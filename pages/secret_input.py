"""The one way page objects type secrets (PINs, passwords, codes) into the page."""

from __future__ import annotations

from playwright.sync_api import Locator

from pages.actions import acting_on
from plexbook.secrets import Secret


def enter_secret(field: Locator, secret: Secret) -> None:
    """Type ``secret`` into ``field`` key by key, as a person would.

    Key by key, because Plex's four-digit PIN boxes move focus along as each digit is
    typed; typing into the first box fills them all, and one input takes it whole.
    """
    acting_on(field).click()
    field.press_sequentially(secret.reveal())
