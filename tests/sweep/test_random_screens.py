"""Every flow, a rehearsal of each, ``check`` and a wrong PIN, on randomly drawn screens.

Each seed draws every choice the Plex screen contract leaves open (row shape, Settings
control, reveal, labels, dialogs, overlays, ...) independently. A seed that fails is replayed
with ``pytest -m sweep --seed N`` or ``plexbook sandbox --variant random --seed N``;
``--extra-seed N`` runs one more beside the fixed ones (CI draws it fresh each run).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from plexbook.browser import launch
from plexbook.check import CASES, run_case
from plexbook.config import SecretSource, Target
from plexbook.engine import RunResult, RunSettings, execute
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.sandbox import SandboxServer, Variant
from plexbook.sandbox.demo import DEMO_NEW_PIN, demo_secrets

pytestmark = pytest.mark.sweep

#: The fixed seeds every sweep runs; ``--seed`` runs others instead.
FIXED_SEEDS = tuple(range(1, 31))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--seed") or [*FIXED_SEEDS, *metafunc.config.getoption("--extra-seed")]
        metafunc.parametrize("seed", chosen, ids=[f"seed-{s}" for s in chosen])


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One browser for the whole sweep; each run gets a fresh context of it."""
    running = launch(playwright)
    yield running
    running.close()


def pins(server: SandboxServer) -> dict[str, str | None]:
    with server.state.locked():
        return {u.title: u.pin for a in server.state.household.accounts for u in a.users}


def test_flows_and_check_pass_on_random_screens(
    seed: int, playwright: Playwright, browser: Browser, tmp_path: Path
) -> None:
    drawn = Variant.random(seed)
    print(f"seed {seed}: {drawn.describe()}")
    # No trace: the sweep proves the page objects; evidence has tests of its own.
    settings = RunSettings(trace="off", timeout_s=10, traces_dir=tmp_path / "traces")
    run = functools.partial(execute, playwright=playwright, browser=browser)
    with SandboxServer(drawn) as server:
        target = Target.at(server.base_url, kind="sandbox")

        # check: every rehearsal case, and nothing changes.
        before = pins(server)
        for case in CASES:
            secrets = demo_secrets(server.state.household, case.options.user)
            outcome = run_case(case, target, secrets, settings.request, "strict", run=run)
            assert outcome.status == "passed", f"seed {seed}, check {case.case_id}: {outcome.message}"
        assert pins(server) == before, f"seed {seed}: a rehearsal changed a PIN"

        # A wrong PIN is refused in the screen's words, whichever it draws, and never tried again.
        account = server.state.household.accounts[0]
        wrong = SecretSource({"PLEX_EMAIL": account.email, "PLEX_PASSWORD": account.password, "PLEX_PIN": "0000"})
        refused = run(settings.request(RUNBOOKS["remove-pin"], target, wrong, RunOptions(user="Jordan")))
        assert (refused.exit_code, refused.status) == (1, "failed"), f"seed {seed}, wrong PIN: {refused.message}"
        assert "Plex refused the PIN: " in refused.message, f"seed {seed}, wrong PIN: {refused.message}"
        assert server.state.wrong_attempts(account.email) == 1, f"seed {seed}: a PIN was tried twice"
        assert pins(server) == before, f"seed {seed}: a wrong PIN changed a PIN"

        def flow(name: str, options: RunOptions) -> RunResult:
            secrets = demo_secrets(server.state.household, options.user)
            result = run(settings.request(RUNBOOKS[name], target, secrets, options))
            assert (result.exit_code, result.status) == (0, "done"), f"seed {seed}, {name}: {result.message}"
            return result

        flow("remove-pin", RunOptions(user="Jordan"))
        flow("managed-user-pin", RunOptions(user="Kid", mode="remove"))
        flow("managed-user-pin", RunOptions(user="Teen", mode="set"))
        flow("reset-pin", RunOptions())
        after = pins(server)
        new = DEMO_NEW_PIN
        assert (after["Jordan"], after["Kid"], after["Teen"], after["Alex"]) == (None, None, new, new)
