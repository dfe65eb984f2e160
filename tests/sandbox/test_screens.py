"""Every sandbox screen, driven in headless Chromium, in every variant.

These tests use plain Playwright locators on purpose: they check the sandbox itself,
independently of the page objects that later drive it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from plexbook.sandbox import SandboxServer
from plexbook.totp import totp
from tests.conftest import ALEX, CASEY, CASEY_TOTP, fresh_sandbox, seed_token, sign_in_token

PLEX_HOME = "/desktop/#!/settings/plex-home"


def fill_sign_in(page: Page, sandbox: SandboxServer, login: str, password: str) -> None:
    if sandbox.variant.email_step:
        page.get_by_role("button", name="Continue with Email").click()
    page.get_by_label("Email or Username").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()


def row(page: Page, title: str) -> Locator:
    return page.get_by_role("listitem").filter(has=page.get_by_text(title, exact=True))


def type_pin(dialog: Locator, pin: str) -> None:
    dialog.get_by_label(re.compile("PIN")).first.press_sequentially(pin)


def open_edit_pin(page: Page, title: str, label: str = "Edit PIN") -> Locator:
    target = row(page, title)
    target.hover()
    target.get_by_role("link", name=label).click()
    return page.get_by_role("dialog")


def confirm_pin(page: Page, sandbox: SandboxServer, pin: str) -> None:
    dialog = page.get_by_role("dialog", name="Confirm Current PIN")
    type_pin(dialog, pin)
    if not sandbox.variant.auto_submit:
        dialog.get_by_role("button", name="Continue").click()


# -- sign-in ---------------------------------------------------------------------------------
def test_signed_out_browser_goes_to_sign_in_and_back(page: Page, sandbox: SandboxServer) -> None:
    page.goto(sandbox.base_url + PLEX_HOME)
    page.wait_for_url(re.compile(r"/auth\?forwardUrl="))
    if sandbox.variant.email_step:
        expect(page.get_by_label("Email or Username")).to_be_hidden()
        expect(page.get_by_test_id("signIn--email")).to_have_text("Continue with Email")
    else:
        expect(page.get_by_role("button", name="Continue with Email")).to_have_count(0)
    fill_sign_in(page, sandbox, *ALEX)
    page.wait_for_url(re.compile(r"/desktop/#!/settings/plex-home$"))
    expect(page.get_by_role("heading", name=sandbox.variant.heading_text)).to_be_visible()
    for title in ("Alex", "Jordan", "Kid", "Teen"):
        expect(row(page, title)).to_be_visible()


def test_framed_sign_in_shows_the_form_in_an_iframe_and_moves_the_whole_page_on(
    page: Page, framed_sign_in_sandbox: SandboxServer
) -> None:
    page.goto(framed_sign_in_sandbox.base_url + PLEX_HOME)
    page.wait_for_url(re.compile(r"/auth\?forwardUrl="))
    form = page.frame_locator('iframe[name="fedauth-iFrame"]')
    expect(form.get_by_test_id("signIn--email")).to_be_visible()
    expect(page.get_by_test_id("signIn--email")).to_have_count(0)  # not in the page itself
    form.get_by_role("button", name="Continue with Email").click()
    form.get_by_label("Email or Username").fill(ALEX[0])
    form.get_by_label("Password", exact=True).fill("wrong-password")
    form.get_by_role("button", name="Sign In").click()
    expect(form.get_by_role("alert")).to_have_text("User could not be authenticated")
    form.get_by_label("Password", exact=True).fill(ALEX[1])
    form.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/desktop/#!/settings/plex-home$"))
    expect(row(page, "Jordan")).to_be_visible()


def test_wrong_password_shows_the_api_message_and_stays(page: Page, sandbox: SandboxServer) -> None:
    page.goto(sandbox.base_url + "/auth")
    fill_sign_in(page, sandbox, ALEX[0], "wrong-password")
    expect(page.get_by_role("alert")).to_have_text("User could not be authenticated")
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
    assert "/auth" in page.url


def test_two_factor_sign_in_asks_for_a_verification_code(page: Page, sandbox: SandboxServer) -> None:
    page.goto(sandbox.base_url + "/auth?forwardUrl=" + PLEX_HOME.replace("#", "%23"))
    fill_sign_in(page, sandbox, *CASEY)
    code = page.get_by_label("Verification Code")
    expect(code).to_be_visible()
    code.fill(totp(CASEY_TOTP).now())
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/desktop/"))
    expect(row(page, "Casey")).to_be_visible()


def test_token_only_session_needs_no_sign_in(page: Page, context: BrowserContext, sandbox: SandboxServer) -> None:
    seed_token(context, sandbox.base_url, sign_in_token(sandbox.base_url))
    page.goto(sandbox.base_url + PLEX_HOME)
    expect(page.get_by_role("heading", name=sandbox.variant.heading_text)).to_be_visible()
    assert "/auth" not in page.url


def test_an_invalid_token_is_sent_to_sign_in(page: Page, context: BrowserContext, sandbox: SandboxServer) -> None:
    seed_token(context, sandbox.base_url, "expired-token")
    page.goto(sandbox.base_url + PLEX_HOME)
    page.wait_for_url(re.compile(r"/auth\?forwardUrl="))


# -- Settings > Plex Home --------------------------------------------------------------------
def test_settings_sidebar_leads_to_plex_home(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + "/desktop/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name=sandbox.variant.heading_text).click()
    expect(page.get_by_role("heading", name=sandbox.variant.heading_text)).to_be_visible()
    assert page.url.endswith("#!/settings/plex-home")
    for button in ("Create Managed Account", "Invite Plex User"):
        expect(page.get_by_role("button", name=button)).to_be_visible()
    expect(row(page, "Alex")).to_contain_text("Admin")
    expect(row(page, "Kid")).to_contain_text("Managed")
    expect(row(page, "Jordan").get_by_text("PIN Required")).to_be_visible()
    expect(row(page, "Teen").get_by_text("PIN Required")).to_have_count(0)


def test_edit_pin_is_hidden_until_the_row_is_hovered(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    jordan = row(page, "Jordan")
    expect(jordan).to_be_visible()
    expect(jordan.get_by_role("link", name="Edit PIN")).to_be_hidden()
    jordan.hover()
    expect(jordan.get_by_role("link", name="Edit PIN")).to_be_visible()
    expect(row(page, "Kid").get_by_role("link", name="Edit PIN")).to_be_hidden()


def test_keyboard_focus_also_reveals_edit_pin(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    row(page, "Kid").focus()
    expect(row(page, "Kid").get_by_role("link", name="Edit PIN")).to_be_visible()


def test_class_names_are_hashed_per_variant(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    class_name = row(page, "Alex").get_attribute("class") or ""
    assert re.fullmatch(r"UserRow-row-[0-9a-f]{6}", class_name.split()[0])
    assert class_name.split()[0] == sandbox.variant.css("UserRow", "row")
    assert page.locator("[data-testid]").count() == 0


# -- the PIN dialogs -------------------------------------------------------------------------
def test_confirm_current_pin_refuses_a_wrong_pin_and_stays_open(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    open_edit_pin(page, "Jordan")
    dialog = page.get_by_role("dialog", name="Confirm Current PIN")
    expect(dialog).to_be_visible()
    confirm_pin(page, sandbox, "1111")
    expect(dialog.get_by_role("alert")).to_have_text("Incorrect PIN")
    expect(dialog).to_be_visible()
    for entry in dialog.get_by_label(re.compile("PIN")).all():
        expect(entry).to_have_value("")
    assert sandbox.state.user_titled("Jordan").pin == "2468"


def test_confirm_current_pin_accepts_the_right_pin_and_remove_clears_it(
    signed_in_page: Page, sandbox: SandboxServer
) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    open_edit_pin(page, "Jordan")
    confirm_pin(page, sandbox, "2468")
    edit = page.get_by_role("dialog", name="Edit PIN")
    expect(edit).to_be_visible()
    edit.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row(page, "Jordan").get_by_text("PIN Required")).to_have_count(0)
    # No confirmation message: nothing announces the change.
    for region in page.get_by_role("alert").all() + page.get_by_role("status").all():
        expect(region).to_have_text("")
    assert sandbox.state.user_titled("Jordan").pin is None


def test_managed_user_skips_confirm_and_saves_a_new_pin(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    # A user without a PIN offers "Set PIN", not "Edit PIN" (spec section 3).
    expect(row(page, "Teen").get_by_role("link", name="Edit PIN")).to_have_count(0)
    dialog = open_edit_pin(page, "Teen", "Set PIN")
    expect(dialog).to_have_accessible_name("Edit PIN")
    expect(dialog.get_by_role("button", name="Remove")).to_have_count(0)
    type_pin(dialog, "7531")
    dialog.get_by_role("button", name="Save").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row(page, "Teen").get_by_text("PIN Required")).to_be_visible()
    assert sandbox.state.user_titled("Teen").pin == "7531"


def test_managed_user_remove_link(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    dialog = open_edit_pin(page, "Kid")
    expect(dialog).to_have_accessible_name("Edit PIN")
    dialog.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(row(page, "Kid").get_by_text("PIN Required")).to_have_count(0)
    assert sandbox.state.user_titled("Kid").pin is None


def test_cancel_closes_a_dialog_with_nothing_changed(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + PLEX_HOME)
    open_edit_pin(page, "Alex")
    page.get_by_role("dialog", name="Confirm Current PIN").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    dialog = open_edit_pin(page, "Kid")
    type_pin(dialog, "9999")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert sandbox.state.user_titled("Alex").pin == "1234"
    assert sandbox.state.user_titled("Kid").pin == "4321"


# -- PIN Reset -------------------------------------------------------------------------------
def fill_reset(page: Page, sandbox: SandboxServer, pin: str, password: str, confirm: str | None = None) -> None:
    page.get_by_label("New PIN", exact=True).fill(pin)
    if sandbox.variant.confirm_new_pin:
        page.get_by_label("Confirm New PIN").fill(confirm if confirm is not None else pin)
    page.get_by_label("Current Password").fill(password)
    page.get_by_role("button", name="Update").click()


def test_pin_reset_sends_a_signed_out_browser_to_sign_in_and_back(page: Page, sandbox: SandboxServer) -> None:
    page.goto(sandbox.base_url + "/pin/reset")
    page.wait_for_url(re.compile(r"/auth\?forwardUrl=%2Fpin%2Freset"))
    fill_sign_in(page, sandbox, *ALEX)
    page.wait_for_url(re.compile(r"/pin/reset$"))
    expect(page.get_by_role("heading", name="Reset PIN")).to_be_visible()


def test_pin_reset_errors(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + "/pin/reset")
    error = page.get_by_role("alert")
    fill_reset(page, sandbox, "12", ALEX[1])
    expect(error).to_have_text("PIN must be 4 digits")
    fill_reset(page, sandbox, "5678", "not-the-password")
    expect(error).to_have_text("Incorrect password")
    if sandbox.variant.confirm_new_pin:
        fill_reset(page, sandbox, "5678", ALEX[1], confirm="5679")
        expect(error).to_have_text("PINs do not match")
    else:
        expect(page.get_by_label("Confirm New PIN")).to_have_count(0)
    assert sandbox.state.user_titled("Alex").pin == "1234"


def test_pin_reset_success(signed_in_page: Page, sandbox: SandboxServer) -> None:
    page = signed_in_page
    page.goto(sandbox.base_url + "/pin/reset")
    fill_reset(page, sandbox, "5678", ALEX[1])
    expect(page.get_by_role("status")).to_have_text("Your PIN has been updated.")
    expect(page.get_by_role("alert")).to_have_text("")
    assert sandbox.state.user_titled("Alex").pin == "5678"


# -- what the contract leaves open in the forms ------------------------------------------------
def signed_in_to(name: str, pool: dict[str, SandboxServer], context: BrowserContext) -> SandboxServer:
    """The sandbox of that name, fresh, with Alex's session in the browser."""
    sandbox = fresh_sandbox(pool, name)
    seed_token(context, sandbox.base_url, sign_in_token(sandbox.base_url))
    return sandbox


def test_fields_named_without_a_label_pins_as_number_fields_and_refusals_as_plain_text(
    page: Page, context: BrowserContext, sandbox_pool: dict[str, SandboxServer]
) -> None:
    """The plain-forms screens: placeholders name the fields, PIN inputs are spin buttons, and a
    refusal is a paragraph with no role; the contract's words are the same."""
    sandbox = fresh_sandbox(sandbox_pool, "plain-forms")
    page.goto(sandbox.base_url + "/auth")
    page.get_by_role("button", name="Continue with Email").click()
    expect(page.locator("label")).to_have_count(0)
    page.get_by_placeholder("Email or Username").fill(ALEX[0])
    page.get_by_placeholder("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("User could not be authenticated")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    seed_token(context, sandbox.base_url, sign_in_token(sandbox.base_url))
    page.goto(sandbox.base_url + "/pin/reset")
    expect(page.get_by_role("spinbutton", name="New PIN")).to_be_visible()
    expect(page.get_by_role("textbox", name="New PIN")).to_have_count(0)
    page.get_by_role("spinbutton", name="New PIN").fill("5678")
    page.get_by_placeholder("Current Password").fill("not-the-password")
    page.get_by_role("button", name="Update").click()
    expect(page.get_by_text("Incorrect password")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert sandbox.state.user_titled("Alex").pin == "1234"


def test_pin_dialogs_with_aria_labelled_fields_and_a_plain_text_refusal(
    page: Page, context: BrowserContext, sandbox_pool: dict[str, SandboxServer]
) -> None:
    sandbox = signed_in_to("plain-digits", sandbox_pool, context)  # digit boxes, auto-submit
    page.goto(sandbox.base_url + PLEX_HOME)
    dialog = open_edit_pin(page, "Jordan")
    expect(dialog.locator("label")).to_have_count(0)
    dialog.get_by_role("textbox", name="PIN digit 1").press_sequentially("1111")
    expect(dialog.get_by_text("Incorrect PIN")).to_be_visible()
    expect(dialog.get_by_role("alert")).to_have_count(0)
    assert sandbox.state.user_titled("Jordan").pin == "2468"


def test_links_may_be_anchors_with_no_href(
    page: Page, context: BrowserContext, sandbox_pool: dict[str, SandboxServer]
) -> None:
    """The bare-links screens: each link is an anchor a script follows, with no link role."""
    sandbox = signed_in_to("bare-links", sandbox_pool, context)
    page.goto(sandbox.base_url + "/desktop/")
    settings = page.locator("a:not([href])", has_text="Settings")
    expect(settings).to_be_visible()
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    settings.click()
    page.locator("a:not([href])", has_text="Plex Home").click()
    page.wait_for_url(re.compile(r"#!/settings/plex-home$"))
    target = row(page, "Kid")
    target.hover()
    target.locator("a:not([href])", has_text="Edit PIN").click()
    dialog = page.get_by_role("dialog", name="Edit PIN")
    expect(dialog.get_by_role("link")).to_have_count(0)
    dialog.locator("a:not([href])", has_text="Remove").click()
    expect(dialog).to_be_hidden()
    assert sandbox.state.user_titled("Kid").pin is None


@pytest.mark.parametrize(("name", "role"), [("redrawn-pin", "spinbutton"), ("redrawn-digits", "textbox")])
def test_a_pin_entry_may_be_drawn_anew_as_each_digit_is_typed(
    page: Page, context: BrowserContext, sandbox_pool: dict[str, SandboxServer], name: str, role: str
) -> None:
    """With pin_redraw, each digit typed puts new input elements in place of the old, with the
    same names and values, and focus where the next digit goes."""
    sandbox = signed_in_to(name, sandbox_pool, context)
    page.goto(sandbox.base_url + PLEX_HOME)
    dialog = open_edit_pin(page, "Teen", "Set PIN")  # a managed user with no PIN: the dialog opens at once
    fields = dialog.get_by_role(role)  # type: ignore[arg-type]
    fields.first.evaluate("field => { window.first = field; }")
    fields.first.press_sequentially("36")
    assert page.evaluate("() => !window.first.isConnected")
    typed = fields.evaluate_all("fields => fields.map(f => f.value).join('')")
    assert typed.startswith("36")
    dialog.get_by_role("button", name="Cancel").click()
    assert sandbox.state.user_titled("Teen").pin is None


def test_icon_controls_may_be_anchors_with_no_href(
    page: Page, context: BrowserContext, sandbox_pool: dict[str, SandboxServer]
) -> None:
    """The bare-icons screens: the Settings cog and the row's pencil are anchors with no href,
    named only by title and by aria-label: no role, and no text."""
    sandbox = signed_in_to("bare-icons", sandbox_pool, context)
    page.goto(sandbox.base_url + "/desktop/")
    settings = page.locator('a:not([href])[title="Settings"]')
    expect(settings).to_be_visible()
    expect(settings).to_have_text("")
    expect(page.get_by_role("button", name="Settings")).to_have_count(0)
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    settings.click()
    page.locator("a:not([href])", has_text="Plex Home").click()
    target = row(page, "Kid")
    target.hover()
    pencil = target.locator('a:not([href])[aria-label="Edit PIN"]')
    expect(pencil).to_have_text("")
    pencil.click()
    expect(page.get_by_role("dialog", name="Edit PIN")).to_be_visible()


def test_refusals_may_be_worded_otherwise_than_the_contract_guesses(
    page: Page, sandbox_pool: dict[str, SandboxServer]
) -> None:
    """refusal_words="own": a wrong password or PIN is refused in words of the screen's own."""
    sandbox = fresh_sandbox(sandbox_pool, "own-words-in-alerts")
    page.goto(sandbox.base_url + "/auth")
    fill_sign_in(page, sandbox, ALEX[0], "wrong-password")
    expect(page.get_by_role("alert")).to_have_text("Your email or password isn't right.")
    page.get_by_label("Password", exact=True).fill(ALEX[1])
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/desktop/"))
    page.goto(sandbox.base_url + PLEX_HOME)
    dialog = open_edit_pin(page, "Jordan")
    confirm_pin(page, sandbox, "1111")
    expect(dialog.get_by_role("alert")).to_have_text("That PIN didn't work. Check it and try again.")
    page.goto(sandbox.base_url + "/pin/reset")
    fill_reset(page, sandbox, "5678", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("That password isn't the one on the account.")
    assert (sandbox.state.user_titled("Jordan").pin, sandbox.state.user_titled("Alex").pin) == ("2468", "1234")
