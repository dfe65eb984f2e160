"""One run, start to finish: check input, open the browser, run the steps, verify, record."""

from __future__ import annotations

import contextlib
import importlib
import json
import platform
import shlex
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Self

from playwright.sync_api import Browser, BrowserContext, Page, Playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from plexbook.browser import BrowserNotFound, BrowserOptions, BrowserSession, RemoteBrowserUnreachable
from plexbook.choices import TraceMode
from plexbook.config import SecretSource, Target
from plexbook.drift import DriftReport, diagnose
from plexbook.errors import (
    EXIT_BAD_INPUT,
    EXIT_FLOW_FAILED,
    EXIT_OK,
    EXIT_SERVER_ERROR,
    EXIT_SIGHUP,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_UNREACHABLE,
    FlowFailed,
    Interrupted,
    NothingToDo,
    RehearsalStop,
    RunStop,
)
from plexbook.interrupts import StopRequest
from plexbook.pages.actions import ActionScope, action_scope, listening
from plexbook.pages.errors import PasswordRefused, PinRefused, PlexRefused, UnexpectedScreen
from plexbook.pages.overlays import dismiss_interstitials
from plexbook.progress import Event, Listener, ignore, shielded
from plexbook.recorder import MASK_SECRET_FIELDS_SCRIPT, Recorder, StepRecord, new_run_dir, unwritten_outcome
from plexbook.runbook import Flow, Runbook, RunOptions
from plexbook.scrub import Scrubber

if TYPE_CHECKING:
    from plexbook.baselines import StructureCheck
    from plexbook.plex_api import ServerTrouble

VIEWPORT = {"width": 1280, "height": 800}


class RunStatus(StrEnum):
    """How a run ended, as the manifest, the reports and the CLI say it."""

    DONE = "done"
    REHEARSED = "rehearsed"
    NOTHING_TO_DO = "nothing to do"
    FAILED = "failed"
    BAD_INPUT = "bad input"
    UNREACHABLE = "unreachable"
    #: plex.tv answered a server error or cut the connection; the message says what it changed.
    SERVER_ERROR = "server error"
    INTERRUPTED = "interrupted"

    @classmethod
    def of_exit_code(cls, code: int) -> RunStatus:
        return {
            EXIT_BAD_INPUT: cls.BAD_INPUT,
            EXIT_UNREACHABLE: cls.UNREACHABLE,
            EXIT_SERVER_ERROR: cls.SERVER_ERROR,
            EXIT_SIGHUP: cls.INTERRUPTED,
            EXIT_SIGINT: cls.INTERRUPTED,
            EXIT_SIGTERM: cls.INTERRUPTED,
        }.get(code, cls.FAILED)


@dataclass(frozen=True)
class RunSettings:
    """How runs are carried out (browser, trace, timeout, where evidence goes), whatever they run."""

    browser: BrowserOptions = field(default_factory=BrowserOptions)
    trace: TraceMode = "on"
    timeout_s: float = 30.0
    traces_dir: Path = Path("traces")
    pdf: bool = False
    #: Checked before every action and step of every run: a signal asked the runs to stop.
    stop: StopRequest = field(default_factory=StopRequest)
    #: Hears each run's steps and stages as they happen (a command's progress display).
    progress: Listener = field(default=ignore, compare=False)
    #: Leave emails and usernames visible in step screenshots (they are masked by default).
    show_personal_data: bool = False

    def request(
        self,
        book: Runbook,
        target: Target,
        secrets: SecretSource,
        options: RunOptions,
        structure: StructureCheck | None = None,
    ) -> RunRequest:
        """A run of ``book`` under these settings."""
        return RunRequest(book, target, secrets, options, self, structure)


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs, settled before it starts: what to run, where, and how."""

    runbook: Runbook
    target: Target
    secrets: SecretSource
    options: RunOptions = field(default_factory=RunOptions)
    settings: RunSettings = field(default_factory=RunSettings)
    #: Compare the screens with the structure baselines (``plexbook check``).
    structure: StructureCheck | None = None
    #: Asked (user, control) right before the committing click; False stops the run there.
    confirm: Callable[[str, str], bool] | None = None
    #: Where the run comes from, said before its name: "line 3" of a batch plan.
    origin: str = ""

    @property
    def label(self) -> str:
        """The run as people name it: "remove-pin for Jordan", "line 3: reset-pin for the account owner"."""
        named = f"{self.runbook.name} for {self.options.user or 'the account owner'}"
        return f"{self.origin}: {named}" if self.origin else named

    def rerun(self) -> str:
        """The command that runs this again; secrets come from the environment, never from here."""
        words = ["plexbook", "run", self.runbook.name]
        if self.options.user:
            words += ["--user", self.options.user]
        if self.options.mode is not None:
            words.append(f"--{self.options.mode}")
        if self.options.rehearse:
            words.append("--rehearse")
        return shlex.join([*words, *self.target.command_line()])


@dataclass
class RunResult:
    """How a run ended and where its evidence is."""

    runbook: str
    run_dir: Path
    exit_code: int
    status: RunStatus
    message: str
    user: str | None = None
    failed_step: StepRecord | None = None
    drift: DriftReport | None = None

    @property
    def trace(self) -> Path | None:
        path = self.run_dir / "trace.zip"
        return path if path.is_file() else None


def check_request(request: RunRequest) -> None:
    """Refuse bad input before any browser starts (BadInput, exit 2)."""
    request.runbook.check_options(request.options)
    secrets = request.secrets
    secrets.check()
    if not secrets.has("PLEX_TOKEN"):
        if secrets.plain("PLEX_EMAIL") is None:
            secrets.require("PLEX_EMAIL", "The Plex account's email (or set PLEX_TOKEN)")
        secrets.require("PLEX_PASSWORD", "The Plex account's password (or set PLEX_TOKEN)")


def execute(
    request: RunRequest,
    playwright: Playwright | None = None,
    browser: Browser | None = None,
    *,
    build: str | None = None,
    raw_traces: Path | None = None,
) -> RunResult:
    """Run ``request.runbook`` once and return its result; evidence is always written.

    ``playwright`` is a running Playwright to borrow, and ``browser`` a running browser
    (pytest-playwright's, under pytest); without them the run starts its own. ``build``: which
    build the borrowed browser is, for the evidence (see :func:`plexbook.browser.launched`);
    ``raw_traces``: the folder it records traces into, if known (see :meth:`Recorder.attach`).
    """
    return execute_all([request], playwright, browser, build=build, raw_traces=raw_traces)[0]


def execute_all(
    requests: Sequence[RunRequest],
    playwright: Playwright | None = None,
    browser: Browser | None = None,
    *,
    stop_on_failure: bool = False,
    build: str | None = None,
    raw_traces: Path | None = None,
) -> list[RunResult]:
    """Run ``requests`` in turn in one browser and one browser context, so one sign-in serves all.

    They share a target and an account, and the first request's settings: several users of one
    Home, say. Each run keeps its own folder, trace chunk and result. A run that fails stops
    only itself unless ``stop_on_failure``; an interrupt stops the ones not yet run, which are
    left out of the results. Every request is checked before the browser starts (BadInput).
    """
    if not requests:
        return []
    for request in requests:
        check_request(request)
        # A remote browser's key, say: no artifact or message may show it.
        for credential in request.settings.browser.credentials():
            request.secrets.register(credential)
    settings = requests[0].settings
    session = BrowserSession(settings.browser, playwright, browser, build, raw_traces)
    # Python waits while the browser starts: the modules a run needs later load meanwhile.
    threading.Thread(target=load_run_modules, name="plexbook-imports", daemon=True).start()
    try:
        session.start()
    except RemoteBrowserUnreachable as exc:
        return [_not_started(request, _open_evidence(request), str(exc), EXIT_UNREACHABLE) for request in requests]
    except (BrowserNotFound, PlaywrightError) as exc:
        message = f"the browser could not start: {_first_lines(exc)}"
        return [_not_started(request, _open_evidence(request), message, EXIT_BAD_INPUT) for request in requests]
    results: list[RunResult] = []
    recorders: list[Recorder] = []
    writers = EvidenceWriters()
    try:
        with session, SharedContext(session, requests, writers.defer) as shared:
            for request in requests:
                if results and settings.stop.exit_code is not None:
                    break
                recorder = _open_evidence(request)
                # Everything page objects record during a run is its own, whatever runs beside it.
                with action_scope() as scope:
                    result = _run(request, shared, recorder, scope)
                results.append(result)
                recorders.append(recorder)
                shared.after(result)
                if result.status == RunStatus.INTERRUPTED or (stop_on_failure and result.exit_code != EXIT_OK):
                    break
    finally:
        # The evidence is complete before anyone hears how the runs ended.
        writers.join()
    return [_told_unwritten(result, recorder) for result, recorder in zip(results, recorders, strict=True)]


@contextmanager
def shared_browser(options: BrowserOptions) -> Iterator[BrowserSession | None]:
    """One browser for runs one after another, or None where it cannot start: then each run
    tries on its own and says why it cannot in its own evidence, as a lone run would."""
    session = BrowserSession(options)
    try:
        session.start()
    except (BrowserNotFound, RemoteBrowserUnreachable, PlaywrightError):
        yield None
        return
    with session:
        yield session


@contextmanager
def one_browser(options: BrowserOptions) -> Iterator[Callable[[RunRequest], RunResult]]:
    """Runs one after another on one browser, each in a fresh context (and sign-in): one launch for all."""
    with shared_browser(options) as session:
        if session is None:
            yield execute
        else:
            yield lambda request: execute(
                request, session.playwright, session.browser, build=session.build, raw_traces=session.raw_traces
            )


class EvidenceWriters:
    """Evidence that needs no browser, written on threads while the browser closes."""

    def __init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []

    def defer(self, job: Callable[[], None]) -> None:
        def run() -> None:
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - raised again by join(), in the caller's thread
                self._errors.append(exc)

        # Not a daemon: if the caller is stopped while joining, Python still waits for it.
        thread = threading.Thread(target=run, name="plexbook-evidence")
        thread.start()
        self._threads.append(thread)

    def join(self) -> None:
        """Wait for every piece of evidence; a writer's failure is raised here."""
        for thread in self._threads:
            thread.join()
        if self._errors:
            raise self._errors[0]


def load_run_modules() -> None:
    """Load what a run uses after the browser is up: the API's models, the report's templates compiled."""
    importlib.import_module("plexbook.plex_api")
    importlib.import_module("plexbook.report").compile_templates()


class SharedContext:
    """One browser context for runs in turn: one sign-in, one trace split into a chunk per run.

    The runs share its page, and with it the session (cookies, Plex Web's localStorage).
    """

    def __init__(
        self,
        session: BrowserSession,
        requests: Sequence[RunRequest],
        defer: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        self.session = session
        self.requests = requests
        #: Runs work that needs no browser while the browser goes on (evidence writing).
        self.defer = defer
        self.settings = requests[0].settings
        self.context: BrowserContext | None = None
        #: Whether the context's tracing was started by an earlier run: later runs take chunks.
        self.tracing = False
        self._page: Page | None = None

    def __enter__(self) -> Self:
        timeout_ms = self.settings.timeout_s * 1000
        self.context = context = self.session.new_context(viewport=VIEWPORT)
        context.set_default_timeout(timeout_ms)
        context.add_init_script(MASK_SECRET_FIELDS_SCRIPT)
        _seed_token(context, self.requests[0])
        return self

    def page(self, scope: ActionScope) -> Page:
        """The page for the next run, with the run's timeouts and interstitials dismissed.

        Runs in turn share one page, as a person doing several users works in one tab; a
        page that closed or crashed is replaced.
        """
        assert self.context is not None
        scope.set_timeout(self.settings.timeout_s * 1000)
        if self._page is None or self._page.is_closed():
            self._page = self.context.new_page()
            dismiss_interstitials(self._page)
        # An earlier run may have shortened it to ask Plex what changed after an interrupt.
        self._page.set_default_timeout(self.settings.timeout_s * 1000)
        return self._page

    def after(self, result: RunResult) -> None:
        """A run that did not end well may have left a dialog open: the next one starts afresh."""
        if result.exit_code != EXIT_OK and self._page is not None:
            with contextlib.suppress(PlaywrightError):
                self._page.goto("about:blank")

    def secrets(self) -> set[str]:
        """Every secret any of the runs knows: one run's trace chunk may hold another's sign-in."""
        found: set[str] = set()
        for request in self.requests:
            found |= request.secrets.registered()
        return found

    def __exit__(self, *exc: object) -> None:
        if self.session.owns_browser:
            return  # the session's close is next, and closing the browser closes its contexts
        with contextlib.suppress(PlaywrightError):  # a crashed browser has closed it already
            if self.context is not None:
                self.context.close()


def _open_evidence(request: RunRequest) -> Recorder:
    """The run's folder and its recorder, with the steps it plans to take."""
    book = request.runbook
    run_dir = new_run_dir(request.settings.traces_dir, book.name)
    recorder = Recorder(run_dir, book.name, request.target.describe(), request.settings.trace)
    recorder.manifest.rehearsal = request.options.rehearse
    recorder.manifest.rerun = request.rerun()
    recorder.manifest.environment = {
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(),
        **({"sandbox variant": request.target.variant} if request.target.variant else {}),
    }
    recorder.progress, recorder.label = shielded(request.settings.progress), request.label
    recorder.plan([(step.title, step.commits) for step in book.steps])
    return recorder


def _not_started(request: RunRequest, recorder: Recorder, message: str, code: int) -> RunResult:
    status = RunStatus.of_exit_code(code)
    result = _scrubbed(RunResult(request.runbook.name, recorder.run_dir, code, status, f"start-up: {message}"), request)
    _finish(recorder, result, request, None, None, set())
    return _told_unwritten(result, recorder)


def _told_unwritten(result: RunResult, recorder: Recorder) -> RunResult:
    """``result``, saying so when its evidence could not all be written (a full disk): a run
    whose evidence is incomplete did not do all it is for, whatever it did in Plex."""
    if recorder.unwritten is None:
        return result
    outcome = {"status": str(result.status), "message": result.message, "exit_code": result.exit_code}
    told = unwritten_outcome(outcome, recorder.unwritten)
    result.message, result.exit_code, result.status = told["message"], told["exit_code"], RunStatus(told["status"])
    return result


def _run(request: RunRequest, shared: SharedContext, recorder: Recorder, scope: ActionScope) -> RunResult:
    """Open a page for the run, run the steps, and record however they end."""
    book = request.runbook
    result = RunResult(book.name, recorder.run_dir, EXIT_FLOW_FAILED, RunStatus.FAILED, "the run did not start")
    flow: Flow | None = None
    progress, started = recorder.progress, time.perf_counter()
    run_id = recorder.run_dir.name
    progress(Event("run-started", request.label, total=len(book.steps) + 1, run_id=run_id))
    try:
        page = shared.page(scope)
        assert shared.context is not None
        recorder.attach(
            shared.context, page, shared.session.version, tracing=shared.tracing, raw_traces=shared.session.raw_traces
        )
        shared.tracing = shared.tracing or request.settings.trace != "off"
        flow = Flow(page, request.target, request.secrets, request.options, structure=request.structure)
        total = len(book.steps) + 1
        flow.progress = lambda text: progress(
            Event("stage", request.label, flow.step_number, total, text, run_id=run_id)
        )
        recorder.personal = lambda: flow.personal if flow is not None else ()
        recorder.mask_personal = not request.settings.show_personal_data
        stop = request.settings.stop
        with flow.watching_network(), listening(lambda _locator: stop.check()):
            result = _run_steps(book, flow, recorder, scope, request.confirm, stop)
    except (KeyboardInterrupt, Interrupted) as interrupted:
        # Stopped before the steps began (or while they were being set up): nothing was committed.
        code = interrupted.exit_code if isinstance(interrupted, Interrupted) else EXIT_SIGINT
        result = RunResult(book.name, recorder.run_dir, code, RunStatus.INTERRUPTED, "interrupted before any step ran")
    except PlaywrightError as exc:
        # The browser or its context went away before the steps began: nothing was committed.
        message = f"start-up: the browser closed or crashed before the first step ({_first_lines(exc)})"
        result = RunResult(book.name, recorder.run_dir, EXIT_FLOW_FAILED, RunStatus.FAILED, message)
    except Exception as exc:
        # A fault of plexbook's own: the evidence says so, and no more than is known.
        result = _crashed(book, flow, recorder, exc)
        raise
    finally:
        result = _scrubbed(result, request)
        pdf = shared.session.pdf_printer() if request.settings.pdf else None
        recorder.manifest.duration_s = round(time.perf_counter() - started, 2)
        _finish(recorder, result, request, flow, pdf, shared.secrets(), shared.defer)
        seconds = recorder.manifest.duration_s
        status = str(result.status)
        progress(Event("run-ended", request.label, text=result.message, status=status, seconds=seconds, run_id=run_id))
    result.user = flow.user if flow else request.options.user
    return result


def _seed_token(context: BrowserContext, request: RunRequest) -> None:
    """A token-only session: Plex Web keeps its token in localStorage ``plex_tv_auth``."""
    token = request.secrets.get("PLEX_TOKEN")
    if token is None:
        return
    origins = list(request.target.origins)
    script = (
        "(() => { const origins = %s; if (origins.includes(location.origin) && "
        "!localStorage.getItem('plex_tv_auth')) "
        "localStorage.setItem('plex_tv_auth', JSON.stringify({authToken: %s})); })();"
    )
    context.add_init_script(script % (json.dumps(origins), json.dumps(token.reveal())))


def _run_steps(
    book: Runbook,
    flow: Flow,
    recorder: Recorder,
    scope: ActionScope,
    confirm: Callable[[str, str], bool] | None = None,
    stop: StopRequest | None = None,
) -> RunResult:
    """The article's steps in order, then the outcome check; drift is diagnosed where a step fails."""
    run_dir = recorder.run_dir
    current: StepRecord | None = None
    rehearsing = flow.rehearsing
    try:
        try:
            for number, step in enumerate(book.steps, start=1):
                scope.forget_used()
                flow.step_number, flow.committing = number, step.commits and not rehearsing
                if stop is not None:
                    stop.check()
                if flow.committing and recorder.unwritten is not None:
                    # A run is there to leave evidence of the change it makes: none, no change.
                    control = book.commit_control(flow.options)
                    raise FlowFailed(
                        f"{control} was not clicked, as the run's evidence could not be written; "
                        "nothing was committed, so it is safe to run again once there is room"
                    )
                if flow.committing and confirm is not None:
                    control = book.commit_control(flow.options)
                    if not confirm(str(flow.user), control):
                        raise FlowFailed(f"{control} was not confirmed at the terminal: nothing was committed")
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
        scope.forget_used()
        flow.step_number, flow.committing = len(book.steps) + 1, False
        if stop is not None:
            stop.check()
        with recorder.verification() as current:
            if rehearsing:
                verdict = f"{rehearsed}; {book.check_unchanged(flow)}"
            else:
                verdict = book.verify(flow)
        if stop is not None:
            stop.check()
        status = RunStatus.REHEARSED if rehearsing else RunStatus.DONE
        return RunResult(book.name, run_dir, EXIT_OK, status, verdict)
    except (KeyboardInterrupt, Interrupted) as interrupted:
        code = interrupted.exit_code if isinstance(interrupted, Interrupted) else EXIT_SIGINT
        return _interrupted(book, flow, recorder, scope, current, code)
    except NothingToDo as done:
        return RunResult(book.name, run_dir, EXIT_OK, RunStatus.NOTHING_TO_DO, str(done))
    except (RunStop, PlexRefused, UnexpectedScreen, AssertionError, PlaywrightError) as exc:
        trouble = flow.trouble_in_step()
        if trouble is None:
            return _stopped(book, flow, recorder, scope, current, exc)
        return _server_error(book, flow, recorder, scope, current, trouble)


def _stopped(
    book: Runbook, flow: Flow, recorder: Recorder, scope: ActionScope, current: StepRecord | None, exc: BaseException
) -> RunResult:
    """A step stopped for a reason of its own: bad input, a refusal, the browser gone, or drift."""
    run_dir = recorder.run_dir
    if isinstance(exc, RunStop):
        return _failed(book, run_dir, current, exc.exit_code, str(exc))
    if isinstance(exc, PlexRefused):
        what = {PinRefused: "Plex refused the PIN", PasswordRefused: "Plex refused the password"}
        refused = f"{what.get(type(exc), 'Plex refused')}: {exc}"
        return _failed(book, run_dir, current, EXIT_FLOW_FAILED, refused)
    if _browser_gone(flow, exc):
        # Playwright's headline only: the locator it was waiting for says nothing to a person here.
        told = f"the browser closed or crashed ({str(exc).splitlines()[0]})"
        if flow.commit_sent:
            control = book.commit_control(flow.options)
            told += f" after {control} was clicked; {_real_state(book, flow, recorder, scope)}"
        else:
            told += "; nothing was committed, so it is safe to run again"
        return _failed(book, run_dir, current, EXIT_FLOW_FAILED, told)
    if isinstance(exc, PlaywrightError) and not isinstance(exc, PlaywrightTimeoutError):
        # Playwright stopped on something other than a wait that ran out (a navigation under an
        # evaluate, say): nothing says a locator is missing, so none is blamed.
        return _failed(book, run_dir, current, EXIT_FLOW_FAILED, _in_words(exc, scope))
    where = f"step {current.number}: {current.title}" if current is not None else "the run"
    drift = diagnose(flow.page, where, current.screenshot if current is not None else None)
    if drift is None:
        return _failed(book, run_dir, current, EXIT_FLOW_FAILED, _in_words(exc, scope))
    # A sentence for people instead of Playwright's locator text, which drift.json keeps.
    drift.error = _first_lines(exc)
    see = " (see drift.md)"
    try:
        drift.write(run_dir, Scrubber(flow.secrets.registered()))
    except OSError as unwritten:
        recorder.could_not_write(unwritten)
        see = ""
    failed = _failed(book, run_dir, current, EXIT_FLOW_FAILED, drift.sentence() + see)
    failed.drift = drift
    return failed


def _server_error(
    book: Runbook,
    flow: Flow,
    recorder: Recorder,
    scope: ActionScope,
    current: StepRecord | None,
    trouble: ServerTrouble,
) -> RunResult:
    """plex.tv failed (5xx, cut connection): never retried; the real state is asked and told."""
    control = book.commit_control(flow.options)
    if not flow.commit_sent:
        where = f"at step {trouble.step}" if trouble.step <= len(book.steps) else "while checking the outcome"
        message = f"{trouble.describe()} {where}; nothing was committed, so it is safe to run again"
    else:
        message = f"{trouble.describe()} after {control} was clicked; {_real_state(book, flow, recorder, scope)}"
    result = _failed(book, recorder.run_dir, current, EXIT_SERVER_ERROR, message)
    result.message = message
    return result


def _interrupted(
    book: Runbook, flow: Flow, recorder: Recorder, scope: ActionScope, current: StepRecord | None, code: int
) -> RunResult:
    """Stopped from outside: record where, and if the change may have been made, what Plex says now."""
    if current is not None and current.status != "passed":
        current.status = "interrupted"
    control = book.commit_control(flow.options)
    if flow.commit_sent:
        message = f"Interrupted after {control} was clicked; {_real_state(book, flow, recorder, scope)}"
    elif current is None:
        message = "Interrupted before the first step; nothing was committed, so it is safe to run again"
    else:
        # Stopped between two steps, the last one it ran had passed.
        when = "after" if current.status == "passed" else "at"
        message = (
            f"Interrupted {when} step {current.number} ({current.title!r}); nothing was committed, "
            "so it is safe to run again"
        )
    result = RunResult(book.name, recorder.run_dir, code, RunStatus.INTERRUPTED, message, failed_step=current)
    return result


def _crashed(book: Runbook, flow: Flow | None, recorder: Recorder, exc: Exception) -> RunResult:
    """The ending of a run that plexbook itself failed: what failed, and what is not known."""
    where = f" at step {flow.step_number}" if flow is not None and flow.step_number else ""
    said = _first_lines(exc)
    what = said if said == type(exc).__name__ else f"{type(exc).__name__}: {said}"
    message = f"plexbook stopped on an unexpected error{where} ({what})"
    if flow is not None and flow.commit_sent:
        control = book.commit_control(flow.options)
        message += f" after {control} was clicked; whether the change was made was not checked: look at Plex Home"
    else:
        message += "; nothing was committed"
    return RunResult(book.name, recorder.run_dir, EXIT_FLOW_FAILED, RunStatus.FAILED, message)


def _browser_gone(flow: Flow, exc: BaseException) -> bool:
    """The page, its context or the browser closed or crashed under the run."""
    if isinstance(exc, PlaywrightError) and ("closed" in str(exc) or "crash" in str(exc).lower()):
        return True
    try:
        return flow.page.is_closed()
    except PlaywrightError:
        return True


#: How long the state is asked for after an interrupt or a server error: a person is waiting.
_STATE_CHECK_S = 5


def _real_state(book: Runbook, flow: Flow, recorder: Recorder, scope: ActionScope) -> str:
    """Ask Plex (its API and Plex Home) whether the change was made, as the outcome check does."""
    flow.page.set_default_timeout(_STATE_CHECK_S * 1000)
    scope.set_timeout(_STATE_CHECK_S * 1000)
    flow.step_number, flow.committing = len(book.steps) + 1, False
    try:
        with recorder.verification():
            verdict = book.verify(flow)
    except FlowFailed as unchanged:
        return f"the change was not made ({unchanged}); it is safe to run again"
    except (Exception, KeyboardInterrupt, Interrupted) as unknown:  # noqa: BLE001 - any failure here means "unknown"
        return (
            f"whether the change was made could not be checked ({_first_lines(unknown)}); "
            "look at Plex Home before running again"
        )
    return f"the change was made all the same: {verdict}; do not run it again"


def _failed(book: Runbook, run_dir: Path, step: StepRecord | None, code: int, message: str) -> RunResult:
    if step is not None:
        step.error = message
        where = f"step {step.number} ({step.title!r})" if step.number <= len(book.steps) else "checking the outcome"
    else:
        where = "the run"
    status = RunStatus.of_exit_code(code)
    return RunResult(book.name, run_dir, code, status, f"{where}: {message}", failed_step=step)


def _in_words(exc: BaseException, scope: ActionScope) -> str:
    """A sentence for a step that failed with everything it looks for still there: what the page
    did not do, and what the flow last looked for. Playwright's own words stay in the trace."""
    text = str(exc)
    if not isinstance(exc, AssertionError) and "Timeout" not in text:
        return _first_lines(exc)
    seconds = f"{(scope.timeout_ms or 30_000) / 1000:g} s"
    if "to be hidden" in text:
        happened = f"what the step waits to close was still open after {seconds}"
    elif "to have count" in text or "to have text" in text:
        happened = f"the page did not read as the step expects within {seconds}"
    else:
        happened = f"the page did not show what the step expects within {seconds}"
    used = next((u for u in reversed(scope.used) if not u.optional), None)
    if used is None:
        return happened
    where = getattr(used.owner, "where", "the page")
    return f"{happened} (it last looked for the {used.what or used.name} in {where}, {used.name})"


def _first_lines(exc: BaseException) -> str:
    """A Playwright error's headline and the locator it waited for, without its call log noise."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    head = lines[0] if lines else type(exc).__name__
    waited = next((line for line in lines if line.startswith(("- waiting for", "waiting for"))), None)
    return f"{head} ({waited.lstrip('- ')})" if waited else head


def _scrubbed(result: RunResult, request: RunRequest) -> RunResult:
    """Messages can quote Playwright's call log, which may quote typed text: scrub them too."""
    scrubber = Scrubber(request.secrets.registered())
    result.message = scrubber.text(result.message)
    if result.failed_step is not None and result.failed_step.error:
        result.failed_step.error = scrubber.text(result.failed_step.error)
    return result


def _finish(
    recorder: Recorder,
    result: RunResult,
    request: RunRequest,
    flow: Flow | None,
    pdf: Callable[[Path], Path] | None,
    shared: set[str],
    defer: Callable[[Callable[[], None]], None] | None = None,
) -> None:
    """Stop the trace, scrub it, and write the reports and the manifest (``defer``: on a thread)."""
    if flow is not None:
        manifest = recorder.manifest
        manifest.sign_in_s, manifest.sign_in_step = flow.sign_in_s, flow.sign_in_step
        manifest.console_errors = list(flow.console_errors)
        manifest.failed_requests = list(flow.failed_requests)
    recorder.finish(
        {"status": str(result.status), "message": result.message, "exit_code": result.exit_code},
        user=flow.user if flow else request.options.user,
        account=request.secrets.plain("PLEX_EMAIL"),
        notes=(flow.notes + (flow.structure.findings if flow.structure else [])) if flow else [],
        secrets=lambda: _after_tracing(flow, request.secrets, recorder.manifest.environment) | shared,
        pdf=pdf,
        defer=defer,
    )


#: Plex Web's version, where the page names it in a meta tag (the live app's tag is a guess).
_PAGE_FACTS = """() => {
  const meta = document.querySelector(
    'meta[name="plex-web-version"], meta[name="application-version"], meta[name="version"]');
  return [localStorage.getItem('plex_tv_auth'), meta ? meta.content : null];
}"""


def _after_tracing(flow: Flow | None, secrets: SecretSource, environment: dict[str, str]) -> set[str]:
    """Every secret of the run, with the session's own token and cookies, which nobody typed;
    and Plex Web's version into ``environment`` when the page shows it. Asked after tracing
    stops, so none of it is in the trace."""
    if flow is not None:
        from plexbook.plex_api import stored_token

        page = flow.page
        try:
            for cookie in page.context.cookies():
                secrets.register(cookie.get("value", ""))
            if not page.is_closed():
                stored, version = page.evaluate(_PAGE_FACTS)
                secrets.register(stored_token(stored) or "")
                if version:
                    environment["plex web"] = str(version)[:80]
        except (PlaywrightError, ValueError, AttributeError, TypeError):
            pass  # a page on an error screen or another origin: header and key rules still apply
    return secrets.registered()
