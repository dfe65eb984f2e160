"""Runs keep their state to themselves: two runs in two threads of one process."""

from __future__ import annotations

import threading
from pathlib import Path

from playwright.sync_api import Locator, sync_playwright

from plexbook.config import SecretSource, Target
from plexbook.engine import RunResult, RunSettings, execute
from plexbook.pages.actions import current_scope, listening, used_locators
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.sandbox import SandboxServer
from plexbook.sandbox.demo import demo_secrets


def test_two_runs_in_two_threads_each_record_only_their_own(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    household = classic_sandbox.state.household
    plan = {
        # name: (runbook, options, timeout): different timeouts show expect's is the run's own.
        "first": ("remove-pin", RunOptions(user="Jordan"), 21.0),
        "second": ("managed-user-pin", RunOptions(user="Kid", mode="remove"), 17.0),
    }
    # Both runs wait here at their first action, so their actions interleave for certain.
    both_acting = threading.Barrier(len(plan), timeout=60)
    heard: dict[str, list[tuple[object, float | None, set[object]]]] = {name: [] for name in plan}
    pages: dict[str, object] = {}
    results: dict[str, RunResult] = {}
    errors: list[BaseException] = []

    def run(name: str) -> None:
        book, options, timeout = plan[name]

        def hear(locator: Locator) -> None:
            if not heard[name]:
                both_acting.wait()
            scope = current_scope()
            assert scope is not None
            owners = {used.locator.page for used in used_locators()}
            heard[name].append((locator.page, scope.timeout_ms, owners))

        try:
            settings = RunSettings(timeout_s=timeout, traces_dir=tmp_path / name)
            secrets: SecretSource = demo_secrets(household, options.user)
            request = settings.request(RUNBOOKS[book], Target.at(classic_sandbox.base_url), secrets, options)
            with sync_playwright() as playwright, listening(hear):
                results[name] = execute(request, playwright)
            pages[name] = heard[name][0][0] if heard[name] else None
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which fails the test
            errors.append(exc)
            both_acting.abort()

    threads = [threading.Thread(target=run, args=(name,)) for name in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    for name, (book, _options, timeout) in plan.items():
        result = results[name]
        assert result.exit_code == 0, result.message
        assert result.runbook == book
        # Each run's listener heard its own page's actions only, under its own timeout, and the
        # locators it had used were all on its own page.
        assert heard[name]
        assert {page for page, _, _ in heard[name]} == {pages[name]}
        assert {timeout_ms for _, timeout_ms, _ in heard[name]} == {timeout * 1000}
        assert all(owners <= {pages[name]} for _, _, owners in heard[name])
        # Its evidence is its own: one run folder with its own runbook's screenshots.
        (run_dir,) = (tmp_path / name).iterdir()
        assert book in run_dir.name
        assert len(list(run_dir.glob("0*.png"))) == len(RUNBOOKS[book].steps) + 1
    assert pages["first"] is not pages["second"]
    assert classic_sandbox.state.user_titled("Jordan").pin is None
    assert classic_sandbox.state.user_titled("Kid").pin is None
