"""Plex's sign-in screen (``/auth``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plexbook.pages.actions import acting_on, expect, named_locator
from plexbook.pages.common import PASSWORD, alert, any_of
from plexbook.pages.errors import SignInRefused
from plexbook.pages.secret_input import enter_secret

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from plexbook.secrets import Secret

EMAIL = re.compile(r"\bemail\b", re.IGNORECASE)
#: The test id of "Continue with Email" on Plex's sign-in form.
EMAIL_STEP = "signIn--email"


class SignInPage:
    """The sign-in form: optional "Continue with Email", email and password, then a 2FA code."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.where = "the sign-in page"

    @named_locator('"Continue with Email" button', optional=True)
    def continue_with_email(self) -> Locator:
        return self.page.get_by_role("button", name="Continue with Email").or_(self.page.get_by_test_id(EMAIL_STEP))

    @named_locator("email field")
    def email(self) -> Locator:
        """The email field, whatever its wording ("Email", "Email or Username", "Username or Email")."""
        return self.page.get_by_label(EMAIL)

    @named_locator("password field")
    def password(self) -> Locator:
        return self.page.get_by_label(PASSWORD)

    @named_locator
    def sign_in_button(self) -> Locator:
        return self.page.get_by_role("button", name="Sign In", exact=True)

    @named_locator("verification code field", optional=True)
    def verification_code(self) -> Locator:
        return self.page.get_by_label("Verification Code")

    @named_locator
    def submit_code_button(self) -> Locator:
        return self.page.get_by_role("button", name="Submit", exact=True)

    @named_locator("error message", optional=True)
    def error(self) -> Locator:
        return alert(self.page)

    def sign_in(self, email: str, password: Secret, code: Callable[[], Secret], arrival: Locator) -> None:
        """Sign in; ``code()`` is asked for a verification code only when Plex wants one.

        Returns once ``arrival`` (something only the destination screen shows) is visible;
        raises :class:`SignInRefused` with Plex's message when the form refuses.
        """
        expect(any_of(self.email, self.continue_with_email)).to_be_visible()
        if self.continue_with_email.is_visible():
            acting_on(self.continue_with_email, shown=False).click()
        self.email.fill(email)
        enter_secret(self.password, password, key_by_key=False)
        acting_on(self.sign_in_button, shown=False).click()
        if self._answered(arrival, self.verification_code):
            return
        enter_secret(self.verification_code, code())
        acting_on(self.submit_code_button, shown=False).click()
        self._answered(arrival)

    def _answered(self, arrival: Locator, instead: Locator | None = None) -> bool:
        """Wait until ``arrival`` (or ``instead``) shows or Plex refuses; a refusal raises with
        Plex's words. True when ``arrival`` is there, which is asked first: the usual answer
        costs the page one question."""
        expected = arrival if instead is None else any_of(arrival, instead)
        expect(any_of(self.error, expected)).to_be_visible()
        if arrival.is_visible():
            return True
        if self.error.is_visible():
            raise SignInRefused(self.error.inner_text().strip())
        return False
