"""plexbook batch: rows across accounts, groups sharing a sign-in, workers side by side, an index."""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plexbook.batch import Batch, read_plan
from plexbook.cli.main import app
from plexbook.evidence import verify_run
from plexbook.sandbox import SandboxServer
from tests.conftest import ALEX, CASEY, CASEY_TOTP, run_cli

SIGN_IN = "POST /api/v2/users/signin"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_across_two_accounts_runs_on_two_workers_and_indexes_every_run(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = classic_sandbox.base_url
    _write(tmp_path, "alex.env", f"PLEX_EMAIL={ALEX[0]}\nPLEX_PASSWORD={ALEX[1]}\nPLEX_PIN_JORDAN=2468\n")
    _write(
        tmp_path,
        "casey.env",
        f"PLEX_EMAIL={CASEY[0]}\nPLEX_PASSWORD={CASEY[1]}\nPLEX_TOTP_SECRET={CASEY_TOTP}\nPLEX_NEW_PIN=8642\n",
    )
    _write(
        tmp_path,
        "plan.csv",
        "runbook,user,target,mode,env\n"
        f"remove-pin,Jordan,{url},,alex.env\n"
        f"reset-pin,,{url},,casey.env\n"
        f"managed-user-pin,Kid,{url},remove,alex.env\n",
    )
    done = run_cli("batch", "plan.csv", "--workers", "2", "--traces-dir", "traces", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    state = classic_sandbox.state
    assert state.user_titled("Jordan").pin is None
    assert state.user_titled("Kid").pin is None
    assert state.user_titled("Casey").pin == "8642"
    # One sign-in per account: Jordan and Kid shared Alex's (one request), and Casey's took
    # two (the password, then the verification code).
    assert classic_sandbox.faults.hits[SIGN_IN] == 3
    assert "3 runs in 2 group(s)" in done.stdout
    # Each run's steps are shown as they go, named by run, whichever worker runs them.
    for run in (
        "line 2: remove-pin for Jordan",
        "line 3: reset-pin for the account owner",
        "line 4: managed-user-pin for Kid",
    ):
        assert f"{run}: step 1/" in done.stderr
        assert re.search(rf"{run}: step \d/\d passed in", done.stderr)
    (index_path,) = (tmp_path / "traces").glob("*-batch-*/index.json")
    index = json.loads(index_path.read_text())
    assert [(run["line"], run["runbook"], run["status"]) for run in index["runs"]] == [
        (2, "remove-pin", "done"),
        (3, "reset-pin", "done"),
        (4, "managed-user-pin", "done"),
    ]
    assert index["exit_code"] == 0
    secrets = {"PLEX_PASSWORD": ALEX[1], "CASEY": CASEY[1], "PLEX_PIN": "2468", "KID": "4321", "NEW": "8642"}
    assert not any(value in index_path.read_text() for value in secrets.values())
    for run in index["runs"]:
        run_dir = tmp_path / "traces" / run["run_dir"]
        assert verify_run(run_dir, secrets) == []
        # Each run names the build its worker's browser is, which the worker launched.
        browser = json.loads((run_dir / "manifest.json").read_text())["versions"]["browser"]
        built = r"(the system's|Playwright's own chromium|PLEXBOOK_BROWSER_PATH), .+"
        assert re.fullmatch(rf"chromium \S+ \({built}\)", browser), browser


def test_a_refused_pin_fails_its_row_and_the_others_go_on(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    url = classic_sandbox.base_url
    _write(tmp_path, ".env", f"PLEX_EMAIL={ALEX[0]}\nPLEX_PASSWORD={ALEX[1]}\nPLEX_PIN_JORDAN=9999\n")
    _write(tmp_path, "plan.csv", f"runbook,user,target\nremove-pin,Jordan,{url}\nmanaged-user-pin,Kid,{url}\n")
    done = run_cli("batch", "plan.csv", "--traces-dir", "traces", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin == "2468"
    assert classic_sandbox.state.user_titled("Kid").pin is None
    assert "line 2: remove-pin for Jordan" in done.stdout
    assert "Plex refused the PIN" in done.stdout


def test_a_bad_plan_is_refused_naming_its_lines(tmp_path: Path) -> None:
    _write(tmp_path, "plan.csv", "runbook,user\nremove-pin,Jordan\nremove-everything,Kid\nreset-pin,,\n")
    done = run_cli("batch", "plan.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "line 3: unknown runbook 'remove-everything'" in done.stderr
    assert not (tmp_path / "traces").exists()


def test_the_readme_plans_read_as_documented_in_csv_and_yaml_alike(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name in ("alex.env", "casey.env"):
        _write(tmp_path, name, "PLEX_EMAIL=someone@example.test\n")
    rows = read_plan(_write(tmp_path, "plan.csv", readme.split("```csv\n", 1)[1].split("```", 1)[0]))
    assert [(row.line, row.runbook, row.user, row.target) for row in rows] == [
        (2, "remove-pin", "Jordan", "live"),
        (3, "managed-user-pin", "Kid", "live"),
        (4, "remove-pin", "Sam", "live"),
    ]
    assert rows[0].env == rows[1].env != rows[2].env
    in_yaml = read_plan(_write(tmp_path, "plan.yaml", readme.split("```yaml\n", 1)[1].split("```", 1)[0]))
    assert [row.line for row in in_yaml] == [1, 2, 3]
    assert [replace(row, line=0) for row in in_yaml] == [replace(row, line=0) for row in rows]


def test_a_yaml_plan_runs_its_rows_and_names_them_by_their_lines(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = classic_sandbox.base_url
    _write(tmp_path, ".env", f"PLEX_EMAIL={ALEX[0]}\nPLEX_PASSWORD={ALEX[1]}\nPLEX_PIN_JORDAN=2468\n")
    _write(
        tmp_path,
        "plan.yml",
        "# Alex's Home\n"
        f"- runbook: remove-pin\n  user: Jordan\n  target: {url}\n\n"
        f"- runbook: managed-user-pin\n  user: Kid\n  mode: remove\n  rehearse: no\n  target: {url}\n",
    )
    done = run_cli("batch", "plan.yml", "--traces-dir", "traces", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert classic_sandbox.state.user_titled("Kid").pin is None
    assert "2 runs in 1 group(s)" in done.stdout
    assert "line 2: remove-pin for Jordan" in done.stdout
    assert "line 6: managed-user-pin for Kid" in done.stdout
    (index_path,) = (tmp_path / "traces").glob("*-batch-*/index.json")
    index = json.loads(index_path.read_text())
    assert [(run["line"], run["status"]) for run in index["runs"]] == [(2, "done"), (6, "done")]


def test_a_yaml_plan_is_read_as_text_and_refused_naming_each_bad_run(tmp_path: Path) -> None:
    plan = _write(
        tmp_path, "plan.yaml", "- runbook: remove-pin\n  user: No\n  rehearse: yes\n- {runbook: reset-pin, user: ~}\n"
    )
    assert [(row.user, row.rehearse) for row in read_plan(plan)] == [("No", True), (None, False)]
    _write(
        tmp_path,
        "plan.yaml",
        "- runbook: remove-pin\n  usr: Jordan\n"
        "- runbook: remove-everything\n"
        "- [remove-pin, Jordan]\n"
        "- runbook: remove-pin\n  user: [Jordan, Alex]\n"
        "- runbook:\n",
    )
    done = run_cli("batch", "plan.yaml", cwd=tmp_path)
    assert done.returncode == 2
    for problem in (
        "line 1: unknown column 'usr'",
        "line 3: unknown runbook 'remove-everything'",
        "line 4: a run is a mapping of columns",
        "line 5: user must be a single value",
        "line 7: a run with nothing in it",
    ):
        assert problem in done.stderr
    _write(tmp_path, "plan.yaml", 'runbook: remove-pin\nuser: "Jordan\n')
    done = run_cli("batch", "plan.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert "plan.yaml: not readable as YAML" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "traces").exists()


def test_a_row_without_its_secrets_stops_the_batch_before_any_browser(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    url = classic_sandbox.base_url
    _write(tmp_path, "plan.csv", f"runbook,user,target\nmanaged-user-pin,Kid,{url}\nremove-pin,Jordan,{url}\n")
    done = run_cli("batch", "plan.csv", "--traces-dir", "traces", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "line 2: managed-user-pin for Kid" in done.stderr
    assert "PLEX_EMAIL" in done.stderr
    assert not (tmp_path / "traces").exists()
    assert classic_sandbox.state.user_titled("Kid").pin == "4321"


def test_a_row_for_a_user_the_home_lacks_names_its_line_and_runs_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "plan.csv", "runbook,user\nremove-pin,Jordan\nremove-pin,Nobody\n")
    done = run_cli("batch", "plan.csv", "--traces-dir", "traces", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "line 3: remove-pin for Nobody on sandbox: there is no user 'Nobody'" in done.stderr
    assert done.stderr.rstrip().endswith("; no row was run")
    assert not (tmp_path / "traces").exists()


def test_an_index_that_cannot_be_written_leaves_the_summary_and_a_failing_code(
    classic_sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The disk fills as the batch ends: its runs are done and told, only the index is missing.
    def full_disk(self: Batch) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Batch, "write_index", full_disk)
    monkeypatch.chdir(tmp_path)
    for name, value in {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468"}.items():
        monkeypatch.setenv(name, value)
    _write(tmp_path, "plan.csv", f"runbook,user,target\nremove-pin,Jordan,{classic_sandbox.base_url}\n")
    done = CliRunner().invoke(app, ["batch", "plan.csv", "--traces-dir", "traces", "--quiet"])
    assert done.exit_code == 1, done.output
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert f"remove-pin for Jordan on {classic_sandbox.base_url}: done - " in done.output
    assert "Summary:" in done.output
    assert "Error: the batch's index could not be written (No space left on device)" in done.output
    assert "Traceback" not in done.output
