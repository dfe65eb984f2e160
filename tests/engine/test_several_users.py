"""Several users in one command: one browser, one sign-in, a run folder and a summary line each."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from plexbook.evidence import verify_run
from plexbook.sandbox import SandboxServer
from tests.conftest import ALEX, run_cli

PINS = {"PLEX_PIN_JORDAN": "2468", "PLEX_PIN_ALEX": "1234"}
SIGN_IN = "POST /api/v2/users/signin"


def _run(sandbox: SandboxServer, cwd: Path, *args: str, pins: dict[str, str]) -> tuple[int, str, str]:
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], **pins}
    done = run_cli("run", "remove-pin", *args, "--target", sandbox.base_url, "--traces-dir", "traces", cwd=cwd, env=env)
    return done.returncode, done.stdout, done.stderr


def _pin_checks(sandbox: SandboxServer, user_id: int) -> int:
    return sandbox.faults.hits[f"POST /api/v2/home/users/{user_id}/pin/verify"]


def test_two_users_in_turn_with_one_sign_in(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    code, out, err = _run(classic_sandbox, tmp_path, "--user", "Jordan", "--user", "Alex", pins=PINS)
    assert code == 0, out + err
    state = classic_sandbox.state
    assert state.user_titled("Jordan").pin is None
    assert state.user_titled("Alex").pin is None
    assert classic_sandbox.faults.hits[SIGN_IN] == 1
    runs = sorted((tmp_path / "traces").iterdir())
    assert len(runs) == 2
    summary = out.split("Summary:")[1].splitlines()
    assert any(line.split()[:2] == ["Jordan", "done"] for line in summary)
    assert any(line.split()[:2] == ["Alex", "done"] for line in summary)
    # Each run's evidence is complete and holds neither user's PIN nor the password.
    secrets = {**PINS, "PLEX_PASSWORD": ALEX[1]}
    for run_dir in runs:
        assert (run_dir / "trace.zip").is_file()
        assert verify_run(run_dir, secrets) == []
    # Each trace holds its own run's API calls only, and still what draws its snapshots.
    by_user = {json.loads((run_dir / "manifest.json").read_text())["user"]: run_dir for run_dir in runs}
    jordan_id = state.user_titled("Jordan").id
    first, second = _requests(by_user["Jordan"] / "trace.zip"), _requests(by_user["Alex"] / "trace.zip")
    assert SIGN_IN in first
    assert f"PUT /api/home/users/{jordan_id}" in first
    assert SIGN_IN not in second
    assert not [r for r in second if f"/users/{jordan_id}" in r]
    assert f"PUT /api/home/users/{state.user_titled('Alex').id}" in second
    assert [r for r in second if r.startswith("GET /users/") and r.endswith("/avatar")]


def _requests(trace: Path) -> list[str]:
    """``METHOD /path`` of each request in a trace's network log; each body it names must be in the zip."""
    with zipfile.ZipFile(trace) as archive:
        names = set(archive.namelist())
        entries: list[dict[str, Any]] = [
            json.loads(line)["snapshot"] for line in archive.read("trace.network").decode().splitlines()
        ]
    for entry in entries:
        body = entry["response"]["content"].get("_file")
        assert body is None or body in names, body
    return [f"{e['request']['method']} /{e['request']['url'].split('/', 3)[3].split('?')[0]}" for e in entries]


def test_a_refused_pin_stops_that_user_only_and_is_never_retried(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    pins = {**PINS, "PLEX_PIN_JORDAN": "9999"}
    code, out, err = _run(classic_sandbox, tmp_path, "--user", "Jordan", "--user", "Alex", pins=pins)
    assert code == 1, out + err
    assert "Plex refused the PIN" in err
    jordan = classic_sandbox.state.user_titled("Jordan")
    assert jordan.pin == "2468"
    assert _pin_checks(classic_sandbox, jordan.id) == 1
    assert classic_sandbox.state.user_titled("Alex").pin is None
    summary = out.split("Summary:")[1]
    assert "Jordan  failed" in summary
    assert "Alex    done" in summary


def test_stop_on_failure_leaves_the_rest_not_run(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    pins = {**PINS, "PLEX_PIN_JORDAN": "9999"}
    code, out, err = _run(
        classic_sandbox, tmp_path, "--user", "Jordan", "--user", "Alex", "--stop-on-failure", pins=pins
    )
    assert code == 1, out + err
    assert classic_sandbox.state.user_titled("Alex").pin == "1234"
    assert "Alex    not run" in out
    assert len(list((tmp_path / "traces").iterdir())) == 1


def test_a_user_given_twice_is_refused() -> None:
    done = run_cli("run", "remove-pin", "--user", "Jordan", "--user", "Jordan")
    assert done.returncode == 2
    assert "--user Jordan is given more than once" in done.stderr
