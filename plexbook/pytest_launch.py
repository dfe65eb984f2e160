"""pytest-playwright's browser launch, through plexbook's launcher (loaded by the plexbook plugin)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Playwright

from plexbook.browser import BrowserOptions, launch_options


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], playwright: Playwright, browser_name: str
) -> dict[str, Any]:
    """pytest-playwright's launch, through plexbook's launcher (system Chromium fallback, quiet flags)."""
    ours = launch_options(playwright, BrowserOptions(name=browser_name))  # type: ignore[arg-type]
    merged = {**ours, **browser_type_launch_args}
    merged["args"] = [*ours.get("args", []), *browser_type_launch_args.get("args", [])]
    return merged
