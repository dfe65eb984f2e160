"""Faults on demand: added latency, a route that answers 500/503, a dropped connection.

All are off by default. Tests switch them on and off while the server runs, so the
settings live in one mutable object that the middleware reads on every request.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class DroppedConnection(Exception):
    """Raised after the response has started, so the server closes the connection mid-reply."""


@dataclass
class Faults:
    """What the sandbox does wrong, per request path prefix."""

    latency_ms: int = 0
    #: Path prefix -> HTTP status answered instead of the real response (500, 503, ...).
    status: dict[str, int] = field(default_factory=dict)
    #: Path prefixes whose connections are cut before a reply is complete.
    drop: set[str] = field(default_factory=set)
    #: Path prefix -> HTTP status answered *after* the request was carried out, as live Plex
    #: may: the change is made, the client is told it failed.
    after: dict[str, int] = field(default_factory=dict)
    #: Requests the sandbox answered, by method and path, faulted or not: how tests see that
    #: nothing was retried, or that several users shared one sign-in.
    hits: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def fail(self, prefix: str, status: int = 500) -> None:
        with self._lock:
            self.status[prefix] = status

    def fail_after(self, prefix: str, status: int = 503) -> None:
        with self._lock:
            self.after[prefix] = status

    def drop_connection(self, prefix: str) -> None:
        with self._lock:
            self.drop.add(prefix)

    def clear(self) -> None:
        with self._lock:
            self.latency_ms = 0
            self.status.clear()
            self.drop.clear()
            self.after.clear()
            self.hits.clear()

    def for_path(self, path: str) -> tuple[int | None, bool, int | None]:
        with self._lock:
            status = next((s for p, s in self.status.items() if path.startswith(p)), None)
            dropped = any(path.startswith(p) for p in self.drop)
            after = next((s for p, s in self.after.items() if path.startswith(p)), None)
        return status, dropped, after


class FaultMiddleware:
    """ASGI middleware that applies :class:`Faults` before the app sees a request."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.faults.latency_ms:
            # Injected on purpose: the sandbox stands in for a slow Plex.
            await asyncio.sleep(self.faults.latency_ms / 1000)
        status, dropped, after = self.faults.for_path(scope["path"])
        with self.faults._lock:
            self.faults.hits[f"{scope['method']} {scope['path']}"] += 1
        if after is not None:

            async def discard(message: Message) -> None:
                pass

            await self.app(scope, receive, discard)
            status = after
        if dropped:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            raise DroppedConnection(scope["path"])
        if status is not None:
            body = (
                f'{{"errors":[{{"code":{status},"message":"Sandbox fault: answering {status}","status":{status}}}]}}'
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
