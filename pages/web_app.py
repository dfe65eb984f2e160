"""Plex Web's shell and its Settings navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plexbook.pages.actions import MOST_CLICKS, acting_on, click_reaching, click_until_reached, expect, named_locator
from plexbook.pages.common import any_of, control
from plexbook.pages.plex_home import HOME_HEADING, PlexHomePage

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

#: The account menu's trigger, by the test id Plex Web gives it.
ACCOUNT_MENU_TEST_ID = "navbarAccountMenuTrigger"


class WebApp:
    """The web app: the Settings control (in the top bar or the account menu) and the Settings sidebar."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.where = "the web app"

    @named_locator('"Settings" control')
    def settings_button(self) -> Locator:
        """Settings, by its name: a button, a link, an icon named by its label or title, a menu item."""
        return control(self.page, "Settings", ("button", "link", "menuitem"))

    @named_locator("account menu", optional=True)
    def account_menu(self) -> Locator:
        return self.page.get_by_test_id(ACCOUNT_MENU_TEST_ID)

    @property
    def ready(self) -> Locator:
        """Something only the signed-in web app shows: the Settings control, or the menu holding it."""
        return any_of(self.settings_button, self.account_menu)

    @named_locator('"Plex Home" or "Users & Sharing" entry')
    def plex_home_link(self) -> Locator:
        """The sidebar entry, "Plex Home" in older releases and "Users & Sharing" in newer ones.

        Found by its name, as a link or a button; the page's heading of the same words is not a control.
        """
        return control(self.page, HOME_HEADING)

    def open_settings(self) -> WebApp:
        """Click Settings, opening the account menu first where Settings lives in it."""
        expect(self.ready).to_be_visible()
        # An overlay arriving mid-click can take the click (see ``click_reaching``); the menu
        # and Settings only lead somewhere, so a lost click is clicked again.
        for _attempt in range(MOST_CLICKS):
            if not self.settings_button.filter(visible=True).count() and not click_reaching(
                acting_on(self.account_menu, shown=False)
            ):
                continue
            if click_reaching(acting_on(self.settings_button.filter(visible=True).first, shown=False)):
                break
        expect(self.plex_home_link).to_be_visible()
        return self

    def open_plex_home(self, members: tuple[str, ...] = ()) -> PlexHomePage:
        """Settings > Plex Home, through the sidebar as the article says."""
        self.open_settings()
        click_until_reached(acting_on(self.plex_home_link), 'the "Plex Home" or "Users & Sharing" entry')
        home = PlexHomePage(self.page, members)
        expect(home.heading).to_be_visible()
        return home
