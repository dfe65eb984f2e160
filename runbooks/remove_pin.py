"""*If you know the current PIN*: remove a PIN through Settings > Plex Home."""

from __future__ import annotations

from plexbook.errors import RehearsalStop
from plexbook.pages import ConfirmPinDialog, EditPinDialog
from plexbook.pages.actions import expect
from plexbook.runbook import Flow, Runbook, RunOptions, Step
from plexbook.runbooks.common import (
    hover_user_and_edit_pin,
    observed_dialog,
    open_plex_home,
    rehearse_edit_pin,
    unchanged,
    verify_pin_state,
)


def _open(flow: Flow) -> None:
    open_plex_home(flow)


def _enter_current_pin(flow: Flow) -> None:
    if not isinstance(flow.screen, ConfirmPinDialog):
        flow.notes.append("Plex did not ask for the current PIN (managed user): Edit PIN opened directly")
        return
    dialog = flow.screen
    if flow.rehearsing and not flow.secrets.has("PLEX_PIN"):
        # Without the PIN a rehearsal goes no further: it never guesses one.
        expect(dialog.pin_fields.first).to_be_editable()
        dialog.cancel()
        raise RehearsalStop("rehearsed up to the Confirm Current PIN dialog and cancelled there (PLEX_PIN is not set)")
    pin = flow.secret("PLEX_PIN", "The current PIN")
    flow.screen = observed_dialog(flow, dialog.confirm(pin))
    flow.confirmed_pin = pin


def _remove(flow: Flow) -> None:
    flow.on(EditPinDialog).remove()


def _rehearse_remove(flow: Flow) -> None:
    rehearse_edit_pin(flow, flow.on(EditPinDialog).remove_button)


def _verify(flow: Flow) -> str:
    return verify_pin_state(flow, protected=False)


def _needs(options: RunOptions) -> tuple[tuple[str, str], ...]:
    return (("PLEX_PIN", "The current PIN"),)


RUNBOOK = Runbook(
    name="remove-pin",
    heading="If you know the current Pin",
    summary="Remove a Home user's PIN, confirming the current PIN (Settings > Plex Home).",
    steps=(
        Step("Open Plex and then navigate to Settings > Plex Home page.", _open),
        Step(
            "Hover your mouse pointer over the user whose PIN you want to remove and then click on Edit Pin.",
            hover_user_and_edit_pin,
        ),
        Step("Enter your current PIN and then click on the Edit PIN dialogue.", _enter_current_pin),
        Step("Finally, click on Remove.", _remove, commits=True, rehearse=_rehearse_remove),
    ),
    verify=_verify,
    check_unchanged=unchanged,
    commit_control=lambda options: "Remove",
    needs=_needs,
)
