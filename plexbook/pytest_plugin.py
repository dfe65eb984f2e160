"""plexbook's pytest plugin: the regression suite for teams already on pytest-playwright.

It acts only where a suite asks for it: ``pytest -p plexbook.pytest_plugin`` (or
``pytest_plugins`` in a suite's top-level conftest), and plexbook's own regression package,
which brings it along. Installing plexbook changes no other pytest run.

``pytest --pyargs plexbook.regression`` rehearses every runbook against the embedded
sandbox; ``--plex-target live`` (credentials from the environment or .env) or
``--plex-target URL`` points it elsewhere. Live Plex is never touched unless asked for.
pytest-playwright's own options apply: ``--browser``, ``--headed``, ``--slowmo`` choose the
browser the runs use, ``--tracing`` their trace mode and ``--output`` where evidence goes.

The plugin also makes pytest-playwright fall back to a system Chromium when Playwright's
own browser is not installed, through plexbook's one browser launcher.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plexbook.browser import BrowserOptions
from plexbook.config import SecretSource, Target, load_environment, parse_target
from plexbook.engine import RunRequest, RunSettings, demo_secrets, embedded_sandbox
from plexbook.recorder import TraceMode
from plexbook.runbook import RunOptions
from plexbook.sandbox import Household, variant


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("plexbook", "plexbook regression suite")
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


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # Registered last, so its browser_type_launch_args overrides pytest-playwright's
    # whichever order the two plugins were loaded in.
    config.pluginmanager.import_plugin("plexbook.pytest_launch")


@pytest.fixture(scope="session")
def plex_target(pytestconfig: pytest.Config) -> Iterator[tuple[Target, Household | None]]:
    """The target the suite runs against, and the household when it is the embedded sandbox."""
    chosen = parse_target(str(pytestconfig.getoption("--plex-target")), load_environment())
    if chosen == "sandbox":
        screens = variant(
            str(pytestconfig.getoption("--plex-sandbox-variant")), pytestconfig.getoption("--plex-sandbox-seed")
        )
        with embedded_sandbox(screens) as server:
            yield Target.at(server.base_url, kind="sandbox"), server.state.household
    else:
        assert isinstance(chosen, Target)
        yield chosen, None


@pytest.fixture
def plex_secrets(plex_target: tuple[Target, Household | None]) -> Callable[[RunOptions], SecretSource]:
    """The secrets for a run: the demo household's on the sandbox, else the environment's (never a prompt)."""
    _, household = plex_target

    def secrets(options: RunOptions) -> SecretSource:
        if household is not None:
            return demo_secrets(household, options)
        return SecretSource.from_environment(load_environment(), interactive=False)

    return secrets


@pytest.fixture
def plex_request(pytestconfig: pytest.Config, browser_name: str) -> Callable[..., RunRequest]:
    """Builds run requests under pytest-playwright's --tracing and --output."""
    tracing = str(pytestconfig.getoption("--tracing", "off") or "off")
    trace: TraceMode = "retain-on-failure" if tracing == "retain-on-failure" else "on" if tracing == "on" else "off"
    output = Path(str(pytestconfig.getoption("--output", "test-results") or "test-results")) / "plexbook"
    return RunSettings(BrowserOptions(browser_name), trace, 15, output).request  # type: ignore[arg-type]
