"""Runs on a remote browser: evidence and scrubbing as with a local one, the browser elsewhere.

The local launch is made impossible (PLEXBOOK_BROWSER_PATH names no file), so a run that
passes can only have used the remote browser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from plexbook.evidence import verify_run
from plexbook.sandbox import SandboxServer
from plexbook.scrub import encoded_forms
from tests.conftest import ALEX, blobs, run_cli
from tests.remote.conftest import KeyedFront

NO_LOCAL_BROWSER = {"PLEXBOOK_BROWSER_PATH": "/nonexistent/chromium"}
JORDAN_ENV = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468", **NO_LOCAL_BROWSER}


@pytest.fixture(params=["browser-endpoint", "cdp-endpoint"])
def remote(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(option, address) of each kind of remote browser in turn."""
    kind = str(request.param)
    address = request.getfixturevalue("browser_server" if kind == "browser-endpoint" else "cdp_browser")
    return f"--{kind}", address


def _naming(option: str, address: str) -> tuple[list[str], dict[str, str]]:
    """How a run names the remote browser at ``address``, as (arguments, environment).

    A browser server's address holds its key (launchServer's unguessable path), which the
    command line refuses: it goes in the environment. A DevTools address holds none.
    """
    if option == "--browser-endpoint":
        return [], {"PLEXBOOK_BROWSER_ENDPOINT": address}
    return [option, address], {}


def _server_key(address: str) -> str:
    """A browser server's key: the unguessable last segment of its address's path."""
    key = urlsplit(address).path.rpartition("/")[2]
    assert len(key) >= 16, address  # launchServer's path, unless Playwright stops giving one
    return key


def _only_run(traces: Path) -> Path:
    (run_dir,) = [p for p in traces.iterdir() if "-batch-" not in p.name]
    return run_dir


def test_run_on_a_remote_browser_changes_the_target_and_keeps_clean_evidence(
    remote: tuple[str, str], classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    option, address = remote
    named, variables = _naming(option, address)
    target = classic_sandbox.base_url
    done = run_cli(
        "run", "remove-pin", "--user", "Jordan", "--target", target, *named, "--traces-dir", "traces",
        cwd=tmp_path, env={**JORDAN_ENV, **variables},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    run_dir = _only_run(tmp_path / "traces")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["outcome"]["status"] == "done"
    assert manifest["versions"]["browser"].startswith("chromium ")
    # Which browser ran, with the address it was reached at (a browser server's key left out).
    port = urlsplit(address).port
    kind = "a remote Playwright browser server" if option == "--browser-endpoint" else "a remote Chromium over CDP"
    assert f"({kind}, " in manifest["versions"]["browser"]
    assert f"127.0.0.1:{port}" in manifest["versions"]["browser"]
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
        "batch", "plan.csv", "--traces-dir", "traces",
        cwd=tmp_path, env={**JORDAN_ENV, "PLEXBOOK_BROWSER_ENDPOINT": browser_server},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert classic_sandbox.state.user_titled("Kid").pin is None
    assert _holding(tmp_path / "traces", _server_key(browser_server)) == []


#: A hosted browser's key, as Browserless takes it: in the address's query.
KEY = "remote-key-7f3a9c"


def _holding(root: Path, secret: str) -> list[str]:
    """Every file under ``root`` (and every entry of every zip) that holds ``secret`` in any written form."""
    forms = [form.encode() for form in encoded_forms(secret)]
    files = (p for p in root.rglob("*") if p.is_file())
    return [name for p in files for name, blob in blobs(str(p), p.read_bytes()) if any(f in blob for f in forms)]


def test_a_remote_browser_s_key_comes_from_dotenv_and_is_in_no_artifact_or_output(
    browser_server: str, classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(f"PLEXBOOK_BROWSER_ENDPOINT={browser_server}?token={KEY}\n")
    args = ("run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, "--traces-dir", "traces")
    done = run_cli(*args, cwd=tmp_path, env=JORDAN_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert KEY not in done.stdout + done.stderr
    assert _holding(tmp_path / "traces", KEY) == []

    # On the command line the same address is refused before anything starts, and not echoed;
    # so is the server's own address, whose path is its key.
    for address in (f"{browser_server}?token={KEY}", browser_server):
        refused = run_cli(*args, "--browser-endpoint", address, cwd=tmp_path, env=JORDAN_ENV)
        assert refused.returncode == 2
        assert "set PLEXBOOK_BROWSER_ENDPOINT in the environment or .env instead" in refused.stderr
        assert KEY not in refused.stdout + refused.stderr
        assert _server_key(browser_server) not in refused.stdout + refused.stderr
    assert len(list((tmp_path / "traces").iterdir())) == 1


def test_a_browser_server_s_unguessable_path_is_kept_out_of_messages_and_evidence(tmp_path: Path) -> None:
    # launchServer's address: its path is the server's key. Here no server answers, so the
    # message that names the address goes into the run's evidence and the batch's index.
    key = "5f0c8e2b9a7d4c1e8b3f6a2d0e9c7b14"
    (tmp_path / "plan.csv").write_text("runbook,user\nremove-pin,Jordan\n")
    done = run_cli(
        "batch", "plan.csv", "--traces-dir", "traces",
        cwd=tmp_path, env={**JORDAN_ENV, "PLEXBOOK_BROWSER_ENDPOINT": f"ws://127.0.0.1:9/{key}"},
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert "could not connect to the remote browser at ws://127.0.0.1:9/[redacted]" in done.stdout
    assert key not in done.stdout + done.stderr
    assert _holding(tmp_path / "traces", key) == []
    (index,) = (tmp_path / "traces").glob("*-batch-*/index.json")
    assert "ws://127.0.0.1:9/[redacted]" in index.read_text()


def test_both_kinds_of_remote_browser_at_once_are_refused_before_anything_starts(tmp_path: Path) -> None:
    both = {"PLEXBOOK_BROWSER_ENDPOINT": "ws://127.0.0.1:9/x", "PLEXBOOK_CDP_ENDPOINT": "http://127.0.0.1:9"}
    said = "choose one of PLEXBOOK_BROWSER_ENDPOINT and PLEXBOOK_CDP_ENDPOINT"
    done = run_cli("run", "remove-pin", "--user", "Jordan", cwd=tmp_path, env={**JORDAN_ENV, **both})
    assert (done.returncode, done.stderr.strip()) == (2, f"Error: {said}")
    assert not (tmp_path / "traces").exists()
    (tmp_path / ".env").write_text("".join(f"{name}={value}\n" for name, value in both.items()))
    under_pytest = run_cli_pytest(tmp_path, "-p", "plexbook.pytest_plugin", "--pyargs", "plexbook.regression")
    assert under_pytest.returncode == pytest.ExitCode.USAGE_ERROR
    assert said in under_pytest.stderr


def test_a_hosted_browser_s_key_in_a_header_comes_from_dotenv_and_is_in_no_artifact_or_output(
    remote: tuple[str, str], keyed_front: Callable[[str, str], KeyedFront], classic_sandbox: SandboxServer,
    tmp_path: Path,
) -> None:  # fmt: skip
    option, address = remote
    parts = urlsplit(address)
    front = keyed_front(parts.netloc, KEY)
    variable = "PLEXBOOK_BROWSER_ENDPOINT" if option == "--browser-endpoint" else "PLEXBOOK_CDP_ENDPOINT"
    endpoint = urlunsplit(parts._replace(netloc=front.address))
    args = ("run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, "--traces-dir", "traces")

    # The control: without the header the front turns plexbook away, before any step.
    (tmp_path / ".env").write_text(f"{variable}={endpoint}\n")
    refused = run_cli(*args, cwd=tmp_path, env=JORDAN_ENV)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert (front.admitted, classic_sandbox.state.user_titled("Jordan").pin) == (0, "2468")
    assert front.refused >= 1  # it was the front that said no, not an address that leads nowhere

    headers = json.dumps({"Authorization": f"Bearer {KEY}"})
    (tmp_path / ".env").write_text(f"{variable}={endpoint}\nPLEXBOOK_BROWSER_HEADERS='{headers}'\n")
    done = run_cli(*args, cwd=tmp_path, env=JORDAN_ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert front.admitted >= 1
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert KEY not in refused.stdout + refused.stderr + done.stdout + done.stderr
    assert _holding(tmp_path / "traces", KEY) == []


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        (
            {"PLEXBOOK_BROWSER_HEADERS": '{"Authorization": "Bearer ' + KEY + '"'},
            "PLEXBOOK_BROWSER_HEADERS must be a JSON object of headers, as "
            '{"Authorization": "Bearer ..."} (Expecting \',\' delimiter at line 1, column 45)',
        ),
        (
            {"PLEXBOOK_BROWSER_HEADERS": json.dumps({"Authorization": ["Bearer", KEY]})},
            "each value must be text on one line",
        ),
        (
            {"PLEXBOOK_BROWSER_HEADERS": json.dumps({f"Authorization: Bearer {KEY}": ""})},
            "each name must be a header's name alone (no spaces or colons)",
        ),
        (
            {"PLEXBOOK_BROWSER_HEADERS": json.dumps({"Authorization": f"Bearer {KEY}"})},
            "PLEXBOOK_BROWSER_HEADERS is set, but no remote browser is named",
        ),
    ],
    ids=["not-json", "not-text", "a-whole-header-as-a-name", "no-remote-browser"],
)
def test_headers_that_cannot_be_used_are_refused_before_anything_starts_without_showing_them(
    variables: dict[str, str], said: str, tmp_path: Path
) -> None:
    remote = {} if "no remote" in said else {"PLEXBOOK_CDP_ENDPOINT": "http://127.0.0.1:9"}
    done = run_cli("run", "remove-pin", "--user", "Jordan", cwd=tmp_path, env={**JORDAN_ENV, **remote, **variables})
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stderr
    assert KEY not in done.stdout + done.stderr
    assert not (tmp_path / "traces").exists()


class _Refusing(BaseHTTPRequestHandler):
    """A debugging address that turns the key away, as a hosted browser does a wrong one."""

    def do_GET(self) -> None:
        self.send_response(401)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_remote_browser_that_refuses_is_unreachable_and_its_key_stays_out(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # A name the scrubber's own list of sensitive parameters does not hold.
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/?apiKey={KEY}"
        done = run_cli(
            "run", "remove-pin", "--user", "Jordan", "--traces-dir", "traces",
            cwd=tmp_path, env={**JORDAN_ENV, "PLEXBOOK_CDP_ENDPOINT": endpoint},
        )  # fmt: skip
    finally:
        server.shutdown()
    assert done.returncode == 3, done.stdout + done.stderr
    # Playwright quotes a CDP address whole; what reaches a person has the key taken out.
    assert "unreachable at start-up: could not connect to the remote browser at http://127.0.0.1:" in done.stderr
    assert "Unexpected status 401" in done.stderr
    assert KEY not in done.stdout + done.stderr
    (run_dir,) = (tmp_path / "traces").iterdir()
    assert json.loads((run_dir / "manifest.json").read_text())["outcome"]["exit_code"] == 3
    assert _holding(tmp_path / "traces", KEY) == []


def test_pytest_plugin_on_a_remote_browser(
    cdp_browser: str, keyed_front: Callable[[str, str], KeyedFront], tmp_path: Path
) -> None:
    # The regression suite, on the embedded sandbox, its browser's address (and key) from .env,
    # behind a front that lets in only the header's key.
    front = keyed_front(urlsplit(cdp_browser).netloc, KEY)
    headers = json.dumps({"Authorization": f"Bearer {KEY}"})
    (tmp_path / ".env").write_text(
        f"PLEXBOOK_CDP_ENDPOINT=http://{front.address}/?apiKey={KEY}\nPLEXBOOK_BROWSER_HEADERS='{headers}'\n"
    )
    regression = ("-p", "plexbook.pytest_plugin", "--pyargs", "plexbook.regression", "-k", "remove-pin")
    done = run_cli_pytest(tmp_path, *regression)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert front.admitted >= 1
    # Its runs name the remote browser they ran on, its key left out of that as of all the evidence.
    for manifest in (tmp_path / "test-results" / "plexbook").glob("*/manifest.json"):
        browser = json.loads(manifest.read_text())["versions"]["browser"]
        assert f"(a remote Chromium over CDP, http://{front.address}/?apiKey=[redacted])" in browser, browser
    assert list((tmp_path / "test-results" / "plexbook").glob("*/manifest.json"))
    assert _holding(tmp_path / "test-results", KEY) == []
    # The plugin's own option takes an address too, but not one with a key in it.
    refused = run_cli_pytest(tmp_path, *regression, "--plex-cdp-endpoint", f"{cdp_browser}/?apiKey={KEY}")
    assert refused.returncode == pytest.ExitCode.USAGE_ERROR
    assert "set PLEXBOOK_CDP_ENDPOINT in the environment or .env instead" in refused.stderr
    assert KEY not in refused.stdout + refused.stderr


def run_cli_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in its own process, with no PLEX_* secrets and no local browser to launch."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    env.update(NO_LOCAL_BROWSER)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
