"""Where a run goes and what it knows: the target's addresses and the run's secrets.

Everything here is settled before a browser starts, so bad input is refused early
(exit 2) and a secret never has to be typed on a command line.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

from plexbook.errors import BadInput, MissingSecret
from plexbook.secrets import Secret
from plexbook.totp import totp

LIVE_APP = "https://app.plex.tv"
LIVE_API = "https://plex.tv/api"
#: The spec's guess for the live PIN Reset page; PLEX_PIN_RESET_URL overrides it.
LIVE_PIN_RESET = "https://plex.tv/pin/reset"

SECRET_NAMES = ("PLEX_PASSWORD", "PLEX_TOKEN", "PLEX_PIN", "PLEX_NEW_PIN", "PLEX_TOTP_SECRET", "PLEX_OTP")
PIN_NAMES = ("PLEX_PIN", "PLEX_NEW_PIN")


def user_variable(name: str, user: str) -> str:
    """The variable holding one user's own PIN: ``PLEX_PIN`` for "Kid" is ``PLEX_PIN_KID``.

    The name is upper-cased and every run of other characters becomes one ``_``
    ("Jordan K." gives ``PLEX_PIN_JORDAN_K``).
    """
    return f"{name}_{re.sub(r'[^A-Z0-9]+', '_', user.upper()).strip('_')}"


def is_user_pin_variable(name: str) -> bool:
    """``PLEX_PIN_KID``, ``PLEX_NEW_PIN_ALEX``: a PIN that belongs to one user."""
    return any(name.startswith(f"{pin}_") for pin in PIN_NAMES)


def is_secret_name(name: str) -> bool:
    """Whether the variable holds a secret (hidden as it is typed), unlike PLEX_EMAIL."""
    return name in SECRET_NAMES or is_user_pin_variable(name)


def secret_names(environ: Mapping[str, str]) -> list[str]:
    """Every secret variable set in ``environ``, the per-user PINs included."""
    return [*SECRET_NAMES, *sorted(name for name in environ if is_user_pin_variable(name))]


@dataclass(frozen=True)
class Target:
    """A Plex to run against, as its four addresses (spec section 1)."""

    kind: str  # "sandbox", "live" or "url"
    app_url: str
    auth_url: str
    pin_reset_url: str
    api_url: str
    #: The embedded sandbox's screens ("classic", "random-4711"), for evidence and reruns.
    variant: str | None = None

    @classmethod
    def at(cls, base_url: str, kind: str = "url", variant: str | None = None) -> Target:
        """A stand-in that follows the spec at ``base_url``."""
        base = base_url.rstrip("/")
        return cls(kind, f"{base}/desktop/", f"{base}/auth", f"{base}/pin/reset", f"{base}/api", variant)

    def command_line(self) -> list[str]:
        """The options that choose this target again on the command line."""
        if self.kind == "sandbox":
            chosen = ["--target", "sandbox"]
            if self.variant and self.variant.startswith("random-"):
                return [*chosen, "--sandbox-variant", "random", "--sandbox-seed", self.variant.removeprefix("random-")]
            return [*chosen, "--sandbox-variant", self.variant] if self.variant else chosen
        if self.kind == "live":
            return ["--target", "live"]
        return ["--target", self.app_url.removesuffix("/desktop/")]

    @classmethod
    def live(cls, environ: Mapping[str, str]) -> Target:
        pin_reset = environ.get("PLEX_PIN_RESET_URL") or LIVE_PIN_RESET
        return cls("live", f"{LIVE_APP}/desktop/", f"{LIVE_APP}/auth", pin_reset, LIVE_API)

    @property
    def origins(self) -> tuple[str, ...]:
        """The web origins a session token must be seeded into."""
        found: list[str] = []
        for url in (self.app_url, self.pin_reset_url):
            parts = urlparse(url)
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in found:
                found.append(origin)
        return tuple(found)

    def describe(self) -> str:
        return f"{self.kind} ({self.app_url})"


def load_environment(dotenv_path: Path | None = None) -> dict[str, str]:
    """The process environment over ``.env``: a variable set in the real environment wins."""
    path = dotenv_path or Path.cwd() / ".env"
    from_file = {k: v for k, v in dotenv_values(path).items() if v is not None} if path.is_file() else {}
    return {**from_file, **os.environ}


#: Asks a person for a value: ``prompt(label, hidden)``; ``hidden`` for secrets only.
Prompt = Callable[[str, bool], str]


class SecretSource:
    """Secrets by variable name: from the environment, else a prompt when interactive (hidden for secrets)."""

    def __init__(
        self,
        values: Mapping[str, str],
        prompt: Prompt | None = None,
    ) -> None:
        self._values = dict(values)
        self._prompt = prompt
        self._registered: set[str] = set()

    def register(self, value: str) -> None:
        """Remember a secret the run met (a session token, a 2FA code), so evidence can drop it."""
        if value:
            self._registered.add(value)

    def registered(self) -> set[str]:
        """Every secret this run has used or met: what must not appear in its evidence."""
        return set(self._registered)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], interactive: bool | None = None, user: str | None = None
    ) -> SecretSource:
        """The secrets in ``environ``; for ``user``, their own ``PLEX_PIN_<USER>`` and
        ``PLEX_NEW_PIN_<USER>`` stand in for ``PLEX_PIN`` and ``PLEX_NEW_PIN`` where set."""
        if interactive is None:
            interactive = sys.stdin.isatty()
        values = dict(environ)
        if user is not None:
            for name in PIN_NAMES:
                own = environ.get(user_variable(name, user))
                if own:
                    values[name] = own
        prompt: Prompt | None = None
        if interactive:
            prompt = _terminal_prompt if user is None else _for_user(_terminal_prompt, user)
        return cls(values, prompt)

    def has(self, name: str) -> bool:
        return bool(self._values.get(name))

    def plain(self, name: str) -> str | None:
        """A value that is not secret (PLEX_EMAIL)."""
        return self._values.get(name) or None

    def get(self, name: str) -> Secret | None:
        value = self._values.get(name)
        if not value:
            return None
        self.register(value)
        return Secret(name, value)

    def require(self, name: str, what: str) -> Secret:
        """The value, asking for it when missing and a person is there to answer (typing hidden for secrets)."""
        found = self.get(name)
        if found is not None:
            return found
        if self._prompt is None:
            raise MissingSecret(name, what)
        value = self._prompt(f"{what} ({name})", is_secret_name(name))
        if not value:
            raise MissingSecret(name, what)
        secret = Secret(name, value)
        if name in PIN_NAMES and not secret.is_pin():
            raise BadInput(f"{name} must be exactly 4 digits")
        self._values[name] = value
        self.register(value)
        return secret

    def check(self) -> None:
        """Refuse malformed secrets before anything starts: PINs are 4 digits, TOTP is base32."""
        names = secret_names(self._values)
        for name in names:
            self.register(self._values.get(name, ""))
        for name in (name for name in names if name in PIN_NAMES or is_user_pin_variable(name)):
            secret = self.get(name)
            if secret is not None and not secret.is_pin():
                raise BadInput(f"{name} must be exactly 4 digits")
        totp_secret = self.get("PLEX_TOTP_SECRET")
        if totp_secret is not None:
            try:
                totp(totp_secret.reveal())
            except ValueError:
                raise BadInput("PLEX_TOTP_SECRET is not a valid base32 authenticator secret") from None


def _for_user(prompt: Prompt, user: str) -> Prompt:
    """Prompts that say whose secret they ask for, when a command acts on several users."""
    return lambda label, hidden: prompt(f"{user}: {label}", hidden)


#: Holds a command's live progress display while a person answers a prompt, in this thread.
_prompt_pause: ContextVar[Callable[[], AbstractContextManager[None]] | None] = ContextVar(
    "plexbook_prompt_pause", default=None
)


@contextmanager
def pausing_prompts(pause: Callable[[], AbstractContextManager[None]]) -> Iterator[None]:
    """Prompts asked in this thread while the block runs first hold the display through ``pause()``."""
    token = _prompt_pause.set(pause)
    try:
        yield
    finally:
        _prompt_pause.reset(token)


def ask(label: str, *, hidden: bool = False) -> str:
    """Ask a person at the terminal; the typing is hidden only for secrets. A stop asked while
    waiting (Ctrl+C) ends the wait at once."""
    import typer

    from plexbook.interrupts import at_prompt

    pause = _prompt_pause.get()
    with pause() if pause is not None else nullcontext(), at_prompt():
        return str(typer.prompt(label, hide_input=hidden, default="", show_default=False))


def _terminal_prompt(label: str, hidden: bool) -> str:
    return ask(label, hidden=hidden)
