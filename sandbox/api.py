"""The plex.tv API routes of spec section 6, plus the two the sandbox's own pages need.

Answers are JSON when the request accepts ``application/json`` and XML otherwise, as
plex.tv does. Errors look like ``{"errors":[{"code":N,"message":"...","status":S}]}``
(``<errors><error code=... message=... status=.../></errors>`` in XML).

Two routes are the sandbox's own, because the spec does not say how Plex Web checks a
PIN in the Confirm Current PIN dialog or submits the PIN Reset page:
``POST /api/v2/home/users/{id}/pin/verify`` and ``POST /api/v2/user/pin/reset``.
Runbooks never call them; only the sandbox's pages do.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from plexbook.sandbox.state import Account, HomeUser, SandboxState, Session
from plexbook.totp import totp

PIN_RE = re.compile(r"[0-9]{4}\Z")

# (code, message) pairs, named for what they mean.
NO_CLIENT_ID = (1000, "X-Plex-Client-Identifier is missing")
NOT_AUTHENTICATED = (1001, "User could not be authenticated")
NEEDS_CODE = (1029, "Please enter the verification code")
BAD_CODE = (1029, "The verification code is not valid")
NEEDS_PIN = (1041, "A valid PIN is required to perform this action")
INCORRECT_PIN = (1041, "Incorrect PIN")
INCORRECT_PASSWORD = (1001, "Incorrect password")
TOO_MANY = (1003, "Too many attempts, try again later")
BAD_PIN = (1040, "PIN must be 4 digits")
NOT_ADMIN = (1030, "Only the Home admin can do this")
NO_SUCH_USER = (1020, "User not found")
NOT_MANAGED = (1021, "User is not a managed user")


class ApiError(Exception):
    """An error answer; rendered in the request's format by the app's handler."""

    def __init__(self, status: int, code_message: tuple[int, str]) -> None:
        super().__init__(code_message[1])
        self.status = status
        self.code, self.message = code_message


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _xml(tag: str, attrs: dict[str, Any], children: list[tuple[str, dict[str, Any]]] = ()) -> bytes:  # type: ignore[assignment]
    root = ElementTree.Element(tag, {k: _xml_value(v) for k, v in attrs.items() if not isinstance(v, (dict, list))})
    for child_tag, child_attrs in children:
        ElementTree.SubElement(root, child_tag, {k: _xml_value(v) for k, v in child_attrs.items()})
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root)


def error_response(request: Request, status: int, code: int, message: str) -> Response:
    """The plex.tv error shape, in the format the request asked for."""
    if wants_json(request):
        return JSONResponse({"errors": [{"code": code, "message": message, "status": status}]}, status_code=status)
    return Response(
        _xml("errors", {}, [("error", {"code": code, "message": message, "status": status})]),
        status_code=status,
        media_type="application/xml",
    )


def answer(request: Request, tag: str, body: dict[str, Any], status: int = 200) -> Response:
    if wants_json(request):
        return JSONResponse(body, status_code=status)
    return Response(_xml(tag, body), status_code=status, media_type="application/xml")


def _param(request: Request, name: str) -> str | None:
    """A Plex header, also accepted as a query parameter as Plex Web sends them."""
    return request.headers.get(name) or request.query_params.get(name)


def thumb_url(request: Request, user: HomeUser) -> str:
    return str(request.url_for("avatar", uuid=user.uuid))


def user_json(request: Request, account: Account, user: HomeUser, token: str | None = None) -> dict[str, Any]:
    """``/api/v2/user`` shape for a Home user."""
    body: dict[str, Any] = {
        "id": user.id,
        "uuid": user.uuid,
        "title": user.title,
        "username": user.username,
        "email": user.email,
        "thumb": thumb_url(request, user),
        "protected": user.protected,
        "homeAdmin": user.admin,
        "home": True,
        "homeSize": len(account.users),
        "restricted": user.restricted,
        "hasPassword": not user.managed,
    }
    if token is not None:
        body["authToken"] = token
    return body


def home_user_json(request: Request, user: HomeUser) -> dict[str, Any]:
    """One entry of ``/api/v2/home/users``."""
    return {
        "id": user.id,
        "uuid": user.uuid,
        "title": user.title,
        "username": "" if user.managed else user.username,
        "email": "" if user.managed else user.email,
        "thumb": thumb_url(request, user),
        "admin": user.admin,
        "guest": False,
        "restricted": user.restricted,
        "restrictionProfile": user.restrictionProfile,
        "protected": user.protected,
        "hasPassword": not user.managed,
    }


class Api:
    """Route handlers bound to one :class:`SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # -- guards -----------------------------------------------------------------------------
    def _session(self, request: Request) -> Session:
        session = self.state.session(_param(request, "X-Plex-Token"))
        if session is None:
            raise ApiError(401, NOT_AUTHENTICATED)
        return session

    def _admin(self, request: Request) -> Session:
        session = self._session(request)
        if not session.user.admin:
            raise ApiError(403, NOT_ADMIN)
        return session

    def _target(self, session: Session, key: str) -> HomeUser:
        user = self.state.find_user(session.account, key)
        if user is None:
            raise ApiError(404, NO_SUCH_USER)
        return user

    def _check_pin(self, account: Account, user: HomeUser, given: str | None, refusal: tuple[int, int, str]) -> None:
        """Refuse a wrong PIN for a protected user, counting it toward the rate limit."""
        if not user.protected:
            return
        if self.state.is_rate_limited(account.email):
            raise ApiError(429, TOO_MANY)
        if given != user.pin:
            self.state.record_wrong_attempt(account.email)
            status, code, message = refusal
            raise ApiError(status, (code, message))

    # -- routes -----------------------------------------------------------------------------
    async def signin(self, request: Request) -> Response:
        form = await request.form()
        login = str(form.get("login") or "")
        password = str(form.get("password") or "")
        code = str(form.get("verificationCode") or "").strip()
        with self.state.locked():
            account = self.state.account_by_email(login)
            key = account.email if account else f"login:{login.lower()}"
            if self.state.is_rate_limited(key):
                raise ApiError(429, TOO_MANY)
            if account is None or password != account.password:
                self.state.record_wrong_attempt(key)
                raise ApiError(401, NOT_AUTHENTICATED)
            if account.totpSecret:
                if not code:
                    raise ApiError(401, NEEDS_CODE)
                if not totp(account.totpSecret).verify(code, valid_window=1):
                    self.state.record_wrong_attempt(key)
                    raise ApiError(401, BAD_CODE)
            token = self.state.open_session(account, account.owner)
            return answer(request, "user", user_json(request, account, account.owner, token), status=201)

    async def me(self, request: Request) -> Response:
        with self.state.locked():
            session = self._session(request)
            return answer(request, "user", user_json(request, session.account, session.user))

    async def home_users(self, request: Request) -> Response:
        with self.state.locked():
            session = self._session(request)
            account = session.account
            users = [home_user_json(request, u) for u in account.users]
            home_id = account.owner.id
            if wants_json(request):
                return JSONResponse({"id": home_id, "name": account.homeName, "users": users})
            container = {"friendlyName": "myPlex", "identifier": "com.plexapp.plugins.myplex", "size": len(users)}
            return Response(
                _xml("MediaContainer", container, [("User", {**u, "home": True}) for u in users]),
                media_type="application/xml",
            )

    async def update_home_user(self, request: Request) -> Response:
        """``PUT /api/home/users/{id}?pin=NEW&currentPin=CUR``: set, change or remove (empty) a PIN."""
        query = request.query_params
        with self.state.locked():
            session = self._session(request)
            target = self._target(session, request.path_params["id"])
            if not session.user.admin and session.user.id != target.id:
                raise ApiError(403, NOT_ADMIN)
            new_pin = query.get("pin")
            if new_pin is None or (new_pin != "" and not PIN_RE.match(new_pin)):
                raise ApiError(400, BAD_PIN)
            self._check_pin(session.account, target, query.get("currentPin"), (401, *INCORRECT_PIN))
            target.pin = new_pin or None
            self.state.save()
        if wants_json(request):
            return JSONResponse({"code": 0, "status": "Updated user"})
        return Response(_xml("Response", {"code": 0, "status": "Updated user"}), media_type="application/xml")

    async def restricted_pin(self, request: Request) -> Response:
        """``POST /api/v2/home/users/restricted/{id}?pin=NEW`` or ``?removePin=1`` for a managed user."""
        query = request.query_params
        with self.state.locked():
            session = self._admin(request)
            target = self._target(session, request.path_params["id"])
            if not target.managed:
                raise ApiError(400, NOT_MANAGED)
            if query.get("removePin") in ("1", "true"):
                target.pin = None
            else:
                new_pin = query.get("pin") or ""
                if not PIN_RE.match(new_pin):
                    raise ApiError(400, BAD_PIN)
                target.pin = new_pin
            self.state.save()
            return answer(request, "user", home_user_json(request, target), status=201)

    async def switch(self, request: Request) -> Response:
        """``POST /api/v2/home/users/{uuid}/switch?pin=NNNN``: a token acting as that Home user."""
        with self.state.locked():
            session = self._session(request)
            target = self._target(session, request.path_params["uuid"])
            self._check_pin(session.account, target, request.query_params.get("pin"), (403, *NEEDS_PIN))
            token = self.state.open_session(session.account, target)
            return answer(request, "user", user_json(request, session.account, target, token), status=201)

    async def verify_pin(self, request: Request) -> Response:
        """Sandbox's own: the Confirm Current PIN dialog's check. 200 or 401 "Incorrect PIN"."""
        with self.state.locked():
            session = self._session(request)
            target = self._target(session, request.path_params["id"])
            if not session.user.admin and session.user.id != target.id:
                raise ApiError(403, NOT_ADMIN)
            self._check_pin(session.account, target, request.query_params.get("pin"), (401, *INCORRECT_PIN))
            return answer(request, "Response", {"code": 0, "status": "PIN verified"})

    async def reset_pin(self, request: Request) -> Response:
        """Sandbox's own: the PIN Reset page's submit, form ``pin`` and ``password``."""
        form = await request.form()
        new_pin = str(form.get("pin") or "")
        password = str(form.get("password") or "")
        with self.state.locked():
            session = self._session(request)
            account = session.account
            if self.state.is_rate_limited(account.email):
                raise ApiError(429, TOO_MANY)
            if password != account.password:
                self.state.record_wrong_attempt(account.email)
                raise ApiError(401, INCORRECT_PASSWORD)
            if not PIN_RE.match(new_pin):
                raise ApiError(400, BAD_PIN)
            account.owner.pin = new_pin
            self.state.save()
            return answer(request, "user", user_json(request, account, account.owner))

    def routes(self) -> list[Route]:
        return [
            Route("/api/v2/users/signin", self.signin, methods=["POST"]),
            Route("/api/v2/user", self.me, methods=["GET"]),
            Route("/api/v2/user/pin/reset", self.reset_pin, methods=["POST"]),
            Route("/api/v2/home/users", self.home_users, methods=["GET"]),
            Route("/api/home/users", self.home_users, methods=["GET"]),
            Route("/api/home/users/{id}", self.update_home_user, methods=["PUT"]),
            Route("/api/v2/home/users/restricted/{id}", self.restricted_pin, methods=["POST"]),
            Route("/api/v2/home/users/{uuid}/switch", self.switch, methods=["POST"]),
            Route("/api/v2/home/users/{id}/pin/verify", self.verify_pin, methods=["POST"]),
        ]
