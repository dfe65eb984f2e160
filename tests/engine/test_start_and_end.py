"""The command's quick start and end: Playwright's driver started ahead, the process ended without teardown."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from plexbook import browser
from plexbook.browser import BrowserSession, playwright_ahead
from plexbook.cli.entry import drives_browser
from tests.conftest import playwright_drivers


@pytest.mark.parametrize(
    ("argv", "ahead"),
    [
        (["run", "remove-pin", "--user", "Jordan"], True),
        (["demo"], True),
        (["check", "--runbook", "remove-pin"], True),
        (["--version"], False),
        (["run", "--help"], False),
        (["demo", "-h"], False),
        (["list"], False),
        (["show", "remove-pin"], False),
        (["batch", "plan.csv"], False),  # its browsers run in worker threads
        (["sandbox"], False),
        ([], False),
    ],
)
def test_only_commands_that_drive_a_browser_here_start_the_driver_ahead(argv: list[str], ahead: bool) -> None:
    assert drives_browser(argv) is ahead


def _drivers() -> set[int]:
    """This process's Playwright drivers, by process id."""
    return playwright_drivers(os.getpid())


def _in_own_thread(body: Callable[[], None]) -> None:
    """Run ``body`` in a thread of its own: a sync Playwright serves only the thread that starts
    it, and this one already has pytest-playwright's."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - raised again in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()
    if errors:
        raise errors[0]


def test_the_first_session_takes_the_driver_started_ahead_and_stops_it() -> None:
    def body() -> None:
        before = _drivers()
        with playwright_ahead():
            ahead = browser._ahead.playwright
            assert ahead is not None
            assert len(_drivers() - before) == 1
            session = BrowserSession().start()
            try:
                assert session.playwright is ahead
                assert session.browser is not None
                assert session.browser.is_connected()
                # Taken once: a second session starts a driver of its own.
                assert browser._ahead.playwright is None
                # No second driver was started for the session.
                assert len(_drivers() - before) == 1
            finally:
                session.close()
            assert _drivers() == before  # the session stopped it with its browser

    _in_own_thread(body)


def test_a_driver_no_session_took_is_stopped_and_other_threads_never_see_it() -> None:
    def body() -> None:
        before = _drivers()
        seen_elsewhere: list[Playwright | None] = []
        with playwright_ahead():
            assert browser._ahead.playwright is not None
            assert len(_drivers() - before) == 1
            other = threading.Thread(target=lambda: seen_elsewhere.append(getattr(browser._ahead, "playwright", None)))
            other.start()
            other.join()
        assert seen_elsewhere == [None]
        assert _drivers() == before

    _in_own_thread(body)


def test_a_headless_run_takes_the_system_s_headless_shell_and_a_headed_one_a_whole_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Playwright's own browser, as Playwright does with its own: the headless shell for
    a headless run where there is one, else the whole Chromium; PLEXBOOK_BROWSER_PATH above both."""
    shell, whole, chosen = tmp_path / "chromium-headless-shell", tmp_path / "chromium", tmp_path / "my-chromium"
    for binary in (shell, whole, chosen):
        binary.write_text("")
    monkeypatch.delenv("PLEXBOOK_BROWSER_PATH", raising=False)
    monkeypatch.setattr(browser, "SYSTEM_HEADLESS_SHELL", (str(shell),))
    monkeypatch.setattr(browser, "SYSTEM_CHROMIUM", (str(whole),))
    assert browser._system_chromium(headless=True) == str(shell)
    assert browser._system_chromium(headless=False) == str(whole)
    monkeypatch.setenv("PLEXBOOK_BROWSER_PATH", str(chosen))
    assert browser._system_chromium(headless=True) == browser._system_chromium(headless=False) == str(chosen)
    monkeypatch.delenv("PLEXBOOK_BROWSER_PATH")
    shell.unlink()
    assert browser._system_chromium(headless=True) == str(whole)


#: In a process of its own, whose Playwright looks for its browsers where the test says: what
#: Playwright expects where (``paths``), or plexbook's launch on a machine with no system
#: Chromium (``launch``) or with one (``system``), and the build the evidence names.
_INSTALL_PROBE = """
import re, sys
from playwright.sync_api import sync_playwright
from plexbook import browser
if sys.argv[1] != "system":
    browser.SYSTEM_HEADLESS_SHELL = browser.SYSTEM_CHROMIUM = ()
with sync_playwright() as p:
    if sys.argv[1] == "paths":
        try:
            p.chromium.launch().close()
        except Exception as exc:
            print(p.chromium.executable_path)
            print(re.search(r"Executable doesn't exist at (\\S+)", str(exc)).group(1))
        sys.exit(0)
    session = browser.BrowserSession(playwright=p)
    try:
        session.start()
    except browser.BrowserNotFound as exc:
        print(exc)
        sys.exit(3)
    print("launched", session.version)
    session.close()
"""


def test_playwright_s_chromium_installed_without_its_headless_shell_or_with_only_it_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`playwright install --no-shell` leaves the whole Chromium, which then runs headless;
    `--only-shell` leaves the shell, which Playwright finds; with neither, plexbook says what to install."""
    system = [Path(p) for p in (*browser.SYSTEM_HEADLESS_SHELL[:1], "/usr/lib/chromium/chromium")]
    if not all(binary.is_file() for binary in system):
        pytest.skip("needs the system's Chromium and its headless shell as files (Debian's packages)")
    system_shell, system_whole = system
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path))
    monkeypatch.delenv("PLEXBOOK_BROWSER_PATH", raising=False)

    def probe(mode: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _INSTALL_PROBE, mode], capture_output=True, text=True, timeout=120)

    whole, shell = (Path(line) for line in probe("paths").stdout.split())
    assert tmp_path in whole.parents
    assert tmp_path in shell.parents
    nothing = probe("launch")
    assert nothing.returncode == 3, nothing.stderr
    assert "run `playwright install chromium`" in nothing.stdout
    # The evidence names the build that ran: here the system's, for want of Playwright's.
    system_run = probe("system")
    assert system_run.returncode == 0, system_run.stdout + system_run.stderr
    assert system_run.stdout.strip().endswith(f"(the system's, {system_shell})")
    monkeypatch.setenv("PLEXBOOK_BROWSER_PATH", str(system_whole))
    chosen_run = probe("system")
    assert chosen_run.stdout.strip().endswith(f"(PLEXBOOK_BROWSER_PATH, {system_whole})"), chosen_run.stderr
    monkeypatch.delenv("PLEXBOOK_BROWSER_PATH")

    whole.parent.mkdir(parents=True)
    whole.symlink_to(system_whole)  # as `playwright install --no-shell chromium` leaves it
    no_shell = probe("launch")
    assert no_shell.returncode == 0, no_shell.stdout + no_shell.stderr
    assert no_shell.stdout.startswith("launched chromium ")
    assert no_shell.stdout.strip().endswith("(Playwright's own chromium, its whole build run headless)")

    whole.unlink()
    shell.parent.mkdir(parents=True)
    shell.symlink_to(system_shell)  # as `playwright install --only-shell chromium` leaves it
    only_shell = probe("launch")
    assert only_shell.returncode == 0, only_shell.stdout + only_shell.stderr
    assert only_shell.stdout.strip().endswith("(Playwright's own chromium, its headless shell)")


def test_node_keeps_its_compiled_code_in_the_user_cache(tmp_path: Path) -> None:
    probe = (
        "import os\n"
        "from plexbook.browser import _start_playwright\n"
        "_start_playwright().stop()\n"
        "print(os.environ['NODE_COMPILE_CACHE'])\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    cache = Path(done.stdout.strip())
    assert cache == tmp_path / "cache" / "plexbook" / "node-compile-cache"
    assert any(cache.iterdir()), "Node wrote no compiled code there"
    # The user's own setting wins.
    mine = tmp_path / "mine"
    env["NODE_COMPILE_CACHE"] = str(mine)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == str(mine)


def test_output_and_exit_code_survive_the_quick_ending() -> None:
    # A refused argument of a browser command: the driver was started ahead, then stopped;
    # the message reaches a pipe whole and the code is the documented one.
    done = subprocess.run(
        [sys.executable, "-m", "plexbook", "run", "no-such-runbook"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "unknown runbook 'no-such-runbook'" in done.stderr
    # A long output through a pipe arrives to its last line before the process ends.
    helped = subprocess.run([sys.executable, "-m", "plexbook", "run", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0
    assert helped.stdout.rstrip().endswith("Show this message and exit.")
    # Exit handlers that the command registers while it runs still run, before the end.
    hooked = (
        "import atexit, sys\n"
        "import plexbook.cli.main as cli\n"
        "real = cli.app\n"
        "def app(*args, **kwargs):\n"
        "    atexit.register(lambda: print('handler ran', flush=True))\n"
        "    real(*args, **kwargs)\n"
        "cli.app = app\n"
        "from plexbook.cli.entry import main\n"
        "sys.argv = ['plexbook', 'show', 'nope']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", hooked], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == "handler ran"
    assert "unknown runbook 'nope'" in done.stderr
