"""Regenerate the README's screenshots of the sandbox: python scripts/screenshots.py"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import Page, Playwright, expect, sync_playwright

from plexbook.browser import launch
from plexbook.config import Target
from plexbook.engine import RunSettings, execute
from plexbook.pages import ConfirmPinDialog, EditPinDialog, PinResetPage, SignInPage, WebApp
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.sandbox import PRESETS, SandboxServer
from plexbook.sandbox.demo import demo_secrets
from plexbook.secrets import Secret

DOCS = Path(__file__).resolve().parent.parent / "docs"
ALEX = ("alex@sandbox.plexbook.test", Secret("PLEX_PASSWORD", "sandbox-pass-1"))
MEMBERS = ("Alex", "Jordan", "Kid", "Teen")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=DOCS / name)
    print(f"wrote docs/{name}")


def main() -> None:
    with SandboxServer(PRESETS["classic"]) as server, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 640})
        page.goto(f"{server.base_url}/auth")
        sign_in = SignInPage(page)
        sign_in.continue_with_email.click()
        sign_in.email.fill(ALEX[0])
        shot(page, "sign-in.png")
        sign_in.sign_in(ALEX[0], ALEX[1], lambda: Secret("PLEX_OTP", ""), WebApp(page).ready)
        home = WebApp(page).open_plex_home(MEMBERS)
        row = home.user("Jordan").hover()
        shot(page, "plex-home-hover.png")
        dialog = row.edit_pin()
        assert isinstance(dialog, ConfirmPinDialog)
        shot(page, "confirm-current-pin.png")
        edit = dialog.confirm(Secret("PLEX_PIN", "2468"))
        expect(edit.remove_button).to_be_visible()
        shot(page, "edit-pin.png")
        edit.cancel()
        kid = home.user("Kid").hover().edit_pin()
        assert isinstance(kid, EditPinDialog)
        shot(page, "edit-pin-managed.png")
        kid.cancel()
        page.goto(f"{server.base_url}/pin/reset")
        expect(PinResetPage(page).heading).to_be_visible()
        shot(page, "pin-reset.png")
        browser.close()
        report(server, playwright)


def report(server: SandboxServer, playwright: Playwright) -> None:
    """A real run's report.html, as a person opens it."""
    server.reset()
    options = RunOptions(user="Jordan")
    with tempfile.TemporaryDirectory() as folder:
        target = Target.at(server.base_url, kind="sandbox")
        secrets = demo_secrets(server.state.household, options.user)
        request = RunSettings(traces_dir=Path(folder)).request(RUNBOOKS["remove-pin"], target, secrets, options)
        result = execute(request, playwright)
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1000, "height": 1100})
        page.goto((result.run_dir / "report.html").as_uri())
        shot(page, "report.png")
        browser.close()


if __name__ == "__main__":
    main()
