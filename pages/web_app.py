"""Plex Web's shell and its Settings navigation."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from pages.actions import acting_on, named_locator
from pages.plex_home import HOME_HEADING, PlexHomePage


class WebApp:
    """The web app: the top bar's Settings control and the Settings sidebar."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @named_locator
    def settings_button(self) -> Locator:
        return self.page.get_by_role("button", name="Settings", exact=True)

    @named_locator
    def sidebar(self) -> Locator:
        return self.page.get_by_role("navigation", name="Settings")

    @named_locator
    def plex_home_link(self) -> Locator:
        """The sidebar entry, "Plex Home" in older releases and "Users & Sharing" in newer ones."""
        return self.page.get_by_role("link", name=HOME_HEADING)

    def open_settings(self) -> WebApp:
        acting_on(self.settings_button).click()
        expect(self.plex_home_link).to_be_visible()
        return self

    def open_plex_home(self) -> PlexHomePage:
        """Settings > Plex Home, through the sidebar as the article says."""
        self.open_settings()
        acting_on(self.plex_home_link).click()
        home = PlexHomePage(self.page)
        expect(home.heading).to_be_visible()
        return home
