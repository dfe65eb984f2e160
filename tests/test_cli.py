"""The plexbook command line: listing, input checks before any browser, and whole runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from plexbook.cli.main import app
from plexbook.sandbox import SandboxServer
from tests.conftest import ALEX, run_cli

runner = CliRunner()
UNUSED_URL = "http://127.0.0.1:9"  # never contacted: these runs stop before a browser starts


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No PLEX_* from the developer's shell, and no .env but the test's own."""
    for name in list(os.environ):
        if name.startswith("PLEX_") or name == "PLEXBOOK_BROWSER_PATH":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_list_names_the_three_runbooks() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    header, *rows = result.output.splitlines()
    assert header.split() == ["Runbook", "What", "it", "does"]
    assert [line.split()[0] for line in rows] == ["remove-pin", "reset-pin", "managed-user-pin"]


def test_show_words_steps_as_the_article_and_marks_commits() -> None:
    result = runner.invoke(app, ["show", "remove-pin"])
    assert result.exit_code == 0
    assert "2. Hover your mouse pointer over the user whose PIN you want to remove and then click on Edit Pin." in (
        result.output
    )
    assert "4. Finally, click on Remove.  [commits]" in result.output


def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command under ``group`` (Typer's click), with the words that name it; a group's
    own commands stand for it."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def test_every_command_help_carries_its_examples_whole() -> None:
    """Each example line shows as written: a command or a plan's line rewrapped into the next cannot be copied."""
    commands = dict(_commands(typer.main.get_command(app)))
    assert {("run",), ("batch",), ("check",), ("evidence", "verify")} <= set(commands)
    for words, command in commands.items():
        result = runner.invoke(app, [*words, "--help"])
        assert result.exit_code == 0
        assert "Example:" in result.output, words
        examples = (command.help or "").split("Example:", 1)[1]
        shown = {line.strip() for line in result.output.splitlines()}
        # The help text is dedented: its examples are the lines indented under "Example:".
        lines = [line.strip() for line in examples.splitlines() if line.startswith("    ") and line.strip()]
        assert lines, words
        for line in lines:
            assert line in shown, f"{' '.join(words)}: {line!r} is not shown whole"


def test_run_help_documents_exit_codes() -> None:
    result = runner.invoke(app, ["run", "--help"])
    said = " ".join(result.output.split())  # as read, whatever the width it is wrapped to
    assert "0 done and verified" in said
    assert "1 the flow failed or its outcome did not verify, or its evidence could not be written" in said
    assert "3 target or remote browser unreachable" in said
    assert "129 the terminal hung up (SIGHUP)" in said


def test_unknown_runbook() -> None:
    result = runner.invoke(app, ["run", "remove-pins"])
    assert result.exit_code == 2
    assert "unknown runbook 'remove-pins'; choose one of: remove-pin, reset-pin, managed-user-pin" in result.output


def test_unknown_user_on_the_sandbox_lists_its_users(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "remove-pin", "--user", "Sam", "--traces-dir", str(tmp_path / "t")])
    assert result.exit_code == 2
    assert "its users are: Alex, Jordan, Kid, Teen" in result.output
    assert "did you mean" not in result.output
    assert not (tmp_path / "t").exists()


def test_a_user_named_in_the_wrong_case_is_refused_naming_the_one_meant(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "remove-pin", "--user", "jordan", "--traces-dir", str(tmp_path / "t")])
    assert result.exit_code == 2
    assert "there is no user 'jordan' in the sandbox's Plex Home (did you mean 'Jordan'?" in result.output
    assert not (tmp_path / "t").exists()


@pytest.mark.parametrize("pin", ["123", "12345", "12a4"])
def test_a_pin_that_is_not_four_digits_is_refused_before_a_browser_starts(tmp_path: Path, pin: str) -> None:
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": pin}
    result = runner.invoke(
        app, ["run", "remove-pin", "--target", UNUSED_URL, "--traces-dir", str(tmp_path / "t")], env=env
    )
    assert result.exit_code == 2
    assert "PLEX_PIN must be exactly 4 digits" in result.output
    assert pin not in result.output
    assert not (tmp_path / "t").exists()


def test_a_missing_secret_in_a_non_interactive_run_names_the_variable(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["run", "remove-pin", "--target", UNUSED_URL, "--traces-dir", str(tmp_path / "t")],
        env={"PLEX_EMAIL": ALEX[0]},
    )
    assert result.exit_code == 2
    assert "set PLEX_PASSWORD" in result.output


def test_dotenv_is_read_and_the_real_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"PLEX_EMAIL={ALEX[0]}\nPLEX_PIN=99\n")
    args = ["run", "remove-pin", "--target", UNUSED_URL, "--traces-dir", str(tmp_path / "t")]
    from_file = runner.invoke(app, args)
    assert from_file.exit_code == 2
    assert "PLEX_PIN must be exactly 4 digits" in from_file.output
    real_wins = runner.invoke(app, args, env={"PLEX_PIN": "1234"})
    assert real_wins.exit_code == 2
    assert "set PLEX_PASSWORD" in real_wins.output


def test_bad_options_are_refused() -> None:
    assert runner.invoke(app, ["run", "remove-pin", "--set"]).exit_code == 2
    assert runner.invoke(app, ["run", "managed-user-pin", "--set", "--remove", "--user", "Kid"]).exit_code == 2
    assert runner.invoke(app, ["run", "remove-pin", "--trace", "sometimes"]).exit_code == 2
    assert runner.invoke(app, ["run", "remove-pin", "--target", "ftp://x"]).exit_code == 2
    result = runner.invoke(app, ["run", "managed-user-pin"])
    assert result.exit_code == 2
    assert "needs --user" in result.output


# -- whole runs, in a process of their own -------------------------------------------------------
def test_run_through_the_cli_changes_the_target_and_prints_the_evidence(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468"}
    done = run_cli(
        "run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, "--traces-dir", "traces", env=env
    )
    assert done.returncode == 0, done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert "remove-pin for Jordan: done" in done.stdout
    (run_dir,) = (tmp_path / "traces").iterdir()
    assert f"Evidence: traces/{run_dir.name}" in done.stdout
    assert f"plexbook trace traces/{run_dir.name}" in done.stdout


def test_a_failed_run_says_which_step_what_was_expected_and_where_the_evidence_is(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "1111"}
    failed = run_cli("run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, env=env)
    assert failed.returncode == 1
    assert "step 3 ('Enter your current PIN and then click on the Edit PIN dialogue.')" in failed.stderr
    assert "Plex refused the PIN: Incorrect PIN" in failed.stderr
    assert "Evidence: traces/" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr
    assert classic_sandbox.state.wrong_attempts(ALEX[0]) == 1


def test_demo_runs_all_three_runbooks_on_the_embedded_sandbox(tmp_path: Path) -> None:
    demo = run_cli("demo")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "remove-pin for Jordan: done" in demo.stdout
    assert "reset-pin for Alex: done" in demo.stdout
    assert "managed-user-pin for Kid: done" in demo.stdout
    assert len(list((tmp_path / "traces").iterdir())) == 3
    # The three share one browser, and each names which build it is.
    for run_dir in (tmp_path / "traces").iterdir():
        browser = json.loads((run_dir / "manifest.json").read_text())["versions"]["browser"]
        assert browser.endswith(")"), browser
        assert "(the system's, " in browser or "(Playwright's own chromium" in browser, browser
    # Progress for each of the three, on stderr, as without a terminal.
    for run in ("remove-pin for Jordan", "reset-pin for the account owner", "managed-user-pin for Kid"):
        assert f"{run}: step 1/" in demo.stderr
    # The evidence table: a header and one row per run.
    assert demo.stdout.split("Evidence:\n")[1].splitlines()[0].split() == ["Runbook", "Outcome", "Folder"]


@pytest.mark.parametrize("args", [["--help"], ["list"], ["show", "remove-pin"]])
def test_help_list_and_show_load_no_browser_server_or_report_code(args: list[str]) -> None:
    # What keeps them quick: Playwright, the sandbox's web server and Jinja are imported only
    # by the commands that use them. (pydantic is left out: typer itself checks values with it.)
    probe = (
        "import sys\n"
        "from plexbook.cli.entry import main\n"
        f"sys.argv = ['plexbook', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('playwright', 'starlette', 'uvicorn', 'jinja2')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_python_dash_m_plexbook_is_the_same_command() -> None:
    done = subprocess.run([sys.executable, "-m", "plexbook", "list"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "remove-pin" in done.stdout
