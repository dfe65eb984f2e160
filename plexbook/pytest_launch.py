"""pytest-playwright's browser launch, through plexbook's launcher (loaded by the plexbook plugin)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright

from plexbook import unscrubbed
from plexbook.browser import BrowserOptions, launch_options, launched, launched_local
from plexbook.pytest_plugin import BROWSER_BUILD, BROWSER_TRACES, remote_browser


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], playwright: Playwright, browser_name: str
) -> Iterator[dict[str, Any]]:
    """pytest-playwright's launch, through plexbook's launcher (system Chromium fallback, quiet
    flags, traces recorded into a private folder removed after the session)."""
    unscrubbed.sweep()
    with unscrubbed.browser_traces() as traces:
        # pytest-playwright's --headed says so by headless=False; a headed run needs a whole Chromium.
        headed = browser_type_launch_args.get("headless") is False
        ours = launch_options(playwright, BrowserOptions(name=browser_name, headed=headed))  # type: ignore[arg-type]
        if traces is not None:
            ours["traces_dir"] = traces
        merged = {**ours, **browser_type_launch_args}
        merged["args"] = [*ours.get("args", []), *browser_type_launch_args.get("args", [])]
        yield merged


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest, playwright: Playwright, browser_name: str) -> Iterator[Browser]:
    """pytest-playwright's browser, or the remote one --plex-browser-endpoint / --plex-cdp-endpoint names
    (else PLEXBOOK_BROWSER_ENDPOINT / PLEXBOOK_CDP_ENDPOINT, from the environment or .env), connected
    with the headers PLEXBOOK_BROWSER_HEADERS gives."""
    remote = remote_browser(request.config, browser_name)
    request.config.stash[BROWSER_TRACES] = None
    if remote is not None:
        browser, build = launched(playwright, remote, None)
    else:
        # Asked for only here: a remote run must not need a local browser to exist.
        launch_browser: Callable[..., Browser] = request.getfixturevalue("launch_browser")
        arguments = request.getfixturevalue("browser_type_launch_args")
        options = BrowserOptions(name=browser_name, headed=arguments.get("headless") is False)  # type: ignore[arg-type]
        browser, build = launched_local(launch_browser, getattr(playwright, browser_name), options, arguments)
        request.config.stash[BROWSER_TRACES] = arguments.get("traces_dir")
    # For the runs' evidence: which build this browser is (plex_browser_build).
    request.config.stash[BROWSER_BUILD] = build
    yield browser
    browser.close()
