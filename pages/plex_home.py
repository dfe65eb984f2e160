"""Settings > Plex Home (called "Users & Sharing" in newer releases) and its user rows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plexbook.pages.actions import acting_on, expect, named_locator
from plexbook.pages.common import any_of, control, lines_of
from plexbook.pages.pin_dialogs import ConfirmPinDialog, EditPinDialog

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import Locator, Page

HOME_HEADING = re.compile(r"^(Plex Home|Users & Sharing)$")
#: The row's hover control: "Edit PIN" on a user with a PIN, "Set PIN" on one without.
PIN_CONTROL = re.compile(r"^(Edit|Set) PIN$")


class UserRow:
    """One user's row: avatar, name, "PIN Required" when protected, "Edit PIN" / "Set PIN" on hover.

    The contract gives a row no role, tag or class, so a row is found by what it holds: the
    list is the innermost element that holds every Home user's name, and the user's row is
    the child of it that holds this user's name. Nothing else is assumed of its shape.
    """

    def __init__(self, page: Page, title: str, members: Sequence[str] = ()) -> None:
        self.page = page
        self.title = title
        #: Every Home user's name, this one included (from the API), to tell the list from the page.
        self.members = tuple(dict.fromkeys([title, *members]))
        self.where = f"{title}'s row"

    def _name(self, title: str) -> Locator:
        return self.page.get_by_text(title, exact=True)

    @named_locator
    def root(self) -> Locator:
        # Re-resolved on every use, so a list that re-renders its rows does not strand us.
        # Every element holding all the names is an ancestor of this user's name, so only
        # those are searched (document order: the innermost holder comes last).
        holder = self._name(self.title).locator("xpath=ancestor::*")
        for title in self.members:
            holder = holder.filter(has=self._name(title))
        if len(self.members) == 1:
            # A Home of one: the list is the innermost element holding the name and the heading.
            holder = holder.filter(has=self.page.get_by_role("heading", name=HOME_HEADING))
        return holder.last.locator(":scope > *").filter(has=self._name(self.title))

    @named_locator('text "PIN Required"')
    def pin_required(self) -> Locator:
        return self.root.get_by_text("PIN Required", exact=True)

    @named_locator('row without "PIN Required"', optional=True)
    def without_pin_required(self) -> Locator:
        """The row, drawn without "PIN Required": an outcome to wait for, never drift."""
        return self.root.filter(has_not=self.page.get_by_text("PIN Required", exact=True))

    @named_locator('"Edit PIN" or "Set PIN" control')
    def edit_pin_link(self) -> Locator:
        return control(self.root, PIN_CONTROL)

    def hover(self) -> UserRow:
        """Point at the row, which reveals its "Edit PIN" (or "Set PIN") control."""
        acting_on(self.root, shown=False).hover()
        expect(self.edit_pin_link).to_be_visible()
        return self

    def edit_pin(self) -> ConfirmPinDialog | EditPinDialog:
        """Click "Edit PIN": Confirm Current PIN for a protected Plex user, else Edit PIN."""
        acting_on(self.edit_pin_link).click()
        confirm, edit = ConfirmPinDialog(self.page), EditPinDialog(self.page)
        expect(any_of(confirm.root, edit.root)).to_be_visible()
        # One question tells which dialog opened and what Confirm Current PIN says before a
        # PIN is given: a refusal in words the contract does not give is what it says after.
        shown = confirm.root.filter(visible=True).all_inner_texts()
        return ConfirmPinDialog(self.page, lines_of(shown[0])) if shown else edit


class PlexHomePage:
    """The list of the Home's users, with "Create Managed Account" and "Invite Plex User"."""

    def __init__(self, page: Page, members: Sequence[str] = ()) -> None:
        self.page = page
        #: Every Home user's name, as the API lists them.
        self.members = tuple(members)
        self.where = "Plex Home"

    @named_locator('heading "Plex Home" or "Users & Sharing"')
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", name=HOME_HEADING)

    def user(self, title: str) -> UserRow:
        return UserRow(self.page, title, self.members)
