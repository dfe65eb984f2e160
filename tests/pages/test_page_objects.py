"""Each page object on small pages of each shape the contract allows: a locator bug shows in seconds.

The pages here are written by hand, apart from the sandbox, so the page objects are tried on
markup they were not tuned to: rows that are list items, plain divs, table rows or articles,
controls that are links, buttons or icons, PIN boxes labelled one way or another.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from plexbook.pages import ConfirmPinDialog, EditPinDialog, PinResetPage, PlexHomePage, SignInPage, WebApp, overlays
from plexbook.pages.actions import action_scope, first_visible
from plexbook.pages.overlays import dismiss_interstitials
from plexbook.secrets import Secret

MEMBERS = ("Sam", "Samantha", "Kid")
HOVER_CSS = """
<style>
  .ctrl { display: none; } .row:hover .ctrl, .row:focus-within .ctrl { display: inline-block; }
  .row { display: block; padding: 8px; }
  #dialog[hidden] { display: none; }
</style>
"""
DIALOG_SCRIPT = """
<div id="dialog" role="dialog" aria-label="Edit PIN" hidden>
  <button onclick="this.parentNode.hidden = true">Cancel</button>
</div>
<script>
  for (const c of document.querySelectorAll('.ctrl')) c.addEventListener('click', (e) => {
    e.preventDefault(); window.clicked = c.closest('[data-who]').dataset.who;
    document.getElementById('dialog').hidden = false;
  });
</script>
"""


def user_rows(shape: str, control: str, wrappers: int = 0) -> str:
    """Plex Home with Sam (PIN), Samantha (no PIN) and Kid, rows in ``shape``, controls as ``control``."""

    def ctrl(label: str) -> str:
        if control == "link":
            return f'<a class="ctrl" href="#">{label}</a>'
        if control == "button":
            return f'<button class="ctrl">{label}</button>'
        if control == "bare-link":  # an anchor a script follows: no href, so no link role
            return f'<a class="ctrl">{label}</a>'
        if control == "bare-icon":  # such an anchor drawn as an icon: named by aria-label alone
            return f'<a class="ctrl" aria-label="{label}"><svg aria-hidden="true" width="10" height="10"></svg></a>'
        return (
            f'<button class="ctrl" aria-label="{label}"><svg aria-hidden="true" width="10" height="10"></svg></button>'
        )

    def content(title: str, pin: bool) -> str:
        badge = '<span><svg aria-hidden="true" width="8" height="8"></svg><span>PIN</span> <span>Required</span></span>'
        control = ctrl("Edit PIN" if pin else "Set PIN")
        return f"<img alt='' src='data:,'> <span>{title}</span> {badge if pin else ''} {control}"

    def wrap(html: str) -> str:
        for _ in range(wrappers):
            html = f"<div>{html}</div>"
        return html

    people = [("Sam", True), ("Samantha", False), ("Kid", True)]
    if shape == "table":
        rows = "".join(f'<tr class="row" data-who="{t}"><td>{wrap(content(t, p))}</td></tr>' for t, p in people)
        body = f"<table><tbody>{rows}</tbody></table>"
    elif shape == "li":
        rows = "".join(f'<li class="row" data-who="{t}">{wrap(content(t, p))}</li>' for t, p in people)
        body = f"<ul>{rows}</ul>"
    else:
        tag = "article" if shape == "article" else "div"
        rows = "".join(wrap(f'<{tag} class="row" data-who="{t}">{content(t, p)}</{tag}>') for t, p in people)
        body = f"<div>{rows}</div>"
    sidebar = "<nav><h2>Sam</h2><a href='#'>Plex Home</a></nav>"
    return f"{HOVER_CSS}{sidebar}<main><h1>Plex Home</h1>{body}</main>{DIALOG_SCRIPT}"


@pytest.mark.parametrize("shape", ["li", "div", "table", "article"])
@pytest.mark.parametrize("control", ["link", "button", "icon", "bare-link", "bare-icon"])
def test_a_row_is_found_by_its_name_whatever_its_shape(page: Page, shape: str, control: str) -> None:
    page.set_content(user_rows(shape, control, wrappers=2 if shape in ("div", "article") else 1))
    home = PlexHomePage(page, MEMBERS)
    sam = home.user("Sam")
    expect(sam.root).to_have_count(1)
    expect(sam.pin_required).to_be_visible()
    expect(home.user("Samantha").pin_required).to_have_count(0)
    expect(sam.edit_pin_link).to_be_hidden()
    assert isinstance(sam.hover().edit_pin(), EditPinDialog)
    assert page.evaluate("window.clicked") == "Sam"


def test_set_pin_is_the_control_of_a_user_without_a_pin(page: Page) -> None:
    page.set_content(user_rows("div", "link"))
    samantha = PlexHomePage(page, MEMBERS).user("Samantha").hover()
    expect(samantha.edit_pin_link).to_have_text("Set PIN")
    samantha.edit_pin()
    assert page.evaluate("window.clicked") == "Samantha"


def test_a_row_that_holds_nothing_but_the_name_is_still_the_row(page: Page) -> None:
    page.set_content(
        "<h1>Users &amp; Sharing</h1><div><div><span>Kid</span></div><div><span>Sam</span>"
        "<em>PIN Required</em></div></div>"
    )
    expect(PlexHomePage(page, ("Kid", "Sam")).user("Sam").pin_required).to_be_visible()
    expect(PlexHomePage(page, ("Kid", "Sam")).user("Kid").pin_required).to_have_count(0)


SETTINGS_CONTROLS = {
    "button": '<button onclick="go()">Settings</button>',
    "link": '<a href="#" onclick="go()">Settings</a>',
    "bare-link": '<a onclick="go()">Settings</a>',
    "role-button": '<div role="button" tabindex="0" onclick="go()">Settings</div>',
    "icon-label": '<button aria-label="Settings" onclick="go()"><svg aria-hidden="true"></svg></button>',
    "icon-title": '<button title="Settings" onclick="go()"><svg aria-hidden="true"></svg></button>',
    "bare-icon-label": '<a aria-label="Settings" onclick="go()"><svg aria-hidden="true" width="9"></svg></a>',
    "bare-icon-title": '<a title="Settings" onclick="go()"><svg aria-hidden="true" width="9"></svg></a>',
    "account-menu": (
        '<button data-testid="navbarAccountMenuTrigger" aria-label="Sam" '
        "onclick=\"document.getElementById('m').hidden = false\">S</button>"
        '<div id="m" role="menu" hidden><a role="menuitem" href="#" onclick="go()">Settings</a></div>'
    ),
}
SIDEBAR = {
    "link": "<a href='#' onclick=\"home()\">Users &amp; Sharing</a>",
    "button": '<button onclick="home()">Plex Home</button>',
    "bare-link": '<a onclick="home()">Plex Home</a>',
}


@pytest.mark.parametrize("settings", list(SETTINGS_CONTROLS))
@pytest.mark.parametrize("entry", list(SIDEBAR))
def test_settings_and_the_sidebar_entry_whatever_they_are(page: Page, settings: str, entry: str) -> None:
    heading = "Plex Home" if entry == "button" else "Users &amp; Sharing"
    page.set_content(
        f"<header>{SETTINGS_CONTROLS[settings]}</header><div id='s' hidden><div>{SIDEBAR[entry]}</div></div>"
        f"<main id='h' hidden><h1>{heading}</h1></main>"
        "<script>function go(){document.getElementById('s').hidden=false}"
        "function home(){document.getElementById('h').hidden=false}</script>"
    )
    expect(WebApp(page).ready).to_be_visible()
    expect(WebApp(page).open_plex_home().heading).to_be_visible()


def pin_dialog(title: str, entry: str, confirm: bool) -> str:
    def boxes(label: str) -> str:
        if entry == "single":
            return f'<label>{label} <input type="password"></label>'
        if entry == "each":
            return "".join(f'<input type="password" maxlength="1" aria-label="{label} digit {i}">' for i in range(1, 5))
        digits = "".join(f'<input type="password" maxlength="1" aria-label="Digit {i}">' for i in range(1, 5))
        return f"<fieldset><legend>{label}</legend>{digits}</fieldset>"

    second = boxes("Confirm PIN") if confirm else ""
    # Digit boxes move focus along as digits are typed, as Plex's do.
    script = """<script>
      for (const i of document.querySelectorAll('input[maxlength="1"]')) i.addEventListener('input', () => {
        const all = [...document.querySelectorAll('input')]; const n = all[all.indexOf(i) + 1];
        if (n && i.value) n.focus(); });
    </script>"""
    return f'<div role="dialog" aria-labelledby="t"><h2 id="t">{title}</h2>{boxes("Enter PIN")}{second}</div>{script}'


@pytest.mark.parametrize("entry", ["single", "each", "group"])
@pytest.mark.parametrize("confirm", [False, True], ids=["once", "twice"])
def test_a_pin_goes_into_every_entry_the_dialog_has(page: Page, entry: str, confirm: bool) -> None:
    page.set_content(pin_dialog("Edit PIN", entry, confirm))
    EditPinDialog(page).enter_pin(Secret("PLEX_NEW_PIN", "2580"))
    typed = "".join(page.locator("input").evaluate_all("els => els.map(e => e.value)"))
    assert typed == "2580" * (2 if confirm else 1)


def test_confirm_current_pin_types_into_the_first_box(page: Page) -> None:
    page.set_content(pin_dialog("Confirm Current PIN", "group", confirm=False))
    ConfirmPinDialog(page).enter_pin(Secret("PLEX_PIN", "1234"))
    assert page.locator("input").evaluate_all("els => els.map(e => e.value)") == ["1", "2", "3", "4"]


@pytest.mark.parametrize("label", ["Email", "Email or Username", "Username or Email"])
def test_sign_in_finds_the_email_field_in_each_wording(page: Page, label: str) -> None:
    page.set_content(f'<label for="e">{label}</label><input id="e"><label>Password <input type="password"></label>')
    SignInPage(page).email.fill("sam@example.test")
    expect(page.locator("#e")).to_have_value("sam@example.test")
    expect(SignInPage(page).password).to_have_count(1)


@pytest.mark.parametrize(
    "fields",
    [
        '<input id="email" placeholder="Email"><input id="password" type="password" placeholder="Password">',
        '<input aria-label="Email or Username"><input type="password" title="Password">',
        '<div>Email</div><input id="email"><div>Password</div><input id="password" type="password">',
    ],
    ids=["placeholders", "aria-label-and-title", "the-contract-ids-alone"],
)
def test_sign_in_fields_however_they_are_named(page: Page, fields: str) -> None:
    """Not the "Forgot password?" link, whose name also says password: a field is something to type into."""
    page.set_content(f'<form>{fields}<a href="#" aria-label="Forgot password?">?</a><button>Sign In</button></form>')
    form = SignInPage(page)
    form.email.fill("sam@example.test")
    form.password.fill("pw-1")
    typed = page.locator("input").evaluate_all("els => els.map(e => e.value)")
    assert typed == ["sam@example.test", "pw-1"]


def test_a_pin_entry_may_be_a_number_field(page: Page) -> None:
    page.set_content(pin_dialog("Edit PIN", "single", confirm=True).replace('type="password"', 'type="number"'))
    EditPinDialog(page).enter_pin(Secret("PLEX_NEW_PIN", "0246"))
    assert page.locator("input").evaluate_all("els => els.map(e => e.value)") == ["0246", "0246"]


def test_a_refusal_is_the_contracts_words_alone_not_a_hint_that_holds_them(page: Page) -> None:
    page.set_content(
        '<div role="dialog" aria-label="Confirm Current PIN"><p>Your PIN must be 4 digits.</p>'
        '<label>PIN <input></label><p id="said"></p></div>'
    )
    dialog = ConfirmPinDialog(page)
    expect(dialog.error).to_have_count(0)
    page.locator("#said").evaluate("p => { p.textContent = 'Incorrect PIN' }")
    expect(dialog.error).to_have_text("Incorrect PIN")
    page.locator("#said").evaluate("p => { p.textContent = ''; p.setAttribute('role', 'alert') }")
    expect(dialog.error).to_have_count(0)
    page.locator("#said").evaluate("p => { p.textContent = 'That PIN is not right' }")
    expect(dialog.error).to_have_text("That PIN is not right")


@pytest.mark.parametrize(
    ("pin_label", "confirm"), [("New PIN", None), ("PIN", "Confirm PIN"), ("Enter PIN", "Confirm New PIN")]
)
@pytest.mark.parametrize("password", ["Current Password", "Password"])
def test_pin_reset_fills_each_wording(page: Page, pin_label: str, confirm: str | None, password: str) -> None:
    second = f'<label>{confirm} <input type="password" id="c"></label>' if confirm else ""
    page.set_content(
        f'<h1>Reset PIN</h1><label>{pin_label} <input type="password" id="n"></label>{second}'
        f'<label>{password} <input type="password" id="p"></label><button>Update</button>'
    )
    PinResetPage(page).choose_pin(Secret("PLEX_NEW_PIN", "1470"), Secret("PLEX_PASSWORD", "pw-1"))
    expect(page.locator("#n")).to_have_value("1470")
    expect(page.locator("#p")).to_have_value("pw-1")
    if confirm:
        expect(page.locator("#c")).to_have_value("1470")


@pytest.mark.parametrize("closer", ['aria-label="Close Streaming Services modal">x', ">Not now", ">Skip", ">Dismiss"])
def test_overlays_are_closed_by_their_close_control_and_nothing_else(page: Page, closer: str) -> None:
    dismiss_interstitials(page)
    page.set_content(
        '<button onclick="window.settings = true">Settings</button>'
        '<div id="o" role="dialog" aria-label="Promo" style="position:fixed;inset:0;background:#000">'
        '<a href="#" onclick="window.accepted = true">Get Started</a>'
        f"<button onclick=\"document.getElementById('o').remove()\" {closer}</button></div>"
    )
    WebApp(page).settings_button.click()
    assert page.evaluate("[window.settings, window.accepted]") == [True, None]


def test_stacked_overlays_are_closed_top_first(page: Page) -> None:
    """A cookie banner under a promo: its close control is covered until the promo is gone."""
    dismiss_interstitials(page)
    page.set_content(
        '<button onclick="window.settings = true">Settings</button>'
        '<div id="c" role="region" aria-label="Cookie consent" style="position:fixed;bottom:0;z-index:25">'
        '<button onclick="window.accepted = true">Accept All Cookies</button>'
        "<button onclick=\"document.getElementById('c').remove()\">Not now</button></div>"
        '<div id="p" role="dialog" aria-label="Promo" style="position:fixed;inset:0;z-index:30;background:#000">'
        "<button onclick=\"document.getElementById('p').remove()\">Skip</button></div>"
    )
    WebApp(page).settings_button.click()
    assert page.evaluate("[window.settings, window.accepted]") == [True, None]
    expect(page.get_by_role("region", name="Cookie consent")).to_have_count(0)


def test_closing_an_overlay_leaves_the_pointer_the_keyboard_and_the_focus_to_the_flow(page: Page) -> None:
    """The dismissal can run beside the flow's own actions (a short wait that set it off gives
    up, and the flow goes on): had it pressed anything, the two pointers would lose each other's
    clicks, and the field the flow is typing in would lose the focus."""
    dismiss_interstitials(page)
    page.set_content(
        '<label>PIN <input id="pin"></label>'
        '<div id="o" role="dialog" aria-label="Promo" hidden>'
        "<button onclick=\"document.getElementById('o').remove()\">Not now</button></div>"
        "<script>window.pressed = 0; for (const kind of ['pointerdown', 'mousedown', 'keydown'])"
        " window.addEventListener(kind, (e) => { if (e.isTrusted) window.pressed++; }, true);</script>"
    )
    pin = page.get_by_label("PIN")
    pin.focus()
    page.evaluate("document.getElementById('o').hidden = false")
    expect(pin).to_be_focused()  # the assertion sets the dismissal off first
    expect(page.get_by_role("dialog", name="Promo")).to_have_count(0)
    assert page.evaluate("window.pressed") == 0


def test_an_overlay_whose_page_goes_away_under_its_handler_fails_nothing_else(
    page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Playwright raises a locator handler's error from the next call the flow makes, whatever
    that call is about: a page that closes or navigates while an overlay is being closed must
    end the dismissal quietly, since the overlay went with the page."""
    ended: list[bool] = []

    def closing(on: Page) -> None:
        try:
            # The close is slow to come: the handler is still at work when the page goes.
            on.get_by_text("never shown").wait_for()
            close_showing(on)
        finally:
            ended.append(True)

    close_showing = overlays._close_showing
    monkeypatch.setattr(overlays, "_close_showing", closing)
    dismiss_interstitials(page)
    page.set_content(
        '<button>Settings</button><div role="dialog" aria-label="Promo"><button>Not now</button></div>'
        # Something lies over Settings for as long as the promo shows.
        '<div style="position:fixed;inset:0;z-index:9"></div>'
    )
    with pytest.raises(PlaywrightTimeoutError):
        # The wait gives up while the handler is still at work, as a short wait of a flow does.
        WebApp(page).settings_button.click(timeout=300)
    assert not ended, "the handler had stopped trying before the page closed"
    other = page.context.new_page()
    page.close()
    # The handler goes on while the flow's calls wait on the browser; none of them may fail.
    for _ in range(1000):
        assert other.evaluate("1 + 1") == 2
        if ended:
            break
    assert ended, "the handler never ended"
    assert other.evaluate("1 + 1") == 2


def test_a_pin_dialogs_own_close_control_is_left_to_the_flow(page: Page) -> None:
    dismiss_interstitials(page)
    page.set_content(
        '<div role="dialog" aria-label="Edit PIN"><h2>Edit PIN</h2><button>Close</button>'
        '<label>PIN <input type="password"></label><button onclick="window.saved = true">Save</button></div>'
    )
    EditPinDialog(page).enter_pin(Secret("PLEX_NEW_PIN", "2580"))
    EditPinDialog(page).save_button.click()
    expect(EditPinDialog(page).root).to_be_visible()
    assert page.evaluate("window.saved") is True


def test_a_row_locator_names_what_it_rests_on(page: Page) -> None:
    page.set_content(user_rows("li", "link"))
    assert re.search(r"Sam", str(PlexHomePage(page, MEMBERS).user("Sam").root))


def test_first_visible_waits_across_frames_and_gives_up_in_the_runs_time(page: Page) -> None:
    page.set_content('<p>Signing in</p><iframe name="fedauth-iFrame" srcdoc="<p>Form</p>"></iframe>')
    in_page = page.get_by_text("Plex Home")
    in_frame = page.frame_locator('iframe[name="fedauth-iFrame"]').get_by_role("alert")
    # The frame answers a moment later: its locator, the second, is the one found.
    page.frame_locator('iframe[name="fedauth-iFrame"]').locator("body").evaluate(
        """body => setTimeout(() => {
            const alert = document.createElement("p");
            alert.setAttribute("role", "alert"); alert.textContent = "User could not be authenticated";
            body.append(alert);
        }, 300)"""
    )
    with action_scope() as scope:
        scope.set_timeout(10_000)
        assert first_visible(in_page, in_frame) == 1
        # Neither ever shows: it gives up after the run's timeout, as expect would.
        scope.set_timeout(700)
        with pytest.raises(AssertionError, match=r"within 0\.7 s"):
            first_visible(in_page, page.get_by_text("never"))
