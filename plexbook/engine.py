"""One run, start to finish: check input, open the browser, run the steps, verify, record."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Playwright, expect, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from plexbook.baselines import StructureCheck
from plexbook.browser import BrowserNotFound, BrowserOptions, launch
from plexbook.config import SecretSource, Target
from plexbook.drift import DriftReport, diagnose
from plexbook.errors import (
    EXIT_BAD_INPUT,
    EXIT_FLOW_FAILED,
    EXIT_OK,
    BadInput,
    NothingToDo,
    RehearsalStop,
    RunStop,
)
from plexbook.pages.actions import forget_used
from plexbook.pages.errors import PlexRefused, UnexpectedScreen
from plexbook.pages.overlays import dismiss_interstitials
from plexbook.recorder import Recorder, StepRecord, TraceMode, new_run_dir
from plexbook.report import print_pdf
from plexbook.runbook import Flow, Runbook, RunOptions
from plexbook.sandbox import Household, SandboxServer, Variant, demo_household
from plexbook.scrub import Scrubber

#: The new PIN the demo uses on the sandbox, where no secret needs to be set.
DEMO_NEW_PIN = "5678"
VIEWPORT = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs, settled before it starts."""

    runbook: Runbook
    target: Target
    secrets: SecretSource
    options: RunOptions = field(default_factory=RunOptions)
    browser: BrowserOptions = field(default_factory=BrowserOptions)
    trace: TraceMode = "on"
    timeout_s: float = 30.0
    traces_dir: Path = Path("traces")
    pdf: bool = False
    #: Compare the screens with the structure baselines (``plexbook check``).
    structure: StructureCheck | None = None


@dataclass(frozen=True)
class RunSettings:
    """How runs are carried out (browser, trace, timeout, where evidence goes), whatever they run."""

    browser: BrowserOptions = field(default_factory=BrowserOptions)
    trace: TraceMode = "on"
    timeout_s: float = 30.0
    traces_dir: Path = Path("traces")
    pdf: bool = False

    def request(
        self,
        book: Runbook,
        target: Target,
        secrets: SecretSource,
        options: RunOptions,
        structure: StructureCheck | None = None,
    ) -> RunRequest:
        return RunRequest(
            book,
            target,
            secrets,
            options,
            browser=self.browser,
            trace=self.trace,
            timeout_s=self.timeout_s,
            traces_dir=self.traces_dir,
            pdf=self.pdf,
            structure=structure,
        )


@dataclass
class RunResult:
    """How a run ended and where its evidence is."""

    runbook: str
    run_dir: Path
    exit_code: int
    status: str
    message: str
    user: str | None = None
    failed_step: StepRecord | None = None
    drift: DriftReport | None = None

    @property
    def trace(self) -> Path | None:
        path = self.run_dir / "trace.zip"
        return path if path.is_file() else None


def check_request(runbook: Runbook, options: RunOptions, secrets: SecretSource) -> None:
    """Refuse bad input before any browser starts (BadInput, exit 2)."""
    runbook.check_options(options)
    secrets.check()
    if not secrets.has("PLEX_TOKEN"):
        if secrets.plain("PLEX_EMAIL") is None:
            secrets.require("PLEX_EMAIL", "The Plex account's email (or set PLEX_TOKEN)")
        secrets.require("PLEX_PASSWORD", "The Plex account's password (or set PLEX_TOKEN)")


def demo_secrets(household: Household, options: RunOptions) -> SecretSource:
    """The demo household's own secrets, for runs against the embedded sandbox."""
    account = household.accounts[0]
    title = options.user or account.owner.title
    user = next((u for u in account.users if u.title == title), None)
    if user is None:
        names = ", ".join(u.title for u in account.users)
        raise BadInput(f"there is no user {title!r} in the sandbox's Plex Home; its users are: {names}")
    values = {"PLEX_EMAIL": account.email, "PLEX_PASSWORD": account.password, "PLEX_NEW_PIN": DEMO_NEW_PIN}
    if user.pin:
        values["PLEX_PIN"] = user.pin
    return SecretSource(values)


@contextmanager
def embedded_sandbox(variant: Variant | None = None) -> Iterator[SandboxServer]:
    """The demo household on a free loopback port, for the length of a run."""
    with SandboxServer(variant, household=demo_household()) as server:
        yield server


def _first_lines(exc: BaseException) -> str:
    """A Playwright error's headline and the locator it waited for, without its call log noise."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    head = lines[0] if lines else type(exc).__name__
    waited = next((line for line in lines if line.startswith(("- waiting for", "waiting for"))), None)
    return f"{head} ({waited.lstrip('- ')})" if waited else head


def execute(request: RunRequest, playwright: Playwright | None = None, browser: Browser | None = None) -> RunResult:
    """Run ``request.runbook`` once and return its result; evidence is always written.

    ``playwright`` is a running Playwright to borrow, and ``browser`` a running browser
    (pytest-playwright's, under pytest); without them the run starts its own.
    """
    book = request.runbook
    check_request(book, request.options, request.secrets)
    run_dir = new_run_dir(request.traces_dir, book.name)
    recorder = Recorder(run_dir, book.name, request.target.describe(), request.trace)
    recorder.manifest.rehearsal = request.options.rehearse
    recorder.plan([(step.title, step.commits) for step in book.steps])
    result = RunResult(book.name, run_dir, EXIT_FLOW_FAILED, "failed", "the run did not start")
    flow: Flow | None = None
    with _playwright(playwright) as running:
        borrowed = browser is not None
        try:
            browser = browser or launch(running, request.browser)
        except (BrowserNotFound, PlaywrightError) as exc:
            message = f"cannot start the browser: {_first_lines(exc)}"
            result = RunResult(book.name, run_dir, EXIT_BAD_INPUT, "bad input", message)
            _finish(recorder, result, request, None, pdf=None)
            return result
        context: BrowserContext | None = None
        try:
            context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
            context.set_default_timeout(request.timeout_s * 1000)
            expect.set_options(timeout=request.timeout_s * 1000)
            _seed_token(context, request)
            page = context.new_page()
            dismiss_interstitials(page)
            recorder.attach(context, page, f"{browser.browser_type.name} {browser.version}")
            flow = Flow(page, request.target, request.secrets, request.options, structure=request.structure)
            result = _run_steps(book, flow, recorder, result)
        finally:
            result = _scrubbed(result, request)
            _finish(recorder, result, request, flow, pdf=_pdf_printer(running, browser, request))
            if not borrowed:
                browser.close()
            elif context is not None:
                context.close()
    result.user = flow.user if flow else request.options.user
    return result


def _finish(
    recorder: Recorder, result: RunResult, request: RunRequest, flow: Flow | None, pdf: Callable[[Path], Path] | None
) -> None:
    recorder.finish(
        {"status": result.status, "message": result.message, "exit_code": result.exit_code},
        user=flow.user if flow else request.options.user,
        account=request.secrets.plain("PLEX_EMAIL"),
        notes=(flow.notes + (flow.structure.findings if flow.structure else [])) if flow else [],
        secrets=lambda: _session_secrets(flow, request.secrets),
        pdf=pdf,
    )


def _scrubbed(result: RunResult, request: RunRequest) -> RunResult:
    """Messages can quote Playwright's call log, which may quote typed text: scrub them too."""
    scrubber = Scrubber(request.secrets.registered())
    result.message = scrubber.text(result.message)
    if result.failed_step is not None and result.failed_step.error:
        result.failed_step.error = scrubber.text(result.failed_step.error)
    return result


def _session_secrets(flow: Flow | None, secrets: SecretSource) -> set[str]:
    """Every secret of the run, with the session's own token and cookies, which nobody typed."""
    if flow is not None:
        page = flow.page
        try:
            for cookie in page.context.cookies():
                secrets.register(cookie.get("value", ""))
            if not page.is_closed():
                raw = page.evaluate("() => localStorage.getItem('plex_tv_auth')")
                if raw:
                    secrets.register(str(json.loads(raw).get("authToken") or ""))
        except (PlaywrightError, ValueError, AttributeError):
            pass  # a page on an error screen or another origin: header and key rules still apply
    return secrets.registered()


def _pdf_printer(running: Playwright, browser: Browser, request: RunRequest) -> Callable[[Path], Path] | None:
    """Chromium prints PDFs headless only; a headed run prints with a headless browser of its own."""
    if not request.pdf or request.browser.name != "chromium":
        return None
    if not request.browser.headed:
        return lambda html: print_pdf(browser, html)

    def headless(html: Path) -> Path:
        printer = launch(running, BrowserOptions("chromium"))
        try:
            return print_pdf(printer, html)
        finally:
            printer.close()

    return headless


@contextmanager
def _playwright(borrowed: Playwright | None) -> Iterator[Playwright]:
    if borrowed is not None:
        yield borrowed
        return
    with sync_playwright() as own:
        yield own


def _seed_token(context: object, request: RunRequest) -> None:
    """A token-only session: Plex Web keeps its token in localStorage ``plex_tv_auth``."""
    token = request.secrets.get("PLEX_TOKEN")
    if token is None:
        return
    origins = list(request.target.origins)
    script = (
        "(() => { const origins = %s; if (origins.includes(location.origin) && "
        "!localStorage.getItem('plex_tv_auth')) localStorage.setItem('plex_tv_auth', JSON.stringify({authToken: %s})); })();"
    )
    context.add_init_script(script % (json.dumps(origins), json.dumps(token.reveal())))  # type: ignore[attr-defined]


def _run_steps(book: Runbook, flow: Flow, recorder: Recorder, result: RunResult) -> RunResult:
    current: StepRecord | None = None
    rehearsing = flow.rehearsing
    try:
        try:
            for number, step in enumerate(book.steps, start=1):
                forget_used()
                with recorder.step(number) as current:
                    if rehearsing and step.commits and step.rehearse is not None:
                        step.rehearse(flow)
                    else:
                        step.action(flow)
                if rehearsing and number == 1:
                    flow.before = flow.protection()
                if rehearsing and step.commits:
                    break
            committing = next(step.title for step in book.steps if step.commits)
            rehearsed = f"rehearsed up to {committing!r}: its control is there and enabled, then cancelled"
        except RehearsalStop as partial:
            rehearsed = str(partial)
        forget_used()
        with recorder.verification() as current:
            if rehearsing:
                verdict = f"{rehearsed}; {book.check_unchanged(flow)}"
            else:
                verdict = book.verify(flow)
        return RunResult(book.name, result.run_dir, EXIT_OK, "rehearsed" if rehearsing else "done", verdict)
    except NothingToDo as done:
        return RunResult(book.name, result.run_dir, EXIT_OK, "nothing to do", str(done))
    except RunStop as stop:
        return _failed(book, result, current, stop.exit_code, str(stop))
    except PlexRefused as refused:
        what = {"PinRefused": "Plex refused the PIN", "PasswordRefused": "Plex refused the password"}.get(
            type(refused).__name__, "Plex refused"
        )
        return _failed(book, result, current, EXIT_FLOW_FAILED, f"{what}: {refused}")
    except (UnexpectedScreen, AssertionError, PlaywrightError) as exc:
        where = f"step {current.number}: {current.title}" if current is not None else "the run"
        drift = diagnose(flow.page, where, current.screenshot if current is not None else None)
        if drift is None:
            return _failed(book, result, current, EXIT_FLOW_FAILED, _first_lines(exc))
        # A sentence for people instead of Playwright's locator text, which drift.json keeps.
        drift.error = _first_lines(exc)
        drift.write(result.run_dir)
        failed = _failed(book, result, current, EXIT_FLOW_FAILED, f"{drift.sentence()} (see drift.md)")
        failed.drift = drift
        return failed


def _failed(book: Runbook, result: RunResult, step: StepRecord | None, code: int, message: str) -> RunResult:
    if step is not None:
        step.error = message
        where = f"step {step.number} ({step.title!r})" if step.number <= len(book.steps) else "checking the outcome"
    else:
        where = "the run"
    status = "bad input" if code == 2 else "unreachable" if code == 3 else "failed"
    return RunResult(book.name, result.run_dir, code, status, f"{where}: {message}", failed_step=step)
