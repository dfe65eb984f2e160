"""The PIN Reset page: for the account owner who forgot their own PIN."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NoReturn

from plexbook.pages.actions import acting_on, expect, named_locator
from plexbook.pages.common import PASSWORD, answer_in_own_words, any_of, control, entry, refusal, shown_lines
from plexbook.pages.errors import PasswordRefused, UnexpectedScreen
from plexbook.pages.secret_input import PIN_ENTRY, enter_pin, enter_secret, pin_boxes

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from plexbook.secrets import Secret

UPDATED = re.compile(r"PIN has been updated", re.IGNORECASE)
#: The page's refusals, in the contract's words.
REFUSED = ("Incorrect password", "PIN must be 4 digits", "PINs do not match")


class PinResetPage:
    """The new PIN (twice, where the page asks), the current password, Update."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.where = "the PIN Reset page"

    @named_locator
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", name=re.compile(r"Reset PIN", re.IGNORECASE))

    @named_locator("new PIN entry")
    def new_pin(self) -> Locator:
        """The new PIN's entry, whatever its wording ("New PIN", "PIN", "Enter PIN")."""
        return pin_boxes(self.page, PIN_ENTRY)

    @named_locator("password field")
    def current_password(self) -> Locator:
        return entry(self.page, PASSWORD)

    @named_locator
    def update_button(self) -> Locator:
        return control(self.page, "Update")

    @named_locator("error message", optional=True)
    def error(self) -> Locator:
        return refusal(self.page, *REFUSED)

    @named_locator('"PIN has been updated" message', optional=True)
    def success(self) -> Locator:
        return self.page.get_by_text(UPDATED)

    def choose_pin(self, new_pin: Secret, password: Secret) -> None:
        """Fill the new PIN (twice where the page asks) and the current password."""
        expect(self.new_pin.first).to_be_visible()
        enter_pin(self.page, new_pin)
        self.fill_password(password)

    def fill_password(self, password: Secret) -> None:
        enter_secret(self.current_password, password, key_by_key=False)

    def update(self) -> None:
        """Click Update and wait for Plex's answer; a refusal raises with Plex's words."""
        shown = shown_lines(self.page.locator("body"))
        acting_on(self.update_button).click()
        try:
            expect(any_of(self.success, self.error)).to_be_visible()
        except AssertionError:
            # The contract guesses the page's words; one that still asks for the password after
            # the whole wait, saying something new, has answered in its own.
            said = answer_in_own_words(self.page.locator("body"), shown, self.current_password)
            if not said:
                raise
            self._refused(said, " (the page still asks for the password)")
        if self.error.is_visible():
            self._refused(self.error.inner_text().strip())

    def _refused(self, said: str, why: str = "") -> NoReturn:
        """Raise for the page's refusal ``said`` (``why``: how it was told one)."""
        if "password" in said.lower():
            raise PasswordRefused(said + why)
        raise UnexpectedScreen(f"the PIN Reset page answered: {said}{why}")
