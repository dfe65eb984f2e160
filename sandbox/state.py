"""The household the sandbox serves: accounts, their Home users, sessions and PINs.

State is held in memory behind one lock, because the server answers on its own thread
while tests and the CLI read it from another. A household can be loaded from (and saved
back to) a JSON file so people can model their own Home.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from plexbook.totp import totp

Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]

#: More than this many refused PINs (or passwords) for one account within the window answer 429.
WRONG_ATTEMPTS_ALLOWED = 5
WRONG_ATTEMPTS_WINDOW_S = 60.0


class HouseholdError(ValueError):
    """A household file that cannot be used; the message names the file and the problem."""


class HomeUser(BaseModel):
    """One user of a Plex Home, as the household file describes it."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    uuid: str | None = None
    title: str = Field(min_length=1)
    username: str = ""
    email: str = ""
    admin: bool = False
    #: Managed users have a restriction profile (``little_kid``, ``older_kid``, ``teen``).
    restricted: bool = False
    restrictionProfile: str | None = None
    pin: Pin | None = None
    thumbColor: str = "#cc7b19"

    @property
    def protected(self) -> bool:
        return self.pin is not None

    @property
    def managed(self) -> bool:
        return self.restricted


class Account(BaseModel):
    """A plex.tv account: its sign-in secrets and the Home it owns."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3)
    password: str = Field(min_length=1)
    totpSecret: str | None = None
    homeName: str = "Home"
    users: list[HomeUser] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_admin(self) -> Account:
        if self.totpSecret is not None:
            totp(self.totpSecret)  # raises ValueError, reported with the field's place
        admins = [u for u in self.users if u.admin]
        if len(admins) != 1:
            raise ValueError(f"a Home needs exactly one admin user, {self.email} has {len(admins)}")
        titles = [u.title for u in self.users]
        if len(set(titles)) != len(titles):
            raise ValueError(f"user titles must be unique within a Home ({self.email})")
        return self

    @property
    def owner(self) -> HomeUser:
        return next(u for u in self.users if u.admin)


class Household(BaseModel):
    """Every account the sandbox knows."""

    model_config = ConfigDict(extra="forbid")

    accounts: list[Account] = Field(min_length=1)

    @model_validator(mode="after")
    def _assign_ids(self) -> Household:
        used = {u.id for a in self.accounts for u in a.users if u.id is not None}
        next_id = max(used, default=1000) + 1
        for account in self.accounts:
            for user in account.users:
                if user.id is None:
                    user.id = next_id
                    used.add(next_id)
                    next_id += 1
                if user.uuid is None:
                    user.uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"plexbook:{account.email}:{user.id}").hex[:16]
        emails = [a.email.lower() for a in self.accounts]
        if len(set(emails)) != len(emails):
            raise ValueError("account emails must be unique")
        return self


def demo_household() -> Household:
    """The demo household the README documents; fresh on every call."""
    return Household.model_validate(
        {
            "accounts": [
                {
                    "email": "alex@sandbox.plexbook.test",
                    "password": "sandbox-pass-1",
                    "homeName": "Alex's Home",
                    "users": [
                        {
                            "id": 1001,
                            "title": "Alex",
                            "username": "alex",
                            "email": "alex@sandbox.plexbook.test",
                            "admin": True,
                            "pin": "1234",
                            "thumbColor": "#cc7b19",
                        },
                        {
                            "id": 1002,
                            "title": "Jordan",
                            "username": "jordan",
                            "email": "jordan@sandbox.plexbook.test",
                            "pin": "2468",
                            "thumbColor": "#2f7fc1",
                        },
                        {
                            "id": 1003,
                            "title": "Kid",
                            "restricted": True,
                            "restrictionProfile": "little_kid",
                            "pin": "4321",
                            "thumbColor": "#6aa84f",
                        },
                        {
                            "id": 1004,
                            "title": "Teen",
                            "restricted": True,
                            "restrictionProfile": "older_kid",
                            "thumbColor": "#a64d79",
                        },
                    ],
                },
                {
                    "email": "casey@sandbox.plexbook.test",
                    "password": "sandbox-pass-2",
                    "totpSecret": "JBSWY3DPEHPK3PXP",
                    "homeName": "Casey's Home",
                    "users": [
                        {
                            "id": 2001,
                            "title": "Casey",
                            "username": "casey",
                            "email": "casey@sandbox.plexbook.test",
                            "admin": True,
                            "thumbColor": "#8e7cc3",
                        }
                    ],
                },
            ]
        }
    )


def load_household(path: Path) -> Household:
    """Read a household file, refusing a malformed one with a message naming it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HouseholdError(f"{path}: no such file") from None
    except json.JSONDecodeError as exc:
        raise HouseholdError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except OSError as exc:
        raise HouseholdError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return Household.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise HouseholdError(f"{path}: not a valid household ({problems})") from None


class Session:
    """A signed-in token: which account it belongs to and which Home user it acts as."""

    def __init__(self, account: Account, user: HomeUser) -> None:
        self.account = account
        self.user = user


class SandboxState:
    """The live household plus sessions and the wrong-attempt counters, behind one lock."""

    def __init__(
        self,
        household: Household,
        state_file: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self.state_file = state_file
        self.household = household
        self.sessions: dict[str, Session] = {}
        self._wrong: dict[str, deque[float]] = {}

    @contextmanager
    def locked(self) -> Iterator[SandboxState]:
        with self._lock:
            yield self

    def reset(self, household: Household | None = None) -> None:
        """Start over with a fresh household (the demo one unless given) and no sessions."""
        with self._lock:
            self.household = household or demo_household()
            self.sessions.clear()
            self._wrong.clear()

    # -- look-ups ---------------------------------------------------------------------------
    def account_by_email(self, login: str) -> Account | None:
        login = login.strip().lower()
        return next(
            (a for a in self.household.accounts if a.email.lower() == login or a.owner.username.lower() == login),
            None,
        )

    def find_user(self, account: Account, key: str | int) -> HomeUser | None:
        text = str(key)
        return next((u for u in account.users if str(u.id) == text or u.uuid == text), None)

    def user_titled(self, title: str, email: str | None = None) -> HomeUser:
        """The Home user with this title (in the account with this email, or the first account)."""
        with self._lock:
            accounts = self.household.accounts
            if email is not None:
                accounts = [a for a in accounts if a.email.lower() == email.lower()]
            for account in accounts:
                for user in account.users:
                    if user.title == title:
                        return user
        raise KeyError(title)

    # -- sessions ---------------------------------------------------------------------------
    def open_session(self, account: Account, user: HomeUser) -> str:
        token = secrets.token_urlsafe(15)
        self.sessions[token] = Session(account, user)
        return token

    def session(self, token: str | None) -> Session | None:
        return self.sessions.get(token) if token else None

    # -- rate limiting ----------------------------------------------------------------------
    def _recent(self, key: str) -> deque[float]:
        window = self._wrong.setdefault(key, deque())
        now = self._clock()
        while window and now - window[0] > WRONG_ATTEMPTS_WINDOW_S:
            window.popleft()
        return window

    def is_rate_limited(self, key: str) -> bool:
        """True once the allowed wrong attempts are used up: the next one would be one too many."""
        return len(self._recent(key)) >= WRONG_ATTEMPTS_ALLOWED

    def wrong_attempts(self, email: str) -> int:
        """Refused PINs and passwords for an account within the current window."""
        with self._lock:
            return len(self._recent(email))

    def record_wrong_attempt(self, key: str) -> None:
        """Count a refused PIN or password against ``key`` (an account)."""
        self._recent(key).append(self._clock())

    # -- persistence ------------------------------------------------------------------------
    def save(self) -> None:
        """Write the household back to its file, if it came from one."""
        if self.state_file is None:
            return
        data = self.household.model_dump(mode="json")
        tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
        # The file holds passwords and PINs: it keeps the mode its owner gave it (0600 stays 0600).
        mode = stat.S_IMODE(self.state_file.stat().st_mode) if self.state_file.exists() else 0o600
        descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2) + "\n")
        os.chmod(tmp, mode)
        tmp.replace(self.state_file)
