"""Each documented flow still works as the article says, rehearsed so nothing changes."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from plexbook.check import CASES, CheckCase, run_case
from plexbook.config import SecretSource
from plexbook.engine import RunRequest, execute
from plexbook.runbook import RunOptions
from plexbook.targets import ResolvedTarget


@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_flow_still_works_as_documented(
    case: CheckCase,
    plex_target: ResolvedTarget,
    plex_secrets: Callable[[RunOptions], SecretSource],
    plex_request: Callable[..., RunRequest],
    playwright: Playwright,
    browser: Browser,
    plex_browser_build: str | None,
    plex_browser_traces: Path | None,
) -> None:
    result = run_case(
        case,
        plex_target.target,
        plex_secrets(case.options),
        plex_request,
        "warn",
        run=lambda request: execute(
            request, playwright, browser, build=plex_browser_build, raw_traces=plex_browser_traces
        ),
    )
    if result.status == "skipped":
        pytest.skip(result.message)
    assert result.status == "passed", f"{result.message} (evidence: {result.run_dir})"
    for warning in result.warnings:
        # A structure difference is a warning, not a failure (plexbook check --strict-baselines fails on it).
        warnings.warn(StructureWarning(f"{case.case_id}: {warning}"), stacklevel=1)


class StructureWarning(UserWarning):
    """A screen differs from its structure baseline."""
