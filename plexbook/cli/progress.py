"""How a command shows its runs' progress: a live display at a terminal, plain lines otherwise.

At a terminal, one line per run shows the step going on (its number of N, the article's
words), sign-in's stage and the time the step has taken, and each finished step is printed
above it for good. Without a terminal (CI, a pipe), one plain line is written to stderr as
each step starts and as it ends. ``--quiet`` shows nothing but the results; ``--verbose``
writes plain lines at a terminal too, with sign-in's stages and each run's start and end.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from plexbook.progress import Event, Listener, ignore

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.live import Live
    from rich.spinner import Spinner

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Show no progress; print only the results.")]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose", "-v", help="Progress as plain lines, with sign-in's stages and each run's start and end."
    ),
]

_MARKS = {"passed": "✓", "failed": "✗", "interrupted": "!", "not run": "-"}


def _step(event: Event) -> str:
    return f"step {event.number}/{event.total}"


class PlainLines:
    """One line on stderr as each step starts and ends (and, verbose, each stage and run)."""

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        line = self._line(event)
        if line is not None:
            with self._lock:
                typer.echo(f"{event.run}: {line}", err=True)

    def _line(self, event: Event) -> str | None:
        if event.kind == "step-started":
            return f"{_step(event)} started: {event.text}"
        if event.kind == "step-ended":
            return f"{_step(event)} {event.status} in {event.seconds:.2f} s"
        if not self.verbose:
            return None
        if event.kind == "stage":
            return f"{_step(event)}: {event.text}"
        if event.kind == "run-started":
            return f"started ({event.total - 1} steps and the outcome check)"
        return f"ended: {event.status} in {event.seconds:.2f} s"


@dataclass
class _Current:
    run: str
    number: int
    total: int
    title: str
    stage: str
    since: float


class LiveDisplay:
    """rich's live display: a spinner line per run going on; finished steps printed above."""

    def __init__(self, console: Console) -> None:
        from rich.live import Live

        self.console = console
        self._runs: dict[str, _Current] = {}
        self._spinners: dict[str, Spinner] = {}
        self._lock = threading.Lock()
        self.live: Live = Live(self, console=console, transient=True, refresh_per_second=8)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.spinner import Spinner
        from rich.text import Text

        with self._lock:
            runs = list(self._runs.items())
        now = time.monotonic()
        for key, current in runs:
            spinner = self._spinners.setdefault(key, Spinner("dots", style="cyan"))
            line = Text.assemble(
                spinner.render(console.get_time()),  # type: ignore[arg-type]  # a frame, as Text
                (f" {current.run}", "bold"),
                f"  step {current.number}/{current.total}",
                (f"  {now - current.since:.1f} s", "dim"),
                (f"  {current.stage}" if current.stage else "", "cyan"),
                f"  {current.title}",
            )
            # One line per run, whatever the terminal's width: the article's words come last
            # and end in an ellipsis where the line is full.
            line.truncate(options.max_width, overflow="ellipsis")
            yield line

    def __call__(self, event: Event) -> None:
        key = event.run_id or event.run
        with self._lock:
            if event.kind == "step-started":
                self._runs[key] = _Current(event.run, event.number, event.total, event.text, "", time.monotonic())
            elif event.kind == "stage" and key in self._runs:
                self._runs[key].stage = event.text
            elif event.kind == "run-ended":
                self._runs.pop(key, None)
                self._spinners.pop(key, None)
        if event.kind == "step-ended":
            style = "green" if event.status == "passed" else "red"
            mark = _MARKS.get(event.status, "?")
            self.console.print(
                f"[{style}]{mark}[/] {event.run}: {_step(event)} {event.status} in {event.seconds:.2f} s",
                highlight=False,
            )

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold the display while a person answers a prompt."""
        self.live.stop()
        try:
            yield
        finally:
            self.live.start()


@contextmanager
def progress_display(quiet: bool, verbose: bool) -> Iterator[Listener]:
    """The listener a command hands its runs, shown as ``--quiet``/``--verbose`` and the terminal say."""
    from plexbook.cli.common import fail
    from plexbook.config import pausing_prompts

    if quiet and verbose:
        fail("choose one of --quiet and --verbose")
    if quiet:
        yield ignore
        return
    if verbose or not sys.stderr.isatty():
        yield PlainLines(verbose)
        return
    from rich.console import Console

    display = LiveDisplay(Console(stderr=True))
    with display.live, pausing_prompts(display.paused):
        yield display
