"""The outcome check when Plex Home and the API disagree, or Plex Home has no row for the user.

The web app is made to draw a Plex Home the API contradicts by rewriting the list the page
fetches (the flow's own API reads go through the browser's request context, which routes do
not touch): the check must say what the page shows, and never call a missing row an outcome.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route

from plexbook.config import SecretSource, Target
from plexbook.errors import FlowFailed
from plexbook.pages import WebApp
from plexbook.pages.actions import action_scope
from plexbook.runbook import Flow, RunOptions
from plexbook.runbooks.common import verify_pin_state
from plexbook.sandbox import SandboxServer
from tests.sandbox.test_screens import PLEX_HOME

Users = list[dict[str, Any]]


DrawnAs = Callable[[Callable[[Users], Users]], None]


@pytest.fixture
def drawn_as(signed_in_page: Page) -> Iterator[DrawnAs]:
    """Makes the web app's Plex Home list the users a change makes of the API's answer.

    The page may fetch the list again as the test ends: that rewrite is dropped with the
    route, not left to fail in the next test's setup when the context closes under it.
    """

    def draw(change: Callable[[Users], Users]) -> None:
        def rewrite(route: Route) -> None:
            answer = route.fetch()
            body = answer.json()
            body["users"] = change(body["users"])
            route.fulfill(response=answer, body=json.dumps(body))

        signed_in_page.route("**/api/v2/home/users", rewrite)

    yield draw
    signed_in_page.unroute_all(behavior="ignoreErrors")


def _check_without_jordans_pin(page: Page, sandbox: SandboxServer) -> None:
    """Jordan's PIN is gone (the API says so); check it as remove-pin's outcome check does."""
    sandbox.state.user_titled("Jordan").pin = None
    page.goto(sandbox.base_url + PLEX_HOME)
    flow = Flow(page, Target.at(sandbox.base_url), SecretSource({}), RunOptions(user="Jordan"))
    flow.user = "Jordan"
    with action_scope() as scope:
        scope.set_timeout(2000)
        WebApp(page).open_plex_home()  # the flow's own way there, which the check reloads
        verify_pin_state(flow, protected=False)


def test_a_row_that_still_shows_pin_required_fails_the_outcome(
    signed_in_page: Page, sandbox: SandboxServer, drawn_as: DrawnAs
) -> None:
    def still_protected(users: Users) -> Users:
        return [{**user, "protected": True} if user["title"] == "Jordan" else user for user in users]

    drawn_as(still_protected)
    with pytest.raises(FlowFailed, match='Plex Home still shows "PIN Required" for Jordan after reloading'):
        _check_without_jordans_pin(signed_in_page, sandbox)


def test_a_missing_row_is_no_outcome(signed_in_page: Page, sandbox: SandboxServer, drawn_as: DrawnAs) -> None:
    # The page is not what the contract says: that is drift, reported as such, not a verdict on the PIN.
    drawn_as(lambda users: [user for user in users if user["title"] != "Jordan"])
    with pytest.raises(AssertionError) as raised:
        _check_without_jordans_pin(signed_in_page, sandbox)
    assert not isinstance(raised.value, FlowFailed)


def test_a_row_drawn_without_pin_required_passes(
    signed_in_page: Page, sandbox: SandboxServer, drawn_as: DrawnAs
) -> None:
    drawn_as(lambda users: users)
    _check_without_jordans_pin(signed_in_page, sandbox)
