"""The two PIN dialogs: Confirm Current PIN and Edit PIN.

Both accept a PIN as one input or as four single-digit boxes (labelled one by one or as a
group), Edit PIN may ask for the new PIN twice, and Confirm Current PIN may submit itself on
the fourth digit instead of offering "Continue"; the methods here work on each of those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plexbook.pages.actions import acting_on, expect, named_locator
from plexbook.pages.common import answer_in_own_words, any_of, control, refusal, shown_lines
from plexbook.pages.errors import PinRefused, UnexpectedScreen
from plexbook.pages.secret_input import PIN_ENTRY, enter_pin, pin_boxes

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import Locator, Page

    from plexbook.secrets import Secret

#: The dialogs' refusals, in the contract's words: a wrong current PIN, or a new one that will not do.
REFUSED = ("Incorrect PIN", "PIN must be 4 digits", "PINs do not match")


class _PinDialog:
    title = ""
    #: Whether the dialog may ask for the PIN twice (Edit PIN's new PIN; never the current one).
    may_confirm = True

    def __init__(self, page: Page) -> None:
        self.page = page
        self.where = f"the {self.title} dialog"

    @named_locator
    def root(self) -> Locator:
        return self.page.get_by_role("dialog", name=self.title)

    @named_locator("PIN entry")
    def pin_fields(self) -> Locator:
        """The PIN input, or the four digit boxes, of the (first) PIN entry."""
        return pin_boxes(self.root, PIN_ENTRY)

    @named_locator("error message", optional=True)
    def error(self) -> Locator:
        return refusal(self.root, *REFUSED)

    @named_locator
    def cancel_button(self) -> Locator:
        return control(self.root, "Cancel")

    def enter_pin(self, pin: Secret) -> None:
        """Type the PIN, and again where the dialog asks to confirm it."""
        expect(self.pin_fields.first).to_be_editable()
        enter_pin(self.root, pin, may_confirm=self.may_confirm)

    def cancel(self) -> None:
        acting_on(self.cancel_button).click()
        expect(self.root).to_be_hidden()


class ConfirmPinDialog(_PinDialog):
    """Asks for the user's current PIN before Edit PIN opens (protected, non-managed users)."""

    title = "Confirm Current PIN"
    may_confirm = False

    def __init__(self, page: Page, shown: Sequence[str] | None = None) -> None:
        """``shown``: the lines the dialog showed as it opened, where the caller read them."""
        super().__init__(page)
        self.shown = shown

    @named_locator('"Continue" button', optional=True)
    def continue_button(self) -> Locator:
        return control(self.root, "Continue")

    def confirm(self, pin: Secret) -> EditPinDialog:
        """Enter the current PIN once. Raises :class:`PinRefused` if Plex refuses it.

        Never retried: a refused PIN ends the flow, so nothing ever guesses. A dialog that
        still asks for the PIN after the whole wait, saying something new, has refused it in
        words the contract does not give: those words are Plex's message.
        """
        shown = self.shown if self.shown is not None else shown_lines(self.root)
        self.enter_pin(pin)
        # Some releases submit on the fourth digit and have no "Continue" at all.
        if self.continue_button.count():
            acting_on(self.continue_button).click()
        edit = EditPinDialog(self.page)
        try:
            expect(any_of(edit.root, self.error)).to_be_visible()
        except AssertionError:
            said = answer_in_own_words(self.root, shown, self.pin_fields.first)
            if not said:
                raise
            raise PinRefused(f"{said} (the {self.title} dialog still asks for the PIN)") from None
        if self.error.is_visible():
            raise PinRefused(self.error.inner_text().strip())
        return edit


class EditPinDialog(_PinDialog):
    """Sets a new PIN (Save) or removes the current one (Remove, under the avatar)."""

    title = "Edit PIN"

    @named_locator('"Remove" control')
    def remove_button(self) -> Locator:
        return control(self.root, re.compile(r"^Remove( PIN)?$"))

    @named_locator
    def save_button(self) -> Locator:
        return control(self.root, "Save")

    def remove(self) -> None:
        """Click Remove. Plex shows no confirmation: the dialog just closes."""
        acting_on(self.remove_button).click()
        self._closed()

    def set_pin(self, pin: Secret) -> None:
        """Type a new PIN and Save."""
        self.enter_pin(pin)
        acting_on(self.save_button).click()
        self._closed()

    def _closed(self) -> None:
        """Wait for the dialog to close; if it stays open, report what it says instead.

        An error it shows ends the wait at once: Plex will not close it after that.
        """
        try:
            expect(self.root.filter(has_not=refusal(self.page, *REFUSED))).to_be_hidden()
        except AssertionError:
            raise UnexpectedScreen(f"the {self.title} dialog stayed open (no message)") from None
        if self.root.is_visible():
            said = self.error.inner_text().strip() if self.error.count() else "no message"
            raise UnexpectedScreen(f"the {self.title} dialog stayed open ({said})")
