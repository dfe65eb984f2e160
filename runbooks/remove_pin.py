"""*If you know the current PIN*: remove a PIN through Settings > Plex Home."""

from __future__ import annotations

from pages import ConfirmPinDialog
from plexbook.runbook import Flow, RunOptions, Runbook, Step
from runbooks.common import edit_pin_dialog, hover_user_and_edit_pin, open_plex_home, verify_pin_state


def _open(flow: Flow) -> None:
    open_plex_home(flow)


def _enter_current_pin(flow: Flow) -> None:
    if isinstance(flow.screen, ConfirmPinDialog):
        flow.screen = flow.screen.confirm(flow.secret("PLEX_PIN", "The current PIN"))
    else:
        flow.notes.append("Plex did not ask for the current PIN (managed user): Edit PIN opened directly")


def _remove(flow: Flow) -> None:
    edit_pin_dialog(flow).remove()


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
        Step("Finally, click on Remove.", _remove, commits=True),
    ),
    verify=_verify,
    needs=_needs,
)
