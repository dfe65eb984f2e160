"""Settings > Plex Home (called "Users & Sharing" in newer releases) and its user rows."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from pages.actions import acting_on, named_locator
from pages.common import any_of, control
from pages.pin_dialogs import ConfirmPinDialog, EditPinDialog

HOME_HEADING = re.compile(r"^(Plex Home|Users & Sharing)$")


class UserRow:
    """One user's row: avatar, name, "PIN Required" when protected, "Edit PIN" on hover."""

    def __init__(self, page: Page, title: str) -> None:
        self.page = page
        self.title = title

    @named_locator
    def root(self) -> Locator:
        # Re-resolved on every use, so a list that re-renders its rows does not strand us.
        return self.page.get_by_role("listitem").filter(has=self.page.get_by_text(self.title, exact=True))

    @named_locator
    def pin_required(self) -> Locator:
        return self.root.get_by_text("PIN Required", exact=True)

    @named_locator
    def edit_pin_link(self) -> Locator:
        return control(self.root, "Edit PIN")

    def hover(self) -> UserRow:
        """Point at the row, which reveals its "Edit PIN" control."""
        acting_on(self.root).hover()
        expect(self.edit_pin_link).to_be_visible()
        return self

    def edit_pin(self) -> ConfirmPinDialog | EditPinDialog:
        """Click "Edit PIN": Confirm Current PIN for a protected Plex user, else Edit PIN."""
        acting_on(self.edit_pin_link).click()
        confirm, edit = ConfirmPinDialog(self.page), EditPinDialog(self.page)
        expect(any_of(confirm.root, edit.root)).to_be_visible()
        return confirm if confirm.root.is_visible() else edit


class PlexHomePage:
    """The list of the Home's users, with "Create Managed Account" and "Invite Plex User"."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @named_locator
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", name=HOME_HEADING)

    def user(self, title: str) -> UserRow:
        return UserRow(self.page, title)
