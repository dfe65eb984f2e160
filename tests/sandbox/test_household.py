"""Households: the demo one, files that model a user's own Home, and refusing bad files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from plexbook.cli.main import app
from plexbook.sandbox import HouseholdError, SandboxServer, Variant, demo_household, load_household
from tests.conftest import CLIENT_HEADERS, sign_in_token

OWN_HOME = {
    "accounts": [
        {
            "email": "sam@example.test",
            "password": "pw-sam",
            "users": [
                {"title": "Sam", "admin": True, "pin": "1111"},
                {"title": "Robin", "restricted": True, "restrictionProfile": "teen", "pin": "2222"},
            ],
        }
    ]
}


def test_demo_household_is_the_documented_one() -> None:
    household = demo_household()
    alex, casey = household.accounts
    assert (alex.email, alex.password, alex.owner.title, alex.owner.pin) == (
        "alex@sandbox.plexbook.test",
        "sandbox-pass-1",
        "Alex",
        "1234",
    )
    users = {u.title: u for u in alex.users}
    assert (users["Jordan"].pin, users["Jordan"].managed) == ("2468", False)
    assert (users["Kid"].pin, users["Kid"].restrictionProfile) == ("4321", "little_kid")
    assert (users["Teen"].pin, users["Teen"].restrictionProfile) == (None, "older_kid")
    assert (casey.email, casey.password, casey.totpSecret) == (
        "casey@sandbox.plexbook.test",
        "sandbox-pass-2",
        "JBSWY3DPEHPK3PXP",
    )
    assert [u.title for u in casey.users] == ["Casey"]
    assert casey.owner.pin is None


def test_demo_household_is_fresh_every_time() -> None:
    first = demo_household()
    first.accounts[0].owner.pin = None
    assert demo_household().accounts[0].owner.pin == "1234"


def test_a_state_file_is_served_and_changes_are_saved_back(tmp_path: Path) -> None:
    path = tmp_path / "home.json"
    path.write_text(json.dumps(OWN_HOME))
    with SandboxServer(state_file=path) as server:
        token = sign_in_token(server.base_url, "sam@example.test", "pw-sam")
        robin = server.state.user_titled("Robin")
        response = httpx.post(
            f"{server.base_url}/api/v2/home/users/restricted/{robin.id}",
            params={"removePin": "1"},
            headers={**CLIENT_HEADERS, "X-Plex-Token": token},
        )
        assert response.status_code == 201
    saved = load_household(path)
    assert {u.title: u.pin for u in saved.accounts[0].users} == {"Sam": "1111", "Robin": None}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"accounts": []}), "accounts: List should have at least 1 item"),
        (
            json.dumps(
                {"accounts": [{**OWN_HOME["accounts"][0], "users": [{"title": "Sam", "admin": True, "pin": "12"}]}]}
            ),
            "accounts.0.users.0.pin",
        ),
        (
            json.dumps({"accounts": [{**OWN_HOME["accounts"][0], "users": [{"title": "Sam"}]}]}),
            "exactly one admin",
        ),
        (json.dumps({"accounts": [{**OWN_HOME["accounts"][0], "totpSecret": "not base32!"}]}), "TOTP secret"),
        (json.dumps({"accounts": [{**OWN_HOME["accounts"][0], "colour": "red"}]}), "colour: Extra inputs"),
    ],
)
def test_a_malformed_household_file_is_refused_naming_file_and_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(HouseholdError) as refused:
        load_household(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert problem in str(refused.value)


def test_cli_refuses_a_malformed_state_file_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[1, 2")
    result = CliRunner().invoke(app, ["sandbox", "--state", str(path), "--port", "0"])
    assert result.exit_code == 2
    assert f"{path}: not valid JSON" in result.output
    assert "Traceback" not in result.output


def test_cli_refuses_an_unknown_variant() -> None:
    result = CliRunner().invoke(app, ["sandbox", "--variant", "retro", "--port", "0"])
    assert result.exit_code == 2
    assert "'retro' is not one of 'classic', 'modern', 'hybrid', 'compact', 'random'" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_sandbox(port: int, *args: str) -> tuple[subprocess.Popen[str], str]:
    """``plexbook sandbox`` in its own process; returns it and what it printed up to its URL."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "plexbook", "sandbox", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    banner = ""
    while "Serving at" not in banner:
        line = process.stdout.readline()
        assert line, banner
        banner += line
    return process, banner


def test_plexbook_sandbox_prints_the_choices_a_random_seed_drew() -> None:
    process, banner = _start_sandbox(_free_port(), "--variant", "random", "--seed", "4711")
    try:
        drawn = Variant.random(4711)
        assert "random-4711" in banner
        assert "--seed 4711" in banner
        for line in drawn.choices():
            assert line in banner
        assert Variant.random(4711) == drawn
        assert Variant.random(4712) != drawn
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_plexbook_sandbox_serves_a_fresh_household_and_prints_its_url() -> None:
    port = _free_port()
    process, banner = _start_sandbox(port, "--variant", "modern")
    try:
        assert f"http://127.0.0.1:{port}/desktop/" in banner
        assert "modern" in banner
        token = sign_in_token(f"http://127.0.0.1:{port}")
        users = httpx.get(
            f"http://127.0.0.1:{port}/api/v2/home/users",
            headers={**CLIENT_HEADERS, "X-Plex-Token": token, "Accept": "application/json"},
        ).json()["users"]
        assert [u["title"] for u in users] == ["Alex", "Jordan", "Kid", "Teen"]
    finally:
        process.terminate()
        process.wait(timeout=10)
