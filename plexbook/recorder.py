"""A run's evidence folder: trace with one group per step, annotated step screenshots,
a scrubbed trace, reports and a manifest that lists every artifact with its hash.

Vocabulary and lifecycle follow pytest-playwright's ``--tracing on|off|retain-on-failure``.
Evidence is written even when a step fails: the folder is the first thing made and the
manifest the last thing written, whatever happened in between.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import BrowserContext, Locator, Page

import plexbook
from plexbook import unscrubbed
from plexbook.annotate import personal_data_mask, step_screenshot
from plexbook.choices import TraceMode
from plexbook.errors import EXIT_FLOW_FAILED, EXIT_OK, Interrupted, RunStop
from plexbook.evidence import MANIFEST, artifact_list, write_checksums
from plexbook.pages.actions import listening
from plexbook.pages.secret_input import SECRET_MARK
from plexbook.pages.sign_in import FORM_FRAME
from plexbook.progress import Event, Listener, ignore
from plexbook.scrub import PRIVATE_DIR, Scrubber, make_private, scrub_trace, write_private, write_scrubbed

StepStatus = Literal["passed", "failed", "not run", "interrupted"]

#: Fields whose content is secret: every field a secret is typed into (the page objects mark
#: it first, and the page marks every field named like one, below), and those whose markup
#: says so. Their text is drawn as discs in every frame the browser paints (so the trace's
#: screencast never shows it) and masked in step screenshots.
SECRET_FIELDS = (
    f"[{SECRET_MARK}], input[type=password], input[inputmode=numeric], input[autocomplete=one-time-code], "
    "input[autocomplete=current-password], input[autocomplete=new-password]"
)
#: What a field holding a secret is called, in any of the wordings the page objects look for
#: ("PIN", "New PIN", "PIN digit 1", "Current Password", "Verification Code").
SECRET_NAME = r"\b(pin|password|passcode|code)\b"
#: Runs in every page and frame from its start: the stylesheet that draws secret fields as
#: discs, and the mark on every field named like a secret, whenever it appears. A page that
#: draws a field anew as it is typed into (a component that re-renders) makes an element the
#: page objects never marked; the page marks it before it is first painted.
MASK_SECRET_FIELDS_SCRIPT = (
    r"""
(() => {
  const css = `__SECRET_FIELDS__ { -webkit-text-security: disc !important; }`;
  const secret = new RegExp(String.raw`__SECRET_NAME__`, "i");
  const mark = "__SECRET_MARK__";
  const text = (node) => (node ? node.getAttribute("aria-label") || node.textContent || "" : "");
  // The field's own names, and its group's (digit boxes named "Digit 1" in a group "PIN").
  const names = (field) => {
    const found = [field.getAttribute("aria-label"), field.placeholder, field.title];
    for (const id of (field.getAttribute("aria-labelledby") || "").split(/\s+/)) {
      if (id) found.push(text(document.getElementById(id)));
    }
    for (const label of field.labels || []) found.push(label.textContent);
    const group = field.closest("fieldset, [role=group]");
    if (group) found.push(text(group.querySelector(":scope > legend")), group.getAttribute("aria-label"));
    return found.filter(Boolean).join(" ");
  };
  const check = (field) => {
    if (field.localName === "input" && !field.hasAttribute(mark) && secret.test(names(field))) {
      field.setAttribute(mark, "");
    }
  };
  const scan = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    check(node);
    if (node.localName === "label" && node.control) check(node.control);
    for (const field of node.querySelectorAll("input")) check(field);
  };
  const add = () => {
    if (document.getElementById("plexbook-secret-fields")) return;
    const style = document.createElement("style");
    style.id = "plexbook-secret-fields";
    style.textContent = css;
    (document.head || document.documentElement).appendChild(style);
    scan(document.documentElement);
  };
  // Mutations are handed over before the next paint: a new field is marked before it is seen.
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "attributes") scan(record.target);
      else record.addedNodes.forEach(scan);
    }
  }).observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-label", "aria-labelledby", "placeholder", "title"],
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", add); else add();
})();
""".replace("__SECRET_FIELDS__", SECRET_FIELDS)
    .replace("__SECRET_NAME__", SECRET_NAME)
    .replace("__SECRET_MARK__", SECRET_MARK)
)


def masked_in_screenshots(page: Page, personal: Iterable[str]) -> list[Locator]:
    """What a step screenshot paints over: secret fields always, and where ``personal`` data shows,
    in the page and in the sign-in frame www.plex.tv wraps its form in."""
    masked = page.locator(SECRET_FIELDS)
    found = personal_data_mask(page, personal)
    # One locator for both: Playwright looks each mask up in the page on its own.
    either = masked if found is None else masked.or_(found)
    # A locator that combines others stays within one frame, so the frame's is its own.
    return [either, page.locator(FORM_FRAME).content_frame.locator(either)]


def new_run_dir(traces_dir: Path, runbook: str, now: datetime | None = None) -> Path:
    """``traces/<UTC time>-<runbook>-<short random id>/``, created."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    run_dir = traces_dir / f"{stamp}-{runbook}-{secrets.token_hex(3)}"
    run_dir.mkdir(parents=True)
    run_dir.chmod(PRIVATE_DIR)
    return run_dir


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-")


#: The step after the article's own: proof that the change took effect.
OUTCOME_CHECK = "Check the outcome (Plex shows no confirmation)"


@dataclass
class StepRecord:
    number: int
    title: str
    commits: bool
    status: StepStatus = "not run"
    duration_s: float = 0.0
    screenshot: str | None = None
    error: str | None = None


@dataclass
class Manifest:
    run_id: str
    runbook: str
    target: str
    user: str | None
    started: str
    account: str | None = None
    rehearsal: bool = False
    ended: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    verification: StepRecord | None = None
    outcome: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    trace_mode: str = "on"
    trace: str | None = None
    notes: list[str] = field(default_factory=list)
    #: The whole run, first step to outcome, in seconds.
    duration_s: float = 0.0
    #: How long signing in took, apart from the step that did it (None: no sign-in was needed).
    sign_in_s: float | None = None
    sign_in_step: int = 0
    #: Where it ran: OS, Python, the sandbox's variant, Plex Web's version when the page shows it.
    environment: dict[str, str] = field(default_factory=dict)
    #: The command that runs it again, without secrets.
    rerun: str | None = None
    #: What the page logged as errors, and requests that failed or answered 4xx/5xx (scrubbed with the rest).
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)


#: A file that keeps room in the run folder for the manifest and the checksums (see
#: :meth:`Recorder._keep_room`); never left in a finished run's folder.
ROOM = ".room-for-the-manifest"
ROOM_BYTES = 256 * 1024


def unwritten_outcome(outcome: dict[str, Any], exc: OSError) -> dict[str, Any]:
    """``outcome`` (status, message, exit code) as told when the run's evidence could not all be
    written (``exc``): a run whose evidence is incomplete did not do all it is for, whatever
    it did in Plex, so a run that was done has failed."""
    why = exc.strerror or type(exc).__name__
    if exc.filename:
        why += f": {Path(str(exc.filename)).name}"
    message = (
        f"writing its evidence ({why}); the run itself ended {outcome['status']}: {outcome['message']}. "
        "Its folder holds only what was written before"
    )
    done = outcome["exit_code"] == EXIT_OK
    return {**outcome, "message": message, **({"status": "failed", "exit_code": EXIT_FLOW_FAILED} if done else {})}


class Recorder:
    """Records one run into ``run_dir``."""

    def __init__(self, run_dir: Path, runbook: str, target: str, trace_mode: TraceMode) -> None:
        self.run_dir = run_dir
        self.trace_mode = trace_mode
        self.manifest = Manifest(
            run_id=run_dir.name,
            runbook=runbook,
            target=target,
            user=None,
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            versions={"plexbook": plexbook.__version__, "playwright": version("playwright")},
            trace_mode=trace_mode,
        )
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._tracing = False
        self._raw_traces: Path | None = None
        #: Hears each step start and end; ``label`` names the run in what it hears.
        self.progress: Listener = ignore
        self.label = runbook
        #: The emails and usernames the run has met, which step screenshots mask unless ``mask_personal`` is off.
        self.personal: Callable[[], Iterable[str]] = lambda: ()
        self.mask_personal = True
        #: Why the evidence could not all be written (a full disk): the first write that failed.
        self.unwritten: OSError | None = None
        self._outcome_as_run: dict[str, Any] = {}
        self._keep_room()

    def attach(
        self,
        context: BrowserContext,
        page: Page,
        browser: str,
        *,
        tracing: bool = False,
        raw_traces: Path | None = None,
    ) -> None:
        """Start recording the run on ``page`` of ``context``.

        ``tracing``: an earlier run started the context's tracing; this run records a chunk
        of it, which becomes its own trace file. The context must mask secret fields
        (:data:`MASK_SECRET_FIELDS_SCRIPT`) from its first page on.

        ``raw_traces``: the folder the browser records traces into (its ``traces_dir``), where
        a local one was launched so; the trace is recovered from it if it cannot be saved.
        """
        self._context, self._page = context, page
        self._raw_traces = raw_traces
        self.manifest.versions["browser"] = browser
        if self.trace_mode != "off":
            # Named for the run, so its files in ``raw_traces`` can be told from other runs'.
            name = self.manifest.run_id
            if tracing:
                context.tracing.start_chunk(name=name, title=name)
            else:
                # Sources are left out: they would copy this tool's code into every trace.
                context.tracing.start(screenshots=True, snapshots=True, sources=False, name=name, title=name)
            self._tracing = True

    def plan(self, titles: list[tuple[str, bool]]) -> None:
        self.manifest.steps = [StepRecord(i, title, commits) for i, (title, commits) in enumerate(titles, start=1)]

    @contextmanager
    def step(self, number: int) -> Iterator[StepRecord]:
        """Run one step inside a trace group; time it, screenshot it, record its status."""
        with self._recorded(self.manifest.steps[number - 1]) as record:
            yield record

    @contextmanager
    def verification(self) -> Iterator[StepRecord]:
        """The outcome check, recorded like a step after the article's steps."""
        number = len(self.manifest.steps) + 1
        self.manifest.verification = StepRecord(number, OUTCOME_CHECK, False)
        with self._recorded(self.manifest.verification) as record:
            yield record

    @contextmanager
    def _recorded(self, record: StepRecord) -> Iterator[StepRecord]:
        number = record.number
        caption = f"Step {number}: {record.title}"
        name = f"{number:02d}-{_slug(record.title)}.png"
        if self._tracing and self._context is not None:
            self._context.tracing.group(f"{number}. {record.title}")
        # The step's latest capture: the one it keeps.
        shot: list[bytes] = []
        started = time.perf_counter()
        total = len(self.manifest.steps) + 1
        run_id = self.run_dir.name
        self.progress(Event("step-started", self.label, number, total, record.title, run_id=run_id))
        status: StepStatus = "failed"
        try:
            # The last control the article names that a step acts on is the one its screenshot
            # outlines, taken just before the action (after it, a Remove button has vanished).
            # Actions that only lead up to it (hover, typing) take no screenshot.
            with listening(lambda locator: self._capture(caption, locator, shot), shown_only=True):
                yield record
            status = "passed"
        except RunStop as stop:
            # Nothing to do, or a rehearsal that went as far as it may: the step did its job.
            status = "passed" if stop.exit_code == EXIT_OK else "failed"
            raise
        except (Interrupted, KeyboardInterrupt):
            status = "interrupted"  # stopped from outside, not failed
            raise
        finally:
            record.status = status
            failed = status != "passed"
            record.duration_s = round(time.perf_counter() - started, 3)
            if failed or not shot:
                self._capture(caption, None, shot)
            if shot:
                try:
                    write_private(self.run_dir / name, shot[-1])
                    record.screenshot = name
                except OSError as exc:
                    # A full disk, say: the run goes on to an end it can tell (see :attr:`unwritten`).
                    self.could_not_write(exc)
            if self._tracing and self._context is not None:
                self._context.tracing.group_end()
            self.progress(
                Event("step-ended", self.label, number, total, record.title, record.status, record.duration_s, run_id)
            )

    def _capture(self, caption: str, locator: Locator | None, into: list[bytes]) -> None:
        """A screenshot of the page as it is, captioned, with ``locator``'s element outlined."""
        page = self._page
        if page is None or page.is_closed():
            return
        try:
            hidden = masked_in_screenshots(page, self.personal() if self.mask_personal else ())
            png = step_screenshot(page, caption, locator, hidden)
        except Exception:  # noqa: BLE001 - a missing screenshot must not hide the step's own error
            return
        into[:] = [png]

    def finish(
        self,
        outcome: dict[str, Any],
        *,
        user: str | None,
        account: str | None,
        notes: list[str],
        secrets: Callable[[], set[str]],
        pdf: Callable[[Path], Path] | None = None,
        defer: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """Stop tracing, then scrub the trace and write the reports and the manifest with every hash.

        ``secrets()`` is asked after tracing stops, so collecting the session's own secrets
        from the page adds nothing to the trace. What needs no browser (scrubbing, reports,
        manifest, checksums) is handed to ``defer`` when given, which runs it while the
        browser closes and must see it done; a PDF needs the browser, so it is never deferred.
        """
        self.manifest.user = user
        self.manifest.notes = notes
        self._outcome_as_run = outcome
        self.manifest.outcome = outcome
        trace: Path | None = None
        if self._tracing and self._context is not None:
            keep = self.trace_mode == "on" or outcome.get("exit_code", 1) != 0
            try:
                if keep:
                    # Saved unscrubbed outside the run folder: only its scrubbed copy enters it.
                    trace = unscrubbed.new_folder() / "trace.zip"
                    self._context.tracing.stop_chunk(path=trace)
                else:
                    self._context.tracing.stop_chunk()
            except Exception as exc:  # noqa: BLE001 - the browser may already be gone
                if trace is not None and not self._recovered(trace, exc):
                    shutil.rmtree(trace.parent, ignore_errors=True)
                    trace = None
                if trace is None:
                    self.manifest.notes.append(f"no trace was kept: {type(exc).__name__}")
            self._tracing = False
        known = secrets()
        self.manifest.ended = datetime.now(UTC).isoformat(timespec="seconds")

        def write() -> None:
            try:
                self._write(account, trace, known, pdf)
            except OSError as exc:
                # A full disk, say: what was written stays, and the manifest, written into the
                # room kept for it, says the rest is missing, as the run's result does.
                self.could_not_write(exc)
                with suppress(OSError):  # not even room for that: the run's result still says so
                    self._write_manifest(Scrubber(known))
            finally:
                self._room.unlink(missing_ok=True)

        if defer is not None and pdf is None:
            defer(write)
        else:
            write()

    def _recovered(self, trace: Path, why: Exception) -> bool:
        """Whether the trace Playwright could not save (``why``) was rebuilt at ``trace`` from
        the files the browser recorded it into; the manifest then says so."""
        if self._raw_traces is None:
            return False
        try:
            recovered = unscrubbed.recover_trace(self._raw_traces, self.manifest.run_id, trace)
        except OSError:
            return False
        if recovered:
            self.manifest.notes.append(
                f"Playwright could not save the trace ({type(why).__name__}); it was rebuilt from the files "
                "the browser recorded it into, and ends where they end"
            )
        return recovered

    def _write(
        self, account: str | None, trace: Path | None, known: set[str], pdf: Callable[[Path], Path] | None
    ) -> None:
        """The evidence that needs no browser but the PDF: scrubbed trace, reports, manifest, checksums."""
        # Jinja loads while the browser starts (see the engine); by now it is there.
        from plexbook.report import mask_email, write_reports

        self.manifest.account = mask_email(account)
        if trace is not None:
            kept = self.run_dir / "trace.zip"
            try:
                scrub_trace(trace, known, kept)
                self.manifest.trace = kept.name
            except Exception as exc:  # noqa: BLE001 - a trace that could not be scrubbed is not kept
                kept.unlink(missing_ok=True)
                self.manifest.notes.append(f"no trace was kept: it could not be scrubbed ({type(exc).__name__})")
            finally:
                shutil.rmtree(trace.parent, ignore_errors=True)
        scrubber = Scrubber(known)
        self._tell_unwritten()
        data = asdict(self.manifest)
        html, _ = write_reports(data, self.run_dir, scrubber)
        if pdf is not None:
            try:
                pdf(html)
            except Exception as exc:  # noqa: BLE001 - the HTML report stands on its own
                self.manifest.notes.append(f"report.pdf could not be printed: {str(exc).splitlines()[0]}")
                data = asdict(self.manifest)
                write_reports(data, self.run_dir, scrubber)
        self._write_manifest(scrubber)

    def _write_manifest(self, scrubber: Scrubber) -> None:
        """The manifest, listing every file the folder holds, and the checksums of all.

        After a failed write it goes into the room kept for it (see :meth:`_keep_room`), and
        says which write failed.
        """
        self._room.unlink(missing_ok=True)
        self._tell_unwritten()
        make_private(self.run_dir)
        data = asdict(self.manifest)
        data["artifacts"] = artifact_list(self.run_dir)
        write_scrubbed(self.run_dir / MANIFEST, json.dumps(data, indent=2) + "\n", scrubber)
        write_checksums(self.run_dir)

    @property
    def _room(self) -> Path:
        return self.run_dir / ROOM

    def _keep_room(self) -> None:
        """Take the room the manifest and the checksums need while the disk has it: a disk that
        fills during the run leaves them this much (given back just before they are written)."""
        try:
            # Not zeros: a file system that compresses would keep no room for those.
            write_private(self._room, os.urandom(ROOM_BYTES))
        except OSError as exc:
            self.could_not_write(exc)

    def could_not_write(self, exc: OSError) -> None:
        """Note that a piece of evidence could not be written; the first failure is the one told."""
        if self.unwritten is None:
            self.unwritten = exc

    def _tell_unwritten(self) -> None:
        """The manifest's outcome, as the run's result will tell it when evidence is missing."""
        if self.unwritten is not None and self._outcome_as_run:
            self.manifest.outcome = unwritten_outcome(self._outcome_as_run, self.unwritten)
