"""The sandbox's ASGI app: Plex Web's pages and the plex.tv API under one base URL."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from plexbook.sandbox.api import NO_CLIENT_ID, Api, ApiError, error_response
from plexbook.sandbox.faults import FaultMiddleware, Faults
from plexbook.sandbox.state import SandboxState
from plexbook.sandbox.variants import Variant

HERE = Path(__file__).parent
Handler = Callable[[Request], Awaitable[Response]]


def _needs_client_id(handler: Handler) -> Handler:
    """Plex refuses API calls that do not say which client they come from (400, code 1000)."""

    async def guarded(request: Request) -> Response:
        if not (
            request.headers.get("X-Plex-Client-Identifier") or request.query_params.get("X-Plex-Client-Identifier")
        ):
            raise ApiError(400, NO_CLIENT_ID)
        return await handler(request)

    return guarded


def _script_class_names() -> list[str]:
    """Every ``C('Block.element')`` the page scripts use, so each gets its hashed name."""
    names: set[str] = set()
    for script in (HERE / "static").glob("*.js"):
        names.update(re.findall(r"""C\("([A-Za-z]+\.[A-Za-z]+)"\)""", script.read_text(encoding="utf-8")))
    return sorted(names)


def _avatar(request: Request) -> Response:
    """A round avatar with the user's initial, standing in for plex.tv's user thumbs."""
    state: SandboxState = request.app.state.sandbox
    with state.locked():
        user = next(
            (u for a in state.household.accounts for u in a.users if u.uuid == request.path_params["uuid"]), None
        )
        if user is None:
            raise HTTPException(404)
        initial, color = user.title[:1].upper(), user.thumbColor
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80">'
        f'<circle cx="40" cy="40" r="40" fill="{color}"/>'
        '<text x="40" y="53" font-family="Helvetica, Arial, sans-serif" font-size="36" font-weight="600" '
        f'fill="#fff" text-anchor="middle">{initial}</text></svg>'
    )
    return Response(svg, media_type="image/svg+xml")


def create_app(state: SandboxState, variant: Variant, faults: Faults | None = None) -> Starlette:
    """Build the sandbox app for one household, one variant and a set of faults."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    faults = faults or Faults()
    api = Api(state)
    config = json.dumps(
        {
            "variant": variant.as_dict(),
            "heading": variant.heading_text,
            "classes": {name: variant.css(*name.split(".")) for name in _script_class_names()},
        }
    )

    def cls(name: str) -> str:
        return variant.css(*name.split("."))

    def page(template: str) -> Handler:
        async def render(request: Request) -> Response:
            return templates.TemplateResponse(request, template, {"v": variant, "cls": cls, "config": config})

        return render

    async def to_desktop(request: Request) -> Response:
        return RedirectResponse("/desktop/", status_code=302)

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(request, exc.status, exc.code, exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/"):
            return error_response(request, exc.status_code, exc.status_code, exc.detail)
        return Response(f"{exc.status_code} {exc.detail}", status_code=exc.status_code, media_type="text/plain")

    async def server_error(request: Request, exc: Exception) -> Response:
        # Never a stack trace in a response: the server log keeps the detail.
        return error_response(request, 500, 500, "Internal server error")

    routes = [
        Route("/", to_desktop),
        Route("/desktop", to_desktop),
        Route("/desktop/", page("desktop.html")),
        Route("/auth", page("auth_frame.html" if variant.sign_in_frame else "auth.html")),
        # The form itself, which the framed variant's /auth shows in its iframe.
        Route("/auth/form", page("auth.html")),
        Route("/pin/reset", page("pin_reset.html")),
        Route("/users/{uuid}/avatar", _avatar, name="avatar"),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        *[Route(r.path, _needs_client_id(r.endpoint), methods=r.methods) for r in api.routes()],
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error, HTTPException: http_error, Exception: server_error},
    )
    app.state.sandbox = state
    app.add_middleware(FaultMiddleware, faults=faults)
    return app
