"""Remote browsers for real: a Playwright browser server started with node's playwright-core,
and a Chromium started with --remote-debugging-port, each on this machine's browser."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright

from plexbook.browser import QUIET_CHROMIUM_ARGS, BrowserOptions, launch_options

#: Where scripts/setup --test puts playwright-core, at the Python driver's version.
PLAYWRIGHT_CORE = Path(__file__).parents[2] / ".venv" / "playwright-server" / "node_modules" / "playwright-core"
SERVER_SCRIPT = """
const { chromium } = require(process.env.PLAYWRIGHT_CORE);
(async () => {
  const options = { headless: true, args: JSON.parse(process.env.CHROMIUM_ARGS) };
  if (process.env.CHROMIUM_PATH) options.executablePath = process.env.CHROMIUM_PATH;
  const server = await chromium.launchServer(options);
  console.log(server.wsEndpoint());
  // Closed when the test process closes our stdin (or ends).
  process.stdin.on("end", async () => { await server.close(); process.exit(0); });
  process.stdin.resume();
})().catch((error) => { console.error(error); process.exit(1); });
"""
_DEVTOOLS = re.compile(r"DevTools listening on ws://(?P<host>[^/\s]+)/")


def _chromium_path(playwright: Playwright) -> str:
    """The Chromium plexbook would launch: Playwright's own, else the system's."""
    options = launch_options(playwright, BrowserOptions())
    return str(options.get("executable_path") or playwright.chromium.executable_path)


def _first_line(process: subprocess.Popen[str], what: str, pattern: re.Pattern[str] | None = None) -> str:
    stream = process.stderr if pattern is not None else process.stdout
    assert stream is not None
    seen: list[str] = []
    for line in stream:
        seen.append(line)
        if pattern is None and line.startswith("ws://"):
            return line.strip()
        if pattern is not None and (found := pattern.search(line)):
            return f"http://{found.group('host')}"
    raise RuntimeError(f"{what} did not start: {''.join(seen)[-2000:]}")


@pytest.fixture(scope="session")
def browser_server(playwright: Playwright) -> Iterator[str]:
    """A Playwright browser server (``chromium.launchServer``) from node's playwright-core: its ws:// address."""
    if not (PLAYWRIGHT_CORE / "package.json").is_file():
        pytest.fail(f"playwright-core is not installed at {PLAYWRIGHT_CORE}: run scripts/setup --test")
    env = {
        **os.environ,
        "PLAYWRIGHT_CORE": str(PLAYWRIGHT_CORE),
        "CHROMIUM_PATH": _chromium_path(playwright),
        "CHROMIUM_ARGS": json.dumps(list(QUIET_CHROMIUM_ARGS)),
    }
    process = subprocess.Popen(
        ["node", "-e", SERVER_SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        yield _first_line(process, "the Playwright browser server")
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def cdp_browser(playwright: Playwright) -> Iterator[str]:
    """A Chromium with remote debugging on a free port: its http:// address."""
    # Chromium's helper processes may still write to the profile as the folder goes: not a failure.
    with tempfile.TemporaryDirectory(prefix="plexbook-cdp-", ignore_cleanup_errors=True) as folder:
        profile, scratch = Path(folder) / "profile", Path(folder) / "tmp"
        scratch.mkdir()
        command = [
            _chromium_path(playwright),
            "--headless",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--no-first-run",
            *QUIET_CHROMIUM_ARGS,
            "about:blank",
        ]
        # Chromium keeps its profile lock's socket in the temporary folder and, once terminated,
        # leaves it there: inside this folder it goes with the rest.
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TMPDIR": str(scratch)},
        )
        try:
            endpoint = _first_line(process, "Chromium with remote debugging", _DEVTOOLS)
            # Keep reading what Chromium says, so a full pipe never stalls it.
            threading.Thread(target=lambda: process.stderr and process.stderr.read(), daemon=True).start()
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


class KeyedFront:
    """A front for a remote browser that lets a connection through only when its first request
    carries ``Authorization: Bearer <key>``, as hosted browser services check their key.

    Everything else is passed on byte for byte to ``upstream`` (host:port), both ways: the CDP
    version request and a browser server's WebSocket alike.
    """

    def __init__(self, upstream: str, key: str) -> None:
        host, _, port = upstream.rpartition(":")
        self.upstream = (host, int(port))
        self.key = key
        self.admitted = 0
        self.refused = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                client.close()
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        if headers.get("authorization") != f"Bearer {self.key}":
            self.refused += 1
            client.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        self.admitted += 1
        upstream = socket.create_connection(self.upstream)
        upstream.sendall(head)
        threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()
        _pump(client, upstream)

    def close(self) -> None:
        self._server.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` into ``sink`` until either side closes; then close both."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


@pytest.fixture
def keyed_front() -> Iterator[Callable[[str, str], KeyedFront]]:
    """Makes :class:`KeyedFront` s in front of a remote browser's host:port; closed after the test."""
    fronts: list[KeyedFront] = []

    def make(upstream: str, key: str) -> KeyedFront:
        fronts.append(KeyedFront(upstream, key))
        return fronts[-1]

    yield make
    for front in fronts:
        front.close()
