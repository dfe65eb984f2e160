"""The one place that decides how a browser is launched.

Playwright's own browser is used when it is installed. Where it is not (no internet to
download it), Chromium falls back to a system build: ``PLEXBOOK_BROWSER_PATH``, then
``/usr/bin/chromium``, ``chromium-browser``, ``chromium``, ``google-chrome``. Every launch
is headless unless asked otherwise, with flags that keep Chromium off the network.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import Browser, Playwright

BrowserName = Literal["chromium", "firefox", "webkit"]

#: Flags for a quiet, headless Chromium that phones nobody.
QUIET_CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SYSTEM_CHROMIUM = ("/usr/bin/chromium", "chromium-browser", "chromium", "google-chrome")


class BrowserNotFound(RuntimeError):
    """No usable browser: neither Playwright's own nor a system one."""


@dataclass(frozen=True)
class BrowserOptions:
    """How the user asked for the browser to run."""

    name: BrowserName = "chromium"
    headed: bool = False
    slow_mo_ms: float = 0


def _system_chromium() -> str | None:
    override = os.environ.get("PLEXBOOK_BROWSER_PATH")
    if override:
        if not Path(override).is_file():
            raise BrowserNotFound(f"PLEXBOOK_BROWSER_PATH points to {override}, which is not a file")
        return override
    for candidate in SYSTEM_CHROMIUM:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return None


def launch_options(playwright: Playwright, options: BrowserOptions) -> dict[str, Any]:
    """Keyword arguments for ``playwright[browser].launch()`` under ``options``."""
    launch: dict[str, Any] = {"headless": not options.headed}
    if options.slow_mo_ms:
        launch["slow_mo"] = options.slow_mo_ms
    browser_type = getattr(playwright, options.name)
    own_build = Path(browser_type.executable_path).is_file()
    if options.name != "chromium":
        if not own_build:
            raise BrowserNotFound(
                f"Playwright's {options.name} is not installed; run `playwright install {options.name}` "
                "or use --browser chromium"
            )
        return launch
    launch["args"] = list(QUIET_CHROMIUM_ARGS)
    override = os.environ.get("PLEXBOOK_BROWSER_PATH")
    if own_build and not override:
        return launch
    system = _system_chromium()
    if system is None:
        raise BrowserNotFound(
            "no Chromium found: run `playwright install chromium`, install your system's chromium package, "
            "or set PLEXBOOK_BROWSER_PATH"
        )
    launch["executable_path"] = system
    return launch


def launch(playwright: Playwright, options: BrowserOptions | None = None) -> Browser:
    """Launch the browser ``options`` asks for."""
    options = options or BrowserOptions()
    return getattr(playwright, options.name).launch(**launch_options(playwright, options))
