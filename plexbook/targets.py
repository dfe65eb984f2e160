"""Which Plex a run acts on, and where that run's secrets come from.

One place settles it for every caller (``run``, ``check``, ``demo``, the pytest plugin):
the embedded sandbox (started for the length of the block, with the demo household's
secrets), live Plex or a stand-in URL (secrets from the environment, ``.env`` or a prompt).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from plexbook.config import SecretSource, Target
from plexbook.errors import BadInput

if TYPE_CHECKING:
    from plexbook.sandbox.server import SandboxServer
    from plexbook.sandbox.variants import Variant

SANDBOX = "sandbox"
LIVE = "live"


@dataclass(frozen=True)
class ResolvedTarget:
    """A target ready to run against."""

    target: Target
    #: The secrets for a run acting on a user (``None``: the account owner).
    secrets_for: Callable[[str | None], SecretSource]
    #: The embedded sandbox, when that is the target.
    sandbox: SandboxServer | None = None


def check_target(value: str) -> None:
    """Refuse a ``--target`` that is none of sandbox, live or an http(s) URL (BadInput)."""
    parts = urlparse(value)
    if value not in (SANDBOX, LIVE) and not (parts.scheme in ("http", "https") and parts.netloc):
        raise BadInput(f"--target must be sandbox, live or a URL like http://127.0.0.1:32499 (got {value!r})")


@contextmanager
def resolve_target(
    value: str, environ: Mapping[str, str], variant: Variant | None = None, interactive: bool | None = None
) -> Iterator[ResolvedTarget]:
    """``sandbox`` (started here, in ``variant``), ``live``, or a stand-in's base URL, with its secrets."""
    check_target(value)
    if value == SANDBOX:
        # The web server behind the sandbox is imported only when a run needs it.
        from plexbook.sandbox.demo import demo_secrets, embedded_sandbox

        with embedded_sandbox(variant) as server:
            # The household as it is when a run starts: earlier runs may have changed it.
            yield ResolvedTarget(
                Target.at(server.base_url, kind=SANDBOX, variant=server.variant.name),
                lambda user: demo_secrets(server.state.household, user),
                server,
            )
        return
    target = Target.live(environ) if value == LIVE else Target.at(value)
    yield ResolvedTarget(target, lambda user: SecretSource.from_environment(environ, interactive, user))
