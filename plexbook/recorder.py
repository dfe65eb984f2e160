"""A run's evidence folder: trace with one group per step, step screenshots, manifest.

Vocabulary and lifecycle follow pytest-playwright's ``--tracing on|off|retain-on-failure``.
Evidence is written even when a step fails: the folder is the first thing made and the
manifest the last thing written, whatever happened in between.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from playwright.sync_api import BrowserContext, Page

import plexbook

TraceMode = Literal["on", "off", "retain-on-failure"]
StepStatus = Literal["passed", "failed", "not run"]


def new_run_dir(traces_dir: Path, runbook: str, now: datetime | None = None) -> Path:
    """``traces/<UTC time>-<runbook>-<short random id>/``, created."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    run_dir = traces_dir / f"{stamp}-{runbook}-{secrets.token_hex(3)}"
    run_dir.mkdir(parents=True)
    return run_dir


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].rstrip("-")


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
    ended: str | None = None
    steps: list[StepRecord] = field(default_factory=list)
    outcome: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    verification: StepRecord | None = None
    trace: str | None = None
    notes: list[str] = field(default_factory=list)


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
        )
        self._context: BrowserContext | None = None
        self._page: Page | None = None

    def attach(self, context: BrowserContext, page: Page, browser: str) -> None:
        """Start recording the browser context the run uses."""
        self._context, self._page = context, page
        self.manifest.versions["browser"] = browser
        if self.trace_mode != "off":
            # Sources are left out: they would copy this tool's code into every trace.
            context.tracing.start(screenshots=True, snapshots=True, sources=False, title=self.manifest.run_id)

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
        self.manifest.verification = StepRecord(number, "Check the outcome (Plex shows no confirmation)", False)
        with self._recorded(self.manifest.verification) as record:
            yield record

    @contextmanager
    def _recorded(self, record: StepRecord) -> Iterator[StepRecord]:
        number = record.number
        tracing = self._context.tracing if self._context and self.trace_mode != "off" else None
        if tracing:
            tracing.group(f"{number}. {record.title}")
        started = time.perf_counter()
        try:
            yield record
            record.status = "passed"
        except BaseException:
            record.status = "failed"
            raise
        finally:
            record.duration_s = round(time.perf_counter() - started, 3)
            record.screenshot = self._screenshot(f"{number:02d}-{_slug(record.title)}.png")
            if tracing:
                tracing.group_end()

    def _screenshot(self, name: str) -> str | None:
        if self._page is None or self._page.is_closed():
            return None
        try:
            self._page.screenshot(path=self.run_dir / name, full_page=True)
        except Exception:  # noqa: BLE001 - a missing screenshot must not hide the step's own error
            return None
        return name

    def finish(self, outcome: dict[str, Any], user: str | None, notes: list[str]) -> Path:
        """Stop tracing (keeping the trace as the mode says) and write the manifest."""
        self.manifest.user = user
        self.manifest.notes = notes
        self.manifest.outcome = outcome
        if self._context is not None and self.trace_mode != "off":
            keep = self.trace_mode == "on" or outcome.get("exit_code", 1) != 0
            try:
                if keep:
                    self._context.tracing.stop(path=self.run_dir / "trace.zip")
                    self.manifest.trace = "trace.zip"
                else:
                    self._context.tracing.stop()
            except Exception:  # noqa: BLE001 - the browser may already be gone
                self.manifest.trace = None
        self.manifest.ended = datetime.now(UTC).isoformat(timespec="seconds")
        path = self.run_dir / "manifest.json"
        path.write_text(json.dumps(asdict(self.manifest), indent=2) + "\n", encoding="utf-8")
        return path
