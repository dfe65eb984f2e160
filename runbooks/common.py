"""Steps and checks more than one runbook uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plexbook.errors import FlowFailed
from plexbook.pages import ConfirmPinDialog, EditPinDialog, PlexHomePage, WebApp
from plexbook.pages.actions import expect

if TYPE_CHECKING:
    from playwright.sync_api import Locator

    from plexbook.runbook import Flow


def open_plex_home(flow: Flow, *, managed_only: bool = False, needs_pin: bool = True) -> None:
    """Open the web app (signing in if asked), then Settings > Plex Home; check the user.

    When the run before this one (another user, in the same command) left Plex Home open,
    the flow is there already and goes on from it, as a person would.
    """
    app = WebApp(flow.page)
    # A page that has shown nothing yet cannot be on Plex Home: no need to ask the browser.
    shown_before = not flow.page.url.startswith("about:")
    if shown_before and PlexHomePage(flow.page).heading.is_visible():
        flow.select_user(managed_only=managed_only, needs_pin=needs_pin)
        flow.notes.append("Plex Home was open already (left by the previous run in this command)")
        flow.screen = PlexHomePage(flow.page, flow.members)
    else:
        flow.open(flow.target.app_url)
        flow.sign_in_if_asked(app.ready)
        flow.select_user(managed_only=managed_only, needs_pin=needs_pin)
        flow.screen = app.open_plex_home(flow.members)
    flow.observe("plex-home", flow.page.locator("body"))


def hover_user_and_edit_pin(flow: Flow) -> None:
    """Hover the user's row and click Edit PIN."""
    home = flow.on(PlexHomePage)
    flow.screen = observed_dialog(flow, home.user(str(flow.user)).hover().edit_pin())


def observed_dialog(flow: Flow, dialog: ConfirmPinDialog | EditPinDialog) -> ConfirmPinDialog | EditPinDialog:
    """Hand a PIN dialog to the structure check; returns it."""
    flow.observe("confirm-current-pin" if isinstance(dialog, ConfirmPinDialog) else "edit-pin", dialog.root)
    return dialog


def rehearse_edit_pin(flow: Flow, control: Locator) -> None:
    """A rehearsal's committing step: the control is there and enabled; then Cancel."""
    dialog = flow.on(EditPinDialog)
    expect(control).to_be_enabled()
    dialog.cancel()


def verify_pin_state(flow: Flow, *, protected: bool) -> str:
    """Reload Plex Home and ask the API: both must agree the user's PIN is (or is not) set."""
    title = str(flow.user)
    row = reload_plex_home(flow).user(title)
    api_protected = flow.api.home_user(title).protected
    shown = "still shows" if not protected else "does not show"
    if api_protected != protected:
        # Plex says the change is not there: the row is read as it is, with no wait for a
        # change that will not come.
        expect(row.root).to_be_visible()
        if (row.pin_required.count() > 0) != protected:
            raise FlowFailed(f'Plex Home {shown} "PIN Required" for {title} after reloading, and the API agrees')
        raise FlowFailed(f"the API reports protected={str(api_protected).lower()} for {title}")
    try:
        # The API agrees; the reloaded page may take a moment to draw the row as it says. One
        # wait covers both: the row is there, with (or without) "PIN Required".
        expect(row.pin_required if protected else row.without_pin_required).to_be_visible()
    except AssertionError:
        if not row.root.is_visible():
            raise  # no row at all: the page is not what the contract says, which is no outcome
        raise FlowFailed(f'Plex Home {shown} "PIN Required" for {title} after reloading') from None
    if protected:
        return f'{title} now has a PIN: Plex Home shows "PIN Required" and the API agrees'
    return f'{title}\'s PIN is removed: Plex Home no longer shows "PIN Required" and the API agrees'


def reload_plex_home(flow: Flow) -> PlexHomePage:
    """Plex Home afresh: reloaded where the flow is on it, else reached through Settings again.

    After a reload it returns at once: wait for what is read next.

    Never by its address: the contract treats the route as a shortcut that may have moved.
    """
    if not flow.members:
        flow.members = tuple(user.title for user in flow.api.home_users())
    home = PlexHomePage(flow.page, flow.members)
    if home.heading.is_visible():
        # What the caller waits for next (a row) can only show once the page is back.
        flow.reload()
        return home
    app = WebApp(flow.page)
    flow.open(flow.target.app_url)
    flow.sign_in_if_asked(app.ready)
    return app.open_plex_home(flow.members)


def unchanged(flow: Flow) -> str:
    """A rehearsal's outcome: the Home's PIN flags, and the confirmed PIN, are as they were."""
    if flow.before is None:
        return "nothing was reached that could change"
    after = flow.protection()
    if after != flow.before:
        moved = ", ".join(
            f"{t}: {flow.before.get(t)} -> {after.get(t)}" for t in after if after.get(t) != flow.before.get(t)
        )
        raise FlowFailed(f"the rehearsal changed the Home's PIN flags ({moved})")
    checked = f"the protected flags of all {len(after)} users are as before"
    if flow.user and flow.user in after:
        verify_pin_state(flow, protected=after[flow.user])
        checked += f", Plex Home shows {flow.user} as before"
    if flow.confirmed_pin is not None and flow.user:
        if not flow.api.switch_works(flow.api.home_user(flow.user).uuid, flow.confirmed_pin):
            raise FlowFailed(f"{flow.user}'s PIN no longer opens the profile after the rehearsal")
        checked += f", and {flow.user}'s PIN still opens the profile"
    return f"nothing changed: {checked}"
