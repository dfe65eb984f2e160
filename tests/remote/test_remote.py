"""Runs on a remote browser: evidence and scrubbing as with a local one, the browser elsewhere.

The local launch is made impossible (PLEXBOOK_BROWSER_PATH names no file), so a run that
passes can only have used the remote browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plexbook.evidence import verify_run
from plexbook.sandbox import SandboxServer
from tests.conftest import ALEX, run_cli

NO_LOCAL_BROWSER = {"PLEXBOOK_BROWSER_PATH": "/nonexistent/chromium"}
JORDAN_ENV = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468", **NO_LOCAL_BROWSER}


@pytest.fixture(params=["browser-endpoint", "cdp-endpoint"])
def remote(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(option, address) of each kind of remote browser in turn."""
    kind = str(request.param)
    address = request.getfixturevalue("browser_server" if kind == "browser-endpoint" else "cdp_browser")
    return f"--{kind}", address


def _only_run(traces: Path) -> Path:
    (run_dir,) = [p for p in traces.iterdir() if "-batch-" not in p.name]
    return run_dir


def test_run_on_a_remote_browser_changes_the_target_and_keeps_clean_evidence(
    remote: tuple[str, str], classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    option, address = remote
    target = classic_sandbox.base_url
    done = run_cli(
        "run", "remove-pin", "--user", "Jordan", "--target", target, option, address, "--traces-dir", "traces",
        cwd=tmp_path, env=JORDAN_ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    run_dir = _only_run(tmp_path / "traces")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["outcome"]["status"] == "done"
    assert manifest["versions"]["browser"].startswith("chromium ")
    assert manifest["trace"] == "trace.zip"
    assert len(list(run_dir.glob("0*.png"))) == 5
    assert verify_run(run_dir, {"PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468"}) == []


def test_local_launch_is_really_impossible_in_these_tests(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    # The control for the tests above: without a remote browser, the same run cannot start.
    done = run_cli(
        "run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, "--traces-dir", "traces",
        cwd=tmp_path, env=JORDAN_ENV,
    )  # fmt: skip
    assert done.returncode != 0
    assert "PLEXBOOK_BROWSER_PATH" in done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin == "2468"


def test_batch_on_a_browser_server(browser_server: str, classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    url = classic_sandbox.base_url
    (tmp_path / "plan.csv").write_text(f"runbook,user,target\nremove-pin,Jordan,{url}\nmanaged-user-pin,Kid,{url}\n")
    done = run_cli(
        "batch", "plan.csv", "--browser-endpoint", browser_server, "--traces-dir", "traces",
        cwd=tmp_path, env=JORDAN_ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert classic_sandbox.state.user_titled("Kid").pin is None


def test_pytest_plugin_on_a_remote_browser(cdp_browser: str, tmp_path: Path) -> None:
    # The regression suite, on the embedded sandbox, through the plugin's own option.
    done = run_cli_pytest(
        tmp_path,
        "-p",
        "plexbook.pytest_plugin",
        "--pyargs",
        "plexbook.regression",
        "-k",
        "remove-pin",
        "--plex-cdp-endpoint",
        cdp_browser,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout


def run_cli_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in its own process, with no PLEX_* secrets and no local browser to launch."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    env.update(NO_LOCAL_BROWSER)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
