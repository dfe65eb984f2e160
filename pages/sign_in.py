"""Plex's sign-in screen (``/auth``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from plexbook.pages.actions import NamedLocator, acting_on, expect, first_visible, named_locator
from plexbook.pages.common import PASSWORD, answer_in_own_words, any_of, entry, refusal, shown_lines
from plexbook.pages.errors import SignInRefused
from plexbook.pages.secret_input import enter_secret

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Locator, Page

    from plexbook.secrets import Secret

EMAIL = re.compile(r"\bemail\b", re.IGNORECASE)
#: The test id of "Continue with Email" on Plex's sign-in form.
EMAIL_STEP = "signIn--email"
#: What the form says when it refuses the email and password (the API's message).
NOT_AUTHENTICATED = "User could not be authenticated"
#: The iframe www.plex.tv wraps the sign-in form in, by its name.
FORM_FRAME = 'iframe[name="fedauth-iFrame"]'


class SignInPage:
    """The sign-in form: optional "Continue with Email", email and password, then a 2FA code.

    The form is the page itself (app.plex.tv/auth) or sits in the ``fedauth-iFrame`` iframe
    (www.plex.tv). A page object for the page looks for the form in the page, and for the
    frame; :meth:`where_shown` gives the one that looks inside the frame when the form is there.
    """

    def __init__(self, page: Page, *, framed: bool = False) -> None:
        self.page = page
        self.framed = framed
        self.where = "the sign-in frame" if framed else "the sign-in page"

    def _in_form(self, locator: Locator) -> Locator:
        """``locator``, looked for where the form is: in the page, or inside its frame."""
        return self.page.locator(FORM_FRAME).content_frame.locator(locator) if self.framed else locator

    @named_locator("sign-in frame", optional=True)
    def frame(self) -> Locator:
        """The iframe holding the form, where the page wraps it in one."""
        return self.page.locator(FORM_FRAME)

    def where_shown(self) -> SignInPage:
        """This form as it is shown now: looked for inside the sign-in frame when the page has one."""
        return SignInPage(self.page, framed=self.frame.is_visible())

    def _either(self, *locators: NamedLocator) -> Locator:
        """Whichever of these locators of the form shows first (see ``any_of``), where the form is.

        Built inside the frame, not from framed locators: Playwright keeps a locator that
        combines others within one frame.
        """
        for named in locators:
            named.__get__(self)  # remembered as used, for drift reports
        plain = SignInPage(self.page)
        return self._in_form(any_of(*(named.getter(plain) for named in locators)))

    @named_locator('"Continue with Email" button', optional=True)
    def continue_with_email(self) -> Locator:
        by_name = self.page.get_by_role("button", name="Continue with Email")
        return self._in_form(by_name.or_(self.page.get_by_test_id(EMAIL_STEP)))

    @named_locator("email field")
    def email(self) -> Locator:
        """The email field, whatever its wording ("Email", "Email or Username", "Username or Email")
        and however it is named (a label, or only a placeholder), or by the id Plex gives it."""
        return self._in_form(entry(self.page, EMAIL).or_(self.page.locator("input#email")))

    @named_locator("password field")
    def password(self) -> Locator:
        return self._in_form(entry(self.page, PASSWORD).or_(self.page.locator("input#password")))

    @named_locator
    def sign_in_button(self) -> Locator:
        return self._in_form(self.page.get_by_role("button", name="Sign In", exact=True))

    @named_locator("verification code field", optional=True)
    def verification_code(self) -> Locator:
        return self._in_form(entry(self.page, "Verification Code"))

    @named_locator
    def submit_code_button(self) -> Locator:
        return self._in_form(self.page.get_by_role("button", name="Submit", exact=True))

    @named_locator("error message", optional=True)
    def error(self) -> Locator:
        return self._in_form(refusal(self.page, NOT_AUTHENTICATED))

    def sign_in(self, email: str, password: Secret, code: Callable[[], Secret], arrival: Locator) -> None:
        """Sign in; ``code()`` is asked for a verification code only when Plex wants one.

        Returns once ``arrival`` (something only the destination screen shows) is visible;
        raises :class:`SignInRefused` with Plex's message when the form refuses.
        """
        expect(self._either(SignInPage.email, SignInPage.continue_with_email)).to_be_visible()
        if self.continue_with_email.is_visible():
            acting_on(self.continue_with_email, shown=False).click()
        acting_on(self.email, shown=False).fill(email)
        enter_secret(self.password, password, key_by_key=False)
        shown = shown_lines(self._form)
        acting_on(self.sign_in_button, shown=False).click()
        try:
            if self._answered(arrival, or_code=True):
                return
        except AssertionError:
            # The contract guesses the form's words for wrong credentials.
            said = answer_in_own_words(self._form, shown, self.password)
            if not said:
                raise
            raise SignInRefused(f"{said} (the form still asks for the email and password)") from None
        enter_secret(self.verification_code, code())
        shown = shown_lines(self._form)
        acting_on(self.submit_code_button, shown=False).click()
        try:
            self._answered(arrival)
        except AssertionError:
            # The contract does not give Plex's words for a wrong code. A form that still asks
            # for one after the whole wait has answered all the same, with whatever it now says.
            said = answer_in_own_words(self._form, shown, self.verification_code)
            if said is None:
                raise
            raise SignInRefused(
                f"{said} (the form still asks for the verification code)"
                if said
                else "the form still asks for the verification code after it was submitted, and says nothing more"
            ) from None

    @property
    def _form(self) -> Locator:
        """The whole form, where it is: its text is what it says."""
        return self._in_form(self.page.locator("body"))

    def _answered(self, arrival: Locator, *, or_code: bool = False) -> bool:
        """Wait until ``arrival`` (or, with ``or_code``, the verification code field) shows or Plex
        refuses; a refusal raises with Plex's words. True when ``arrival`` is there, which is
        asked first: the usual answer costs the page one question."""
        answers = self._either(*((SignInPage.error, SignInPage.verification_code) if or_code else (SignInPage.error,)))
        if self.framed:
            # ``arrival`` is in the page and the form's answers in its frame: Playwright cannot
            # wait on both as one locator.
            if first_visible(arrival, answers) == 0:
                return True
        else:
            expect(any_of(arrival, answers)).to_be_visible()
        if arrival.is_visible():
            return True
        if self.error.is_visible():
            raise SignInRefused(self.error.inner_text().strip())
        return False
