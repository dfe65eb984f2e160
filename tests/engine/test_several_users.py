"""Several users in one command: one browser, one sign-in, a run folder and a summary line each."""

from __future__ import annotations

from pathlib import Path

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
