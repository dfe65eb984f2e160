"""*Remove PIN for managed user*: set or remove a managed user's PIN (no current PIN asked)."""

from __future__ import annotations

from plexbook.errors import BadInput, FlowFailed
from plexbook.pages import EditPinDialog, PlexHomePage, UserRow
from plexbook.pages.actions import expect
from plexbook.runbook import Flow, Runbook, RunOptions, Step
from plexbook.runbooks.common import (
    observed_dialog,
    open_plex_home,
    rehearse_edit_pin,
    unchanged,
    verify_pin_state,
)


def _open(flow: Flow) -> None:
    open_plex_home(flow, managed_only=True, needs_pin=flow.options.mode != "set")


def _hover(flow: Flow) -> None:
    flow.screen = flow.on(PlexHomePage).user(str(flow.user)).hover()


def _edit_pin(flow: Flow) -> None:
    flow.screen = observed_dialog(flow, flow.on(UserRow).edit_pin())


def _set_or_remove(flow: Flow) -> None:
    dialog = flow.on(EditPinDialog)
    if flow.options.mode == "set":
        dialog.set_pin(flow.secret("PLEX_NEW_PIN", "The new PIN"))
    else:
        dialog.remove()


def _rehearse(flow: Flow) -> None:
    dialog = flow.on(EditPinDialog)
    if flow.options.mode != "set":
        rehearse_edit_pin(flow, dialog.remove_button)
        return
    new_pin = flow.secrets.get("PLEX_NEW_PIN")
    if new_pin is None:
        # Some releases may enable Save only once a PIN is typed: without one, check it is there.
        flow.notes.append("PLEX_NEW_PIN is not set: Save was checked to be there, not enabled")
        expect(dialog.save_button).to_be_visible()
        dialog.cancel()
        return
    dialog.enter_pin(new_pin)
    rehearse_edit_pin(flow, dialog.save_button)


def _verify(flow: Flow) -> str:
    if flow.options.mode != "set":
        return verify_pin_state(flow, protected=False)
    verdict = verify_pin_state(flow, protected=True)
    user = flow.api.home_user(str(flow.user))
    if not flow.api.switch_works(user.uuid, flow.secret("PLEX_NEW_PIN", "The new PIN")):
        raise FlowFailed(f"Plex does not accept the new PIN for {flow.user}")
    return f"{verdict}; the new PIN opens the profile"


def _needs(options: RunOptions) -> tuple[tuple[str, str], ...]:
    return (("PLEX_NEW_PIN", "The new PIN"),) if options.mode == "set" else ()


def _check(options: RunOptions) -> None:
    if not options.user and not options.rehearse:
        raise BadInput("managed-user-pin needs --user NAME (the managed user)")


RUNBOOK = Runbook(
    name="managed-user-pin",
    heading="Remove PIN for managed user",
    summary="Set (--set) or remove (--remove, the default) a managed user's PIN.",
    steps=(
        Step("Open Settings and then head to Plex Home.", _open),
        Step("Hover your mouse over the user whose Pin you want to remove.", _hover),
        Step("Select the Edit PIN option.", _edit_pin),
        Step(
            "Next, either set a new PIN or use the remove link to remove the Pin.",
            _set_or_remove,
            commits=True,
            rehearse=_rehearse,
        ),
    ),
    verify=_verify,
    check_unchanged=unchanged,
    commit_control=lambda options: "Save" if options.mode == "set" else "Remove",
    needs=_needs,
    check_options=_check,
)
