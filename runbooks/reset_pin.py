"""*If you have forgotten the current Pin*: sign in and use the PIN Reset page."""

from __future__ import annotations

from plexbook.errors import BadInput, FlowFailed
from plexbook.pages import PinResetPage, WebApp
from plexbook.pages.actions import expect
from plexbook.runbook import Flow, Runbook, RunOptions, Step
from plexbook.runbooks.common import unchanged


def _sign_in(flow: Flow) -> None:
    flow.open(flow.target.app_url)
    flow.sign_in_if_asked(WebApp(flow.page).ready)
    owner = flow.api.me()
    if flow.options.user and flow.options.user != owner.title:
        raise BadInput(f"reset-pin resets the account owner's own PIN ({owner.title}), not {flow.options.user}'s")
    flow.user = owner.title


def _choose(flow: Flow) -> None:
    page = PinResetPage(flow.page)
    flow.open(flow.target.pin_reset_url)
    flow.sign_in_if_asked(page.heading)
    flow.observe("pin-reset", flow.page.locator("body"))
    new_pin = flow.secrets.get("PLEX_NEW_PIN") if flow.rehearsing else flow.secret("PLEX_NEW_PIN", "The new PIN")
    password = flow.secret("PLEX_PASSWORD", "The account password")
    if new_pin is None:
        flow.notes.append("PLEX_NEW_PIN is not set: the rehearsal typed the password only")
        page.fill_password(password)
    else:
        page.choose_pin(new_pin, password)
    flow.screen = page


def _update(flow: Flow) -> None:
    flow.on(PinResetPage).update()


def _rehearse_update(flow: Flow) -> None:
    expect(flow.on(PinResetPage).update_button).to_be_enabled()
    # The page has no Cancel: leaving it unsubmitted is the cancel.
    flow.open(flow.target.app_url)


def _verify(flow: Flow) -> str:
    owner = flow.api.me()
    if not owner.protected:
        raise FlowFailed(f"the API reports no PIN for {flow.user} after the update")
    if not flow.api.switch_works(owner.uuid, flow.secret("PLEX_NEW_PIN", "The new PIN")):
        raise FlowFailed(f"Plex does not accept the new PIN for {flow.user}")
    return f"{flow.user}'s PIN was reset: Plex accepts the new PIN"


def _needs(options: RunOptions) -> tuple[tuple[str, str], ...]:
    return (("PLEX_NEW_PIN", "The new PIN"), ("PLEX_PASSWORD", "The account password"))


RUNBOOK = Runbook(
    name="reset-pin",
    heading="If you have forgotten the current Pin",
    summary="Choose a new PIN for the account owner on the PIN Reset page (needs the password).",
    steps=(
        Step("Sign in to the Plex account on website.", _sign_in),
        Step("Navigate to the Pin Reset page and then choose a new Pin and your current password.", _choose),
        Step(
            "Finally, hit the Update button for the changes to take place.",
            _update,
            commits=True,
            rehearse=_rehearse_update,
        ),
    ),
    verify=_verify,
    check_unchanged=unchanged,
    commit_control=lambda options: "Update",
    needs=_needs,
)
