"""plexbook's pytest plugin: the regression suite for teams already on pytest-playwright.

It acts only where a suite asks for it: ``pytest -p plexbook.pytest_plugin`` (or
``pytest_plugins`` in a suite's top-level conftest), and plexbook's own regression package,
which brings it along. Installing plexbook changes no other pytest run.

``pytest --pyargs plexbook.regression`` rehearses every runbook against the embedded
sandbox; ``--plex-target live`` (credentials from the environment or .env) or
``--plex-target URL`` points it elsewhere. Live Plex is never touched unless asked for.
pytest-playwright's own options apply: ``--browser``, ``--headed``, ``--slowmo`` choose the
browser the runs use, ``--tracing`` their trace mode and ``--output`` where evidence goes.
``--plex-browser-endpoint ws://...`` or ``--plex-cdp-endpoint http://...`` puts pytest-playwright's
``browser`` on a remote browser instead; an address that holds a key is read from
``PLEXBOOK_BROWSER_ENDPOINT`` or ``PLEXBOOK_CDP_ENDPOINT`` (the environment or .env), never the
command line, and headers to connect with (a hosted service's key) from ``PLEXBOOK_BROWSER_HEADERS``.

The plugin also makes pytest-playwright fall back to a system Chromium when Playwright's
own browser is not installed, through plexbook's one browser launcher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from plexbook.browser import BrowserOptions, remote_endpoints, remote_headers
from plexbook.choices import TraceMode
from plexbook.config import SecretSource, load_environment
from plexbook.engine import RunRequest, RunSettings
from plexbook.errors import BadInput
from plexbook.runbook import RunOptions
from plexbook.sandbox import variant
from plexbook.targets import SANDBOX, ResolvedTarget, resolve_target


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("plexbook", "plexbook regression suite")
    if any("--plex-target" in option.names() for option in group.options):
        # Given with -p and brought again by plexbook.regression's conftest: once is enough.
        return
    group.addoption(
        "--plex-target",
        default="sandbox",
        help="sandbox (default: the embedded demo), live (app.plex.tv, secrets from .env) or a stand-in's URL",
    )
    group.addoption(
        "--plex-sandbox-variant",
        default="classic",
        help="how the embedded sandbox's screens look (a preset, or random)",
    )
    group.addoption("--plex-sandbox-seed", type=int, default=None, help="with --plex-sandbox-variant random: its seed")
    group.addoption(
        "--plex-browser-endpoint",
        default=None,
        help="run on a remote browser: a Playwright browser server's ws:// address (launchServer, Browserless, ...)",
    )
    group.addoption(
        "--plex-cdp-endpoint",
        default=None,
        help="run on a running Chromium started with --remote-debugging-port: its http:// address",
    )


#: The remote browser, read and checked once as pytest starts (None: a local one).
_REMOTE = pytest.StashKey["BrowserOptions | None"]()
#: Which build pytest-playwright's browser is, as plexbook's launcher launched or connected to it.
BROWSER_BUILD = pytest.StashKey[str]()
#: The folder pytest-playwright's browser records traces into, where plexbook's launcher chose it.
BROWSER_TRACES = pytest.StashKey["Path | None"]()


def _read_remote_browser(config: pytest.Config) -> BrowserOptions | None:
    """The remote browser the plugin's options (or the environment and .env) name, with the
    headers PLEXBOOK_BROWSER_HEADERS gives it; None for a local one. BadInput if it cannot be used."""
    ws = config.getoption("--plex-browser-endpoint", None)
    cdp = config.getoption("--plex-cdp-endpoint", None)
    environ = load_environment()
    ws, cdp = remote_endpoints(ws, cdp, environ, ("--plex-browser-endpoint", "--plex-cdp-endpoint"))
    headers = remote_headers(environ, ws or cdp)
    if not ws and not cdp:
        return None
    return BrowserOptions(ws_endpoint=ws, cdp_endpoint=cdp, headers=headers)


def remote_browser(config: pytest.Config, browser_name: str) -> BrowserOptions | None:
    """The remote browser, as the plugin read it at start-up, for ``browser_name``; None for a local one."""
    remote = config.stash.get(_REMOTE, None)
    return None if remote is None else replace(remote, name=browser_name)  # type: ignore[arg-type]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        config.stash[_REMOTE] = _read_remote_browser(config)
    except BadInput as bad:
        raise pytest.UsageError(str(bad)) from None
    # Registered last, so its browser_type_launch_args overrides pytest-playwright's
    # whichever order the two plugins were loaded in.
    config.pluginmanager.import_plugin("plexbook.pytest_launch")


@pytest.fixture(scope="session")
def plex_target(pytestconfig: pytest.Config) -> Iterator[ResolvedTarget]:
    """The target the suite runs against, with its secrets (never a prompt under pytest)."""
    target = str(pytestconfig.getoption("--plex-target"))
    screens = None
    if target == SANDBOX:
        name, seed = (
            str(pytestconfig.getoption("--plex-sandbox-variant")),
            pytestconfig.getoption("--plex-sandbox-seed"),
        )
        screens = variant(name, seed)
    with resolve_target(target, load_environment(), screens, interactive=False) as resolved:
        yield resolved


@pytest.fixture
def plex_secrets(plex_target: ResolvedTarget) -> Callable[[RunOptions], SecretSource]:
    """The secrets for a run: the demo household's on the sandbox, else the environment's."""
    return lambda options: plex_target.secrets_for(options.user)


@pytest.fixture
def plex_browser_build(browser: Browser, pytestconfig: pytest.Config) -> str | None:
    """Which build the ``browser`` fixture is, for the runs' evidence (None if plexbook's
    launcher did not launch it)."""
    return pytestconfig.stash.get(BROWSER_BUILD, None)


@pytest.fixture
def plex_browser_traces(browser: Browser, pytestconfig: pytest.Config) -> Path | None:
    """The folder the ``browser`` fixture records traces into, from which a run's trace is
    recovered if Playwright cannot save it (None if plexbook's launcher did not launch it)."""
    return pytestconfig.stash.get(BROWSER_TRACES, None)


@pytest.fixture
def plex_request(pytestconfig: pytest.Config, browser_name: str) -> Callable[..., RunRequest]:
    """Builds run requests under pytest-playwright's --tracing and --output."""
    tracing = str(pytestconfig.getoption("--tracing", "off") or "off")
    trace: TraceMode = "retain-on-failure" if tracing == "retain-on-failure" else "on" if tracing == "on" else "off"
    output = Path(str(pytestconfig.getoption("--output", "test-results") or "test-results")) / "plexbook"
    # A remote browser's options go with each run, so its key counts among the run's secrets.
    browser = remote_browser(pytestconfig, browser_name) or BrowserOptions(browser_name)  # type: ignore[arg-type]
    return RunSettings(browser, trace, 15, output).request
