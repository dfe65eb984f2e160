"""The demo household, for runs against the embedded sandbox: its server and its secrets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from plexbook.config import SecretSource
from plexbook.errors import no_such_user
from plexbook.sandbox.server import SandboxServer
from plexbook.sandbox.state import Household, demo_household
from plexbook.sandbox.variants import Variant

#: The new PIN the demo uses on the sandbox, where no secret needs to be set.
DEMO_NEW_PIN = "5678"


def demo_secrets(household: Household, user: str | None = None) -> SecretSource:
    """The demo household's own secrets for a run on ``user`` (default: the account owner)."""
    account = household.accounts[0]
    title = user or account.owner.title
    found = next((u for u in account.users if u.title == title), None)
    if found is None:
        raise no_such_user(title, [u.title for u in account.users], "the sandbox's Plex Home")
    values = {"PLEX_EMAIL": account.email, "PLEX_PASSWORD": account.password, "PLEX_NEW_PIN": DEMO_NEW_PIN}
    if found.pin:
        values["PLEX_PIN"] = found.pin
    return SecretSource(values)


def demo_household_secrets() -> dict[str, str]:
    """Every secret of the demo household, named: what a sandbox run's evidence must never hold."""
    found: dict[str, str] = {"PLEX_NEW_PIN (the demo's new PIN)": DEMO_NEW_PIN}
    for account in demo_household().accounts:
        found[f"password of {account.email}"] = account.password
        for user in account.users:
            if user.pin:
                found[f"PIN of {user.title}"] = user.pin
    return found


@contextmanager
def embedded_sandbox(variant: Variant | None = None) -> Iterator[SandboxServer]:
    """The demo household on a free loopback port, for the length of the block."""
    with SandboxServer(variant, household=demo_household()) as server:
        yield server
