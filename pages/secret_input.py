"""The one way page objects type secrets (PINs, passwords, codes) into the page, and where PINs go."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plexbook.pages.actions import acting_on
from plexbook.pages.common import entry

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from plexbook.secrets import Secret

#: A PIN entry's name, in any of the wordings seen or guessed ("PIN", "New PIN", "Enter PIN",
#: "PIN digit 1"), but not the second entry some releases add to confirm the first.
PIN_ENTRY = re.compile(r"^(?!.*confirm).*\bPIN\b", re.IGNORECASE)
#: The confirming entry: "Confirm PIN", "Confirm New PIN".
CONFIRM_ENTRY = re.compile(r"confirm.*\bPIN\b", re.IGNORECASE)
#: The attribute a field gets before a secret is typed into it. The run's evidence paints
#: every field so marked as discs and masks it in step screenshots, whatever its markup: a
#: PIN input may be a plain text or number field with nothing else to say it holds a secret.
SECRET_MARK = "data-plexbook-secret"
_MARK = f"field => field.setAttribute({SECRET_MARK!r}, '')"


def pin_boxes(scope: Page | Locator, name: re.Pattern[str]) -> Locator:
    """The boxes of one PIN entry, in order: one input, or four digit boxes.

    Digit boxes are labelled one by one ("PIN digit 1") in some releases and as a group
    ("PIN" on a fieldset or ``role=group``) in others; both are found by the entry's name. The
    input's type is open too: a number field is a spin button, not a text box.
    """
    return entry(scope, name).or_(entry(scope.get_by_role("group", name=name)))


def mark_secret(fields: Locator) -> None:
    """Mark every field ``fields`` finds now as one that holds a secret (:data:`SECRET_MARK`)."""
    fields.evaluate_all(f"fields => fields.forEach({_MARK})")


def enter_secret(field: Locator, secret: Secret, *, key_by_key: bool = True, marked: bool = False) -> None:
    """Type ``secret`` into ``field``, key by key unless ``key_by_key`` is False.

    Key by key, because Plex's four-digit PIN boxes (and code boxes) move focus along as
    each digit is typed; typing into the first box fills them all, and one input takes it
    whole. A password field is one plain input, filled at once. The field is marked as
    secret first (``marked``: the caller has marked it, and any boxes it moves focus along).
    """
    if not marked:
        # Waits for the field, as typing would: it is marked before anything is typed.
        field.evaluate(_MARK)
    if not key_by_key:
        acting_on(field, shown=False).fill(secret.reveal())
        return
    # Typing focuses the field first, as clicking into it would.
    acting_on(field, shown=False).press_sequentially(secret.reveal())


def enter_pin(scope: Page | Locator, pin: Secret, *, may_confirm: bool = True) -> None:
    """Type ``pin`` into the entry, and again into the confirming entry where there is one.

    ``may_confirm=False`` where the contract has no confirming entry (the current PIN is
    typed once), so nothing is asked of the page about one.
    """
    boxes = pin_boxes(scope, PIN_ENTRY)
    mark_secret(boxes)
    enter_secret(boxes.first, pin, marked=True)
    if not may_confirm:
        return
    confirming = pin_boxes(scope, CONFIRM_ENTRY)
    if confirming.count():
        mark_secret(confirming)
        enter_secret(confirming.first, pin, marked=True)
