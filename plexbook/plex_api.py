"""The plex.tv API, as a run uses it to settle the user and double-check outcomes.

Calls go through the browser's own session (its token, its cookies, its network), so
what the API says is what the web app sees. Answers are typed models (spec section 6):
nothing past this module handles raw JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from pydantic import BaseModel, ConfigDict, ValidationError

from plexbook.config import SecretSource, Target
from plexbook.errors import BadInput, TargetUnreachable, no_such_user
from plexbook.secrets import Secret

#: How plexbook names itself to Plex (Plex refuses calls without a client identifier).
CLIENT_HEADERS = {"X-Plex-Client-Identifier": "plexbook", "X-Plex-Product": "plexbook"}


@dataclass(frozen=True)
class ServerTrouble:
    """A plex.tv answer that was a server error, or a connection cut before the answer came."""

    method: str
    #: The path only: the query may hold a PIN.
    path: str
    #: The HTTP status, or ``None`` where the connection was cut.
    status: int | None
    #: The step it happened in, and whether that step commits the change.
    step: int
    during_commit: bool

    def describe(self) -> str:
        if self.status is None:
            return f"the connection to Plex was cut during {self.method} {self.path}"
        return f"Plex answered {self.status} to {self.method} {self.path}"


class HomeUser(BaseModel):
    """One entry of ``GET /api/v2/home/users``."""

    model_config = ConfigDict(extra="ignore")

    id: int
    uuid: str
    title: str
    username: str = ""
    email: str = ""
    admin: bool = False
    guest: bool = False
    #: A managed user.
    restricted: bool = False
    #: Has a PIN (Plex Home shows "PIN Required").
    protected: bool = False


class Account(BaseModel):
    """``GET /api/v2/user``: the signed-in account."""

    model_config = ConfigDict(extra="ignore")

    id: int
    uuid: str
    title: str
    email: str = ""
    protected: bool = False
    homeAdmin: bool = False


def stored_token(stored: str | None) -> str | None:
    """The token in the session Plex Web keeps in localStorage (``plex_tv_auth``), if any."""
    token = json.loads(stored).get("authToken") if stored else None
    return str(token) if token else None


class PlexApi:
    """plex.tv, called as the signed-in browser calls it."""

    def __init__(self, page: Page, target: Target, secrets: SecretSource) -> None:
        self.page = page
        self.target = target
        #: Every token the API hands out is registered here, so evidence can drop it.
        self.secrets = secrets
        self._session_token: str | None = None

    def _token(self) -> str:
        # Read once: a session keeps its token, and each read would be a round trip to the page.
        if self._session_token is not None:
            return self._session_token
        token = stored_token(self.page.evaluate("() => localStorage.getItem('plex_tv_auth')"))
        if not token:
            raise BadInput("no Plex session in the browser: sign-in did not leave a token")
        self.secrets.register(token)
        self._session_token = token
        return token

    def _call(self, method: str, path: str, params: dict[str, str | float | bool] | None = None) -> tuple[int, Any]:
        response = self.page.context.request.fetch(
            f"{self.target.api_url}{path}",
            method=method,
            params=params,
            headers={"Accept": "application/json", "X-Plex-Token": self._token(), **CLIENT_HEADERS},
        )
        try:
            body = response.json()
        except (PlaywrightError, ValueError):
            body = None
        return response.status, body

    def _read(self, path: str) -> Any:
        status, body = self._call("GET", path)
        if status != 200 or not isinstance(body, dict):
            raise TargetUnreachable(f"GET /api{path} answered {status}")
        return body

    def home_users(self) -> list[HomeUser]:
        body = self._read("/v2/home/users")
        try:
            return [HomeUser.model_validate(user) for user in body.get("users", [])]
        except ValidationError as exc:
            raise _unexpected("/v2/home/users", exc) from None

    def me(self) -> Account:
        try:
            return Account.model_validate(self._read("/v2/user"))
        except ValidationError as exc:
            raise _unexpected("/v2/user", exc) from None

    def home_user(self, title: str, users: list[HomeUser] | None = None) -> HomeUser:
        """The Home user called ``title``; BadInput naming the Home's users when there is none."""
        users = self.home_users() if users is None else users
        for user in users:
            if user.title == title:
                return user
        raise no_such_user(title, [user.title for user in users], "this Plex Home")

    def switch_works(self, uuid: str, pin: Secret) -> bool:
        """True when Plex accepts ``pin`` to switch to the user (spec: 201)."""
        status, body = self._call("POST", f"/v2/home/users/{uuid}/switch", {"pin": pin.reveal()})
        if isinstance(body, dict) and body.get("authToken"):
            self.secrets.register(str(body["authToken"]))
        return status == 201


def _unexpected(path: str, exc: ValidationError) -> TargetUnreachable:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return TargetUnreachable(f"GET /api{path} answered an unexpected shape ({where}: {first['msg']})")
