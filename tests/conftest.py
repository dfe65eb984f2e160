"""Fixtures shared by every test: the in-process sandbox and sessions in it.

The browser launch (system Chromium fallback) comes from plexbook's pytest plugin, which
this suite asks for, as any suite must.
"""

from __future__ import annotations

import base64
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright

from plexbook.config import SecretSource, Target
from plexbook.engine import RunResult, RunSettings, execute
from plexbook.recorder import TraceMode
from plexbook.runbook import RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.sandbox import PRESETS, SandboxServer

ALEX = ("alex@sandbox.plexbook.test", "sandbox-pass-1")
CASEY = ("casey@sandbox.plexbook.test", "sandbox-pass-2")
CASEY_TOTP = "JBSWY3DPEHPK3PXP"
CLIENT_HEADERS = {"X-Plex-Client-Identifier": "plexbook-tests", "X-Plex-Product": "plexbook tests"}

pytest_plugins = ["plexbook.pytest_plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--seed",
        type=int,
        action="append",
        default=[],
        help="Run the random-screen sweep (-m sweep) on this seed instead of the fixed ones (repeatable).",
    )
    parser.addoption(
        "--extra-seed",
        type=int,
        action="append",
        default=[],
        help="Run the random-screen sweep on the fixed seeds and this one too (repeatable).",
    )


@pytest.fixture(scope="session")
def sandbox_pool() -> Iterator[dict[str, SandboxServer]]:
    """One running sandbox per variant, started on first use, for the whole session."""
    servers: dict[str, SandboxServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


#: Screens beside the presets that tests ask for by name: the sign-in form in www.plex.tv's
#: iframe, on the classic screens otherwise; forms whose fields have no label, whose PIN inputs
#: are not text boxes and whose refusals are plain text, on one input and on digit boxes;
#: every control a link, each an anchor with no href, and icon controls as such anchors, named
#: by title or aria-label alone; and PIN entries of plain fields that are drawn anew as each
#: digit is typed, one input and digit boxes.
OTHER_VARIANTS = {
    "framed-sign-in": replace(PRESETS["classic"], name="framed-sign-in", sign_in_frame=True),
    "plain-forms": replace(
        PRESETS["classic"], name="plain-forms", field_names="placeholder", pin_type="number", error_shape="text"
    ),
    "plain-digits": replace(
        PRESETS["modern"], name="plain-digits", field_names="aria-label", pin_type="text", error_shape="text"
    ),
    "bare-links": replace(
        PRESETS["classic"], name="bare-links", bare_links=True, settings_control="link", remove_control="link"
    ),
    "bare-icons": replace(
        PRESETS["classic"],
        name="bare-icons",
        bare_links=True,
        icon_links=True,
        settings_control="icon-title",
        pin_control="icon",
    ),
    "redrawn-pin": replace(
        PRESETS["classic"], name="redrawn-pin", field_names="placeholder", pin_type="number", pin_redraw=True
    ),
    "redrawn-digits": replace(
        PRESETS["modern"], name="redrawn-digits", field_names="aria-label", pin_type="text", pin_redraw=True
    ),
    "own-words": replace(PRESETS["modern"], name="own-words", error_shape="text", refusal_words="own"),
    "own-words-in-alerts": replace(PRESETS["classic"], name="own-words-in-alerts", refusal_words="own"),
}


def fresh_sandbox(pool: dict[str, SandboxServer], name: str) -> SandboxServer:
    if name not in pool:
        pool[name] = SandboxServer(PRESETS.get(name) or OTHER_VARIANTS[name]).start()
    server = pool[name]
    server.reset()
    return server


#: The default suite runs on the two presets furthest apart (one input and CSS hover; digit
#: boxes, auto-submit and re-rendering rows); the other two run with the sweep (-m sweep),
#: which CI runs every time, beside its random screens.
PRESET_PARAMS = [
    pytest.param(name, marks=() if name in ("classic", "modern") else pytest.mark.sweep, id=name) for name in PRESETS
]


@pytest.fixture(params=PRESET_PARAMS)
def sandbox(request: pytest.FixtureRequest, sandbox_pool: dict[str, SandboxServer]) -> SandboxServer:
    """The sandbox in each variant in turn, with a fresh demo household."""
    return fresh_sandbox(sandbox_pool, request.param)


@pytest.fixture
def classic_sandbox(sandbox_pool: dict[str, SandboxServer]) -> SandboxServer:
    """The sandbox in its classic variant, for tests the variant does not matter to."""
    return fresh_sandbox(sandbox_pool, "classic")


@pytest.fixture
def framed_sign_in_sandbox(sandbox_pool: dict[str, SandboxServer]) -> SandboxServer:
    """The classic sandbox with its sign-in form in an iframe named fedauth-iFrame, as www.plex.tv shows it."""
    return fresh_sandbox(sandbox_pool, "framed-sign-in")


@pytest.fixture(params=["plain-forms", "plain-digits"])
def plain_forms_sandbox(request: pytest.FixtureRequest, sandbox_pool: dict[str, SandboxServer]) -> SandboxServer:
    """Forms as a stand-in may draw them: fields named by a placeholder or ``aria-label`` alone, PIN
    inputs as number fields (spin buttons) or digit boxes, refusals as text with no role."""
    return fresh_sandbox(sandbox_pool, request.param)


@pytest.fixture
def api(classic_sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """An HTTP client for the sandbox's API that identifies itself as a Plex client."""
    with httpx.Client(base_url=classic_sandbox.base_url, headers=CLIENT_HEADERS) as client:
        yield client


def blobs(name: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every byte of an artifact: zips are opened, their entries decompressed."""
    yield name, data
    if data.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.namelist():
                yield from blobs(f"{name}!{entry}", archive.read(entry))


def _children(parents: set[int]) -> Iterator[tuple[int, list[bytes]]]:
    """The child processes of ``parents``, with their command lines, read from /proc (Linux)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
        if ppid in parents:
            yield int(stat.parent.name), command


def playwright_drivers(parent: int) -> set[int]:
    """The Playwright drivers (Node children running ``run-driver``) of process ``parent``, by process id."""
    return {pid for pid, command in _children({parent}) if b"run-driver" in command}


def launched_browsers(parent: int) -> set[int]:
    """The browsers the Playwright drivers of process ``parent`` launched, by process id: their
    main processes, not the renderers and helpers those start."""
    return {
        pid
        for pid, command in _children(playwright_drivers(parent))
        if not any(argument.startswith(b"--type=") for argument in command)
    }


@contextmanager
def trace_viewer(trace: Path) -> Iterator[str]:
    """Playwright's trace viewer serving ``trace`` over HTTP (no desktop browser); yields its address."""
    viewer = subprocess.Popen(
        [sys.executable, "-m", "playwright", "show-trace", "--host", "127.0.0.1", "--port", "0", str(trace)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PWTEST_UNDER_TEST": "1"},  # serve only: do not open a desktop browser
        start_new_session=True,  # its own process group: the node server it starts goes with it
    )
    try:
        assert viewer.stdout is not None
        yield next(m.group(0) for line in viewer.stdout if (m := re.search(r"http://\S+", line)))
    finally:
        os.killpg(viewer.pid, signal.SIGTERM)
        viewer.wait(timeout=10)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """plexbook in its own process, as a person runs it: no terminal on stdin, no PLEX_* but ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    # The user's own data folder (baselines written by check) stays out of tests unless a test sets one.
    clean["XDG_DATA_HOME"] = str(Path(tempfile.gettempdir()) / "plexbook-tests-data")
    return subprocess.run(
        [sys.executable, "-m", "plexbook", *args],
        check=False,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env={**clean, **(env or {})},
        timeout=600,
    )


def run_flow(
    playwright: Playwright,
    sandbox: SandboxServer,
    tmp_path: Path,
    name: str,
    secrets: dict[str, str],
    *,
    rehearse: bool = False,
    trace: TraceMode = "off",
    timeout_s: float = 10,
    **options: str,
) -> RunResult:
    """One runbook on ``sandbox`` through the engine, as the CLI runs it, evidence under ``tmp_path``.

    No trace unless asked for: tests of traces ask, and the browser's screencast for one
    costs every other test about a fifth of its time.
    """
    settings = RunSettings(trace=trace, timeout_s=timeout_s, traces_dir=tmp_path / "traces")
    chosen = RunOptions(rehearse=rehearse, **options)  # type: ignore[arg-type]
    request = settings.request(RUNBOOKS[name], Target.at(sandbox.base_url), SecretSource(secrets), chosen)
    return execute(request, playwright)


def sign_in_token(base_url: str, login: str = ALEX[0], password: str = ALEX[1], **extra: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v2/users/signin",
        data={"login": login, "password": password, **extra},
        headers={**CLIENT_HEADERS, "Accept": "application/json"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["authToken"])


def seed_token(context: BrowserContext, base_url: str, token: str) -> None:
    """A session held only in localStorage, as Plex Web keeps it."""
    context.add_init_script(
        f"if (location.origin === {base_url!r}) "
        f"localStorage.setItem('plex_tv_auth', JSON.stringify({{authToken: {token!r}}}));"
    )


@pytest.fixture
def signed_in_page(page: Page, context: BrowserContext, sandbox: SandboxServer) -> Page:
    """A page whose browser holds Alex's session for the sandbox."""
    seed_token(context, sandbox.base_url, sign_in_token(sandbox.base_url))
    return page


_COUNT_COLOUR_PIXELS = """async ([png, color, box]) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const [x, y, w, h] = box || [0, 0, image.width, image.height];
  const data = context.getImageData(x, y, w, h).data;
  const [r, g, b] = [1, 3, 5].map(i => parseInt(color.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) count++;
  return count;
}"""


def colour_pixels(page: Page, png: bytes, colour: str, box: tuple[int, int, int, int] | None = None) -> int:
    """How many pixels of ``png`` (in ``box``: x, y, width, height) are ``colour`` ("#rrggbb").

    Counted by the browser's own decoder, in a page of its own: ``page`` is left as it is.
    """
    counter = page.context.new_page()
    try:
        return int(counter.evaluate(_COUNT_COLOUR_PIXELS, [base64.b64encode(png).decode(), colour, box]))
    finally:
        counter.close()
