"""The one place that decides how a browser is launched (or connected to), and owns it while runs use it.

Playwright's own browser is used when it is installed. Where it is not (no internet to
download it), Chromium falls back to a system build: ``PLEXBOOK_BROWSER_PATH``; else, for a
headless run, the system's ``chromium-headless-shell`` (Debian's package of the build
Playwright itself runs headless); else ``/usr/bin/chromium``, ``chromium-browser``,
``chromium``, ``google-chrome``. Playwright's own Chromium installed without its headless
shell (``playwright install --no-shell``) runs headless as a whole Chromium; installed as the
shell alone (``--only-shell``), it serves headless runs where no system build does. Every
launch is headless unless asked otherwise, with flags that keep Chromium off the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from playwright.sync_api import Browser, BrowserContext, BrowserType, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from plexbook import unscrubbed
from plexbook.choices import BrowserName
from plexbook.errors import BadInput
from plexbook.scrub import REDACTED, Scrubber

#: Flags for a quiet, headless Chromium that phones nobody.
QUIET_CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SYSTEM_CHROMIUM = ("/usr/bin/chromium", "chromium-browser", "chromium", "google-chrome")
#: Chromium's headless shell, which Playwright itself launches for a headless run: it starts in
#: less than half the time of a whole Chromium and uses about half the CPU (docs/performance.md).
#: The binary first: Debian's ``/usr/bin`` entry is a shell script that runs it as a child.
SYSTEM_HEADLESS_SHELL = ("/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell")
#: Where a remote browser's address is read when the command line does not give it: a
#: command line is open to anyone who can list the machine's processes, and the address of a
#: hosted browser usually holds its key.
BROWSER_ENDPOINT_VARIABLE = "PLEXBOOK_BROWSER_ENDPOINT"
CDP_ENDPOINT_VARIABLE = "PLEXBOOK_CDP_ENDPOINT"
#: HTTP headers a remote browser is connected with, as a JSON object: hosted services that take
#: their key in a header (``Authorization: Bearer ...``). Like Playwright Test's own
#: ``PW_TEST_CONNECT_HEADERS``; never an option, since every value is treated as a secret.
BROWSER_HEADERS_VARIABLE = "PLEXBOOK_BROWSER_HEADERS"
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: Query parameters of a remote browser's address that hold a credential: Browserless' token,
#: an API key, a signature, capabilities that carry an access key.
_CREDENTIAL_PARAM = re.compile(r"(?i)token|key|secret|pass|auth|sig|cred|cap")
#: A segment of a remote browser's path that is its key: Playwright's ``launchServer`` serves
#: on an unguessable path (32 hex digits) "for security", and a grid's session id works the
#: same way. Letters and digits mixed, 16 or more, so words and versions are not taken for one.
_KEY_SEGMENT = re.compile(r"^(?=[^/]*[0-9])(?=[^/]*[A-Za-z])[A-Za-z0-9_-]{16,}$")
#: Chromium's own DevTools paths, whose ids it hands to anyone at ``/json/version``: no key.
_DEVTOOLS_PATH = "/devtools/"
#: What to do when no Chromium is there at all.
NO_CHROMIUM = (
    "no Chromium found: run `playwright install chromium`, install your system's chromium package, "
    "or set PLEXBOOK_BROWSER_PATH"
)
#: How Playwright's launch says the build it wanted is not installed.
_MISSING_EXECUTABLE = "Executable doesn't exist"
#: Preloaded into Playwright's driver: it leaves SIGTERM and SIGHUP to plexbook (see _start_playwright).
DRIVER_SIGNALS = Path(__file__).with_name("driver_signals.cjs")


#: A Playwright started ahead of need in this thread (:func:`playwright_ahead`), for the first
#: session of the thread to take. Per thread: a sync Playwright serves only the thread that started it.
_ahead = threading.local()


def _start_playwright() -> Playwright:
    """Start Playwright's driver, leaving the run's signals to plexbook; Node keeps the
    driver's compiled code between starts.

    A SIGTERM or SIGHUP sent to the whole process group (a terminal that hangs up,
    ``timeout``, a service manager stopping the job) would end the driver at once, and with it
    the browser a stopping run still needs for its trace and its outcome check. The driver is
    started with :data:`DRIVER_SIGNALS` preloaded, which has it ignore both, as Playwright's
    driver itself ignores SIGINT; it still ends when this process closes its pipe.

    Node compiles Playwright's server code at every start unless told where to keep it: about
    60 ms of each run. The cache goes where ``NODE_COMPILE_CACHE`` says, by default in the
    user's cache folder; ``NODE_DISABLE_COMPILE_CACHE=1`` turns it off.
    """
    if "NODE_DISABLE_COMPILE_CACHE" not in os.environ:
        os.environ.setdefault("NODE_COMPILE_CACHE", str(_cache_dir() / "node-compile-cache"))
    # The preload acts only in Playwright's driver, so other Node processes started from here
    # (a browser server, say) keep their own signals. Quoted as Node reads NODE_OPTIONS.
    preload = "--require " + json.dumps(str(DRIVER_SIGNALS), ensure_ascii=False)
    options = os.environ.get("NODE_OPTIONS", "")
    # A preload Node cannot find would stop the driver from starting at all.
    if preload not in options and DRIVER_SIGNALS.is_file():
        os.environ["NODE_OPTIONS"] = f"{options} {preload}".strip()
    return sync_playwright().start()


def _cache_dir() -> Path:
    """plexbook's folder in the user's cache: ``$XDG_CACHE_HOME``, ``%LOCALAPPDATA%``, else ``~/.cache``."""
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None)
    return (Path(base) if base else Path.home() / ".cache") / "plexbook"


@contextmanager
def playwright_ahead() -> Iterator[None]:
    """Start Playwright's driver now, for the first :class:`BrowserSession` of this thread.

    The command line calls this before it reads its arguments, so the driver's start (a Node
    process loading Playwright, about 0.3 s) overlaps Python's own imports. A driver no session
    took is stopped when the block ends. If it cannot start, nothing is kept: the session then
    starts its own and reports why it cannot, as it always does.
    """
    try:
        _ahead.playwright = _start_playwright()
    except Exception:  # noqa: BLE001 - the session's own start says what is wrong, where it is read
        _ahead.playwright = None
    try:
        yield
    finally:
        unclaimed = _take_ahead()
        if unclaimed is not None:
            unclaimed.stop()


def _take_ahead() -> Playwright | None:
    playwright: Playwright | None = getattr(_ahead, "playwright", None)
    _ahead.playwright = None
    return playwright


class BrowserNotFound(RuntimeError):
    """No usable browser: neither Playwright's own nor a system one."""


class RemoteBrowserUnreachable(RuntimeError):
    """The remote browser did not let plexbook connect; the message shows its address without credentials."""


def endpoint_credentials(url: str) -> list[tuple[str, str]]:
    """Every credential in a remote browser's address, as (where, value): the password of its
    user part, an unguessable segment of its path (a browser server's key) and the values of
    query parameters named like a credential (``token``, ``apiKey``)."""
    parts = urlsplit(url)
    found = [("password", unquote(parts.password))] if parts.password else []
    found += [("unguessable path", segment) for segment in _key_segments(parts.path)]
    found += [(name, value) for name, value in parse_qsl(parts.query) if value and _CREDENTIAL_PARAM.search(name)]
    return found


def _key_segments(path: str) -> list[str]:
    """The segments of an address's path that are a key (see ``_KEY_SEGMENT``)."""
    if path.startswith(_DEVTOOLS_PATH):
        return []
    return [segment for segment in path.split("/") if _KEY_SEGMENT.match(segment)]


def remote_endpoints(
    ws: str | None,
    cdp: str | None,
    environ: Mapping[str, str],
    options: tuple[str, str] = ("--browser-endpoint", "--cdp-endpoint"),
) -> tuple[str | None, str | None]:
    """The remote browser asked for, as (browser server, CDP) addresses: ``ws`` and ``cdp``, given
    on a command line as ``options``, else PLEXBOOK_BROWSER_ENDPOINT / PLEXBOOK_CDP_ENDPOINT in
    ``environ`` (the environment over .env).

    Raises BadInput for an address with a credential in it on the command line (anyone who can
    list the machine's processes reads it there), for both kinds at once, or for an address of
    the wrong kind.
    """
    sources = options
    variables = (BROWSER_ENDPOINT_VARIABLE, CDP_ENDPOINT_VARIABLE)
    for option, given, variable in zip(options, (ws, cdp), variables, strict=True):
        held = [where for where, _ in endpoint_credentials(given)] if given else []
        if held:
            raise BadInput(
                f"{option} holds a credential ({', '.join(held)}), and a command line is open to anyone who can "
                f"list this machine's processes: set {variable} in the environment or .env instead"
            )
    if not ws and not cdp:
        ws, cdp = environ.get(BROWSER_ENDPOINT_VARIABLE) or None, environ.get(CDP_ENDPOINT_VARIABLE) or None
        sources = variables
    if ws and cdp:
        raise BadInput(f"choose one of {sources[0]} and {sources[1]}")
    if ws and not ws.startswith(("ws://", "wss://")):
        raise BadInput(f"{sources[0]} must be a ws:// or wss:// address (got {shown_endpoint(ws)!r})")
    if cdp and not cdp.startswith(("http://", "https://", "ws://", "wss://")):
        raise BadInput(f"{sources[1]} must be an http:// or ws:// address (got {shown_endpoint(cdp)!r})")
    return ws, cdp


def remote_headers(environ: Mapping[str, str], remote: str | None) -> tuple[tuple[str, str], ...]:
    """The headers PLEXBOOK_BROWSER_HEADERS in ``environ`` gives the remote browser at ``remote``.

    Raises BadInput, never quoting the variable's value, when it is not a JSON object of header
    names and text values, or when it is set and no remote browser is named.
    """
    given = environ.get(BROWSER_HEADERS_VARIABLE, "").strip()
    if not given:
        return ()
    if remote is None:
        raise BadInput(
            f"{BROWSER_HEADERS_VARIABLE} is set, but no remote browser is named: set {BROWSER_ENDPOINT_VARIABLE} "
            f"or {CDP_ENDPOINT_VARIABLE} as well, or unset {BROWSER_HEADERS_VARIABLE} to use a local browser"
        )
    expected = f'{BROWSER_HEADERS_VARIABLE} must be a JSON object of headers, as {{"Authorization": "Bearer ..."}}'
    try:
        headers = json.loads(given)
    except json.JSONDecodeError as exc:
        # The decoder's message says where, never what: the value is a secret.
        raise BadInput(f"{expected} ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(headers, dict):
        raise BadInput(expected)
    # Neither names nor values are quoted: a name may be a whole header pasted in, key and all.
    for name, value in headers.items():
        if not _HEADER_NAME.match(name):
            raise BadInput(f"{expected}: each name must be a header's name alone (no spaces or colons)")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise BadInput(f"{expected}: each value must be text on one line")
    return tuple(headers.items())


def shown_endpoint(url: str) -> str:
    """A remote browser's address as messages show it: each credential replaced as the scrubber does."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password:
        netloc = f"{parts.username or ''}:{REDACTED}@{netloc.rpartition('@')[2]}"
    keys = _key_segments(parts.path)
    path = "/".join(REDACTED if segment in keys else segment for segment in parts.path.split("/"))
    query = [(n, REDACTED if v and _CREDENTIAL_PARAM.search(n) else v) for n, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(netloc=netloc, path=path, query=urlencode(query, safe="[]")))


@dataclass(frozen=True)
class BrowserOptions:
    """How the user asked for the browser to run."""

    name: BrowserName = "chromium"
    headed: bool = False
    slow_mo_ms: float = 0
    #: A Playwright browser server to connect to (``ws://``): launchServer, run-server, Browserless.
    ws_endpoint: str | None = None
    #: A Chromium's remote-debugging address (``http://host:port``) to connect to over CDP.
    cdp_endpoint: str | None = None
    #: HTTP headers to connect to the remote browser with (a hosted service's key), as (name, value).
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def remote(self) -> str | None:
        """Where the remote browser is, if the browser is remote."""
        return self.ws_endpoint or self.cdp_endpoint

    def credentials(self) -> set[str]:
        """The secrets in the remote browser's address and headers, which no artifact or message may show.

        A header's value counts whole and, after a scheme such as ``Bearer``, without it.
        """
        if not self.remote:
            return set()
        found = {value for _, value in endpoint_credentials(self.remote)}
        for _, value in self.headers:
            found |= {value.strip(), value.strip().rpartition(" ")[2]}
        return found - {""}


def _system_chromium(*, headless: bool) -> str | None:
    override = os.environ.get("PLEXBOOK_BROWSER_PATH")
    if override:
        if not Path(override).is_file():
            raise BrowserNotFound(f"PLEXBOOK_BROWSER_PATH points to {override}, which is not a file")
        return override
    # The headless shell draws no window, so a headed run takes a whole Chromium.
    for candidate in (*SYSTEM_HEADLESS_SHELL, *SYSTEM_CHROMIUM) if headless else SYSTEM_CHROMIUM:
        found = candidate if Path(candidate).is_file() else shutil.which(candidate)
        if found:
            return found
    return None


def launch_options(playwright: Playwright, options: BrowserOptions) -> dict[str, Any]:
    """Keyword arguments for ``playwright[browser].launch()`` under ``options``."""
    # Signals are plexbook's to handle: the browser must outlive a Ctrl+C long enough for the
    # run to ask Plex what changed and to finish its evidence.
    launch: dict[str, Any] = {
        "headless": not options.headed,
        "handle_sigint": False,
        "handle_sigterm": False,
        "handle_sighup": False,
    }
    if options.slow_mo_ms:
        launch["slow_mo"] = options.slow_mo_ms
    browser_type = getattr(playwright, options.name)
    own_build = Path(browser_type.executable_path).is_file()
    if options.name != "chromium":
        if not own_build:
            raise BrowserNotFound(
                f"Playwright's {options.name} is not installed; run `playwright install {options.name}` "
                "or use --browser chromium"
            )
        return launch
    launch["args"] = list(QUIET_CHROMIUM_ARGS)
    override = os.environ.get("PLEXBOOK_BROWSER_PATH")
    if own_build and not override:
        return launch
    system = _system_chromium(headless=not options.headed)
    if system is None:
        if not options.headed and not override:
            # Playwright's headless shell may be installed without its whole Chromium
            # (`playwright install --only-shell`): Playwright looks for it; launched_local() says
            # what to install when it is not there either.
            return launch
        raise BrowserNotFound(NO_CHROMIUM)
    launch["executable_path"] = system
    return launch


def launched_local(
    start: Callable[..., Browser], browser_type: BrowserType, options: BrowserOptions, arguments: Mapping[str, Any]
) -> tuple[Browser, str]:
    """``start(**extra)`` launches a local browser with ``arguments`` plus ``extra``: returns it,
    and which build it is, for the evidence (``arguments`` say its ``executable_path`` or
    ``channel``, if any).

    Playwright's own Chromium may be installed without the build a launch wants: without its
    headless shell (`playwright install --no-shell`), a headless run takes its whole Chromium,
    which runs headless too; with no Chromium at all, BrowserNotFound says what to install.
    """
    try:
        browser, whole = start(), False
    except PlaywrightError as exc:
        if _MISSING_EXECUTABLE not in str(exc) or options.name != "chromium":
            raise
        executable = browser_type.executable_path
        if options.headed or not Path(executable).is_file():
            raise BrowserNotFound(NO_CHROMIUM) from None
        browser, whole = start(executable_path=executable), True
    path, channel = arguments.get("executable_path"), arguments.get("channel")
    if whole:
        build = f"Playwright's own {options.name}, its whole build run headless"
    elif channel:
        build = f"the {channel} channel"
    elif path is None:
        # Playwright runs its headless shell for a headless Chromium, its whole build otherwise.
        shell = options.name == "chromium" and not options.headed
        build = f"Playwright's own {options.name}" + (", its headless shell" if shell else "")
    elif str(path) == os.environ.get("PLEXBOOK_BROWSER_PATH"):
        build = f"PLEXBOOK_BROWSER_PATH, {path}"
    else:
        build = f"the system's, {path}"
    return browser, build


def launch(playwright: Playwright, options: BrowserOptions | None = None, traces_dir: Path | None = None) -> Browser:
    """Launch the browser ``options`` asks for, or connect to the remote one it names.

    ``traces_dir``: where a launched browser records traces (a remote one records on its own
    machine).
    """
    return launched(playwright, options or BrowserOptions(), traces_dir)[0]


def launched(playwright: Playwright, options: BrowserOptions, traces_dir: Path | None) -> tuple[Browser, str]:
    """:func:`launch`, and which build it is, for the evidence: the system's (and where), Playwright's
    own, or a remote browser (and its address, without its key)."""
    browser_type: BrowserType = getattr(playwright, options.name)
    slow_mo = options.slow_mo_ms or None
    if options.remote is None:
        chosen = launch_options(playwright, options)
        return launched_local(
            lambda **extra: browser_type.launch(**{**chosen, **extra}, traces_dir=traces_dir),
            browser_type,
            options,
            chosen,
        )
    headers = dict(options.headers) or None
    shown = shown_endpoint(options.remote)
    try:
        if options.ws_endpoint:
            browser = browser_type.connect(options.ws_endpoint, slow_mo=slow_mo, headers=headers)
            return browser, f"a remote Playwright browser server, {shown}"
        browser = browser_type.connect_over_cdp(options.remote, slow_mo=slow_mo, headers=headers)
        return browser, f"a remote Chromium over CDP, {shown}"
    except PlaywrightError as exc:
        # Playwright quotes a CDP address whole, credentials and all: none of it goes further.
        said = Scrubber(options.credentials()).text(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        raise RemoteBrowserUnreachable(
            f"could not connect to the remote browser at {shown}: {said or type(exc).__name__}"
        ) from None


def _closing(close: Callable[[], None]) -> None:
    """Close a browser or Playwright; one that is gone already (its driver killed, its
    connection lost) has nothing left to close, and the runs' evidence is written by then."""
    try:
        close()
    except PlaywrightError:
        pass


class BrowserSession:
    """A browser for one or more runs: this owns its launch and its close.

    A session starts its own Playwright and browser, or borrows running ones (pytest-playwright's,
    a caller's), which it then leaves running. Each run takes a fresh context of it.
    """

    def __init__(
        self,
        options: BrowserOptions | None = None,
        playwright: Playwright | None = None,
        browser: Browser | None = None,
        build: str | None = None,
        raw_traces: Path | None = None,
    ) -> None:
        self.options = options or BrowserOptions()
        self._borrowed_playwright = playwright
        self._borrowed_browser = browser
        self._own = ExitStack()
        self.playwright: Playwright | None = playwright
        self.browser: Browser | None = browser
        #: Which build the browser is (see :func:`launched`): for a borrowed one, what its
        #: lender says, if anything.
        self.build: str | None = build
        #: The folder the browser records traces into, where it is known: a local browser
        #: this session launched, or what its lender says (see :mod:`plexbook.unscrubbed`).
        self._borrowed_raw_traces = raw_traces
        self.raw_traces: Path | None = raw_traces

    def start(self) -> Self:
        """Launch what is not borrowed; raises BrowserNotFound or Playwright's error when it cannot.

        A browser it launches records traces into a private folder of its own, removed after
        the browser closes; what killed processes left is removed first (:mod:`plexbook.unscrubbed`).
        """
        unscrubbed.sweep()
        try:
            if self.playwright is None:
                ahead = _take_ahead()
                self.playwright = ahead if ahead is not None else _start_playwright()
                self._own.callback(_closing, self.playwright.stop)
            if self.browser is None:
                # Entered before the browser's close is registered, so it is left after it.
                traces = None if self.options.remote else self._own.enter_context(unscrubbed.browser_traces())
                self.browser, self.build = launched(self.playwright, self.options, traces)
                self.raw_traces = traces
                self._own.callback(_closing, self.browser.close)
        except BaseException:
            self.close()
            raise
        return self

    @property
    def owns_browser(self) -> bool:
        """Whether closing this session closes the browser (and with it every context it made)."""
        return self.browser is not None and self._borrowed_browser is None

    @property
    def version(self) -> str:
        """ "chromium 131.0... (the system's, /usr/bin/chromium)", for the evidence: which build
        ran, where this session launched or connected to it."""
        assert self.browser is not None
        version = f"{self.browser.browser_type.name} {self.browser.version}"
        return f"{version} ({self.build})" if self.build else version

    def new_context(self, **options: Any) -> BrowserContext:
        assert self.browser is not None, "start() the session first"
        return self.browser.new_context(**options)

    def pdf_printer(self) -> Callable[[Path], Path] | None:
        """How this session prints a report to PDF: Chromium prints headless only, and a remote
        browser cannot read the report's local file, so a headed or remote session prints with a
        local headless browser of its own; other browsers cannot print."""
        from plexbook.report import print_pdf

        if self.options.name != "chromium" or self.browser is None or self.playwright is None:
            return None
        if not self.options.headed and not self.options.remote:
            browser = self.browser
            return lambda html: print_pdf(browser, html)
        playwright = self.playwright

        def headless(html: Path) -> Path:
            printer = launch(playwright, BrowserOptions("chromium"))
            try:
                return print_pdf(printer, html)
            finally:
                printer.close()

        return headless

    def close(self) -> None:
        """Close what this session launched; leave what it borrowed."""
        self._own.close()
        self.browser = self._borrowed_browser
        self.playwright = self._borrowed_playwright
        self.raw_traces = self._borrowed_raw_traces

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
