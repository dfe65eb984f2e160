"""Running the sandbox: in the foreground for the CLI, or in-process on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn

from plexbook.sandbox.app import create_app
from plexbook.sandbox.faults import Faults
from plexbook.sandbox.state import Household, SandboxState, demo_household, load_household
from plexbook.sandbox.variants import PRESETS, Variant


class SandboxServer:
    """The sandbox on a uvicorn server of its own thread; a context manager.

    ``with SandboxServer() as sandbox: sandbox.base_url`` serves the demo household on a
    free loopback port until the block ends. ``state`` and ``faults`` may be read and
    changed while it runs.
    """

    def __init__(
        self,
        variant: Variant | None = None,
        *,
        household: Household | None = None,
        state_file: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        log_level: str = "warning",
    ) -> None:
        self.variant = variant or PRESETS["classic"]
        if household is None:
            household = load_household(state_file) if state_file else demo_household()
        self.state = SandboxState(household, state_file=state_file)
        self.faults = faults or Faults()
        self.host = host
        self.port = port
        self.app = create_app(self.state, self.variant, self.faults)
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level=self._log_level,
            access_log=False,
            lifespan="off",
        )

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        # Listening at once lets clients queue from the moment the URL is printed.
        sock.listen(128)
        self.port = sock.getsockname()[1]
        return sock

    def start(self) -> Self:
        """Start serving on a background thread; returns once the server accepts connections."""
        # Binding here, not in uvicorn, is how a free port (port=0) becomes known before start.
        sock = self._bind()
        self._server = uvicorn.Server(self._config())
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            try:
                self._server.run(sockets=[sock])  # type: ignore[union-attr]
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
            finally:
                started.set()

        self._thread = threading.Thread(target=serve, name=f"sandbox:{self.port}", daemon=True)
        self._thread.start()
        # uvicorn offers no start callback; its `started` flag is the condition to wait on.
        deadline = time.monotonic() + 10
        while not self._server.started and not started.is_set() and time.monotonic() < deadline:
            started.wait(0.01)
        if failure or not self._server.started:
            raise RuntimeError(f"the sandbox did not start on {self.base_url}: {failure[0] if failure else 'unknown'}")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve in the foreground until interrupted; ``on_ready(base_url)`` once the port is bound."""
        sock = self._bind()
        if on_ready is not None:
            on_ready(self.base_url)
        uvicorn.Server(self._config()).run(sockets=[sock])

    def reset(self) -> None:
        """A fresh household (the demo one, or the state file's) and no faults."""
        fresh = load_household(self.state.state_file) if self.state.state_file else demo_household()
        self.state.reset(fresh)
        self.faults.clear()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
