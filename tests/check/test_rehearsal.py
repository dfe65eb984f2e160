"""Rehearsals go up to the committing click, check it, cancel, and change nothing."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from plexbook.sandbox import SandboxServer
from tests.conftest import ALEX, run_flow

ALEX_SECRETS = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}


def pins(sandbox: SandboxServer) -> dict[str, str | None]:
    with sandbox.state.locked():
        return {u.title: u.pin for a in sandbox.state.household.accounts for u in a.users}


rehearse = functools.partial(run_flow, rehearse=True)


@pytest.mark.parametrize(
    ("name", "secrets", "options"),
    [
        ("remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "2468"}, {"user": "Jordan"}),
        ("managed-user-pin", {**ALEX_SECRETS, "PLEX_NEW_PIN": "1111"}, {"user": "Teen", "mode": "set"}),
        ("managed-user-pin", ALEX_SECRETS, {"user": "Kid", "mode": "remove"}),
        ("reset-pin", {**ALEX_SECRETS, "PLEX_NEW_PIN": "1111"}, {}),
    ],
    ids=["remove-pin", "managed-set", "managed-remove", "reset-pin"],
)
def test_rehearsal_changes_nothing(
    playwright: Playwright,
    sandbox: SandboxServer,
    tmp_path: Path,
    name: str,
    secrets: dict[str, str],
    options: dict[str, str],
) -> None:
    before = pins(sandbox)
    result = rehearse(playwright, sandbox, tmp_path, name, secrets, **options)
    assert (result.exit_code, result.status) == (0, "rehearsed"), result.message
    assert "its control is there and enabled, then cancelled" in result.message
    assert "nothing changed" in result.message
    assert pins(sandbox) == before
    assert sandbox.state.wrong_attempts(ALEX[0]) == 0
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["rehearsal"] is True
    assert manifest["outcome"]["status"] == "rehearsed"
    committing = [s for s in manifest["steps"] if s["commits"]]
    assert [s["status"] for s in committing] == ["passed"]
    assert "Rehearsal: nothing was committed" in (result.run_dir / "report.html").read_text()


def test_rehearsal_with_a_known_pin_proves_it_still_works(
    playwright: Playwright, classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    result = rehearse(playwright, classic_sandbox, tmp_path, "remove-pin", {**ALEX_SECRETS, "PLEX_PIN": "1234"})
    assert result.exit_code == 0, result.message
    assert "Alex's PIN still opens the profile" in result.message


def test_rehearsal_without_the_pin_stops_at_confirm_current_pin(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    before = pins(sandbox)
    result = rehearse(playwright, sandbox, tmp_path, "remove-pin", ALEX_SECRETS)
    assert (result.exit_code, result.status) == (0, "rehearsed"), result.message
    assert "up to the Confirm Current PIN dialog" in result.message
    assert pins(sandbox) == before
    assert sandbox.state.wrong_attempts(ALEX[0]) == 0
    steps = json.loads((result.run_dir / "manifest.json").read_text())["steps"]
    assert [s["status"] for s in steps] == ["passed", "passed", "passed", "not run"]
