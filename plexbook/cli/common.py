"""What every command shares: one-line errors and the documented exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from plexbook.engine import RunResult, RunStatus
from plexbook.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_SIGINT, BadInput, Interrupted
from plexbook.sandbox import PRESETS, Variant, variant
from plexbook.sandbox.variants import RANDOM
from plexbook.targets import SANDBOX

# Options more than one command takes, declared once.
TargetOption = Annotated[
    str, typer.Option("--target", help="sandbox (the embedded demo, default), live (app.plex.tv), or a stand-in's URL.")
]
SandboxVariantOption = Annotated[
    str,
    typer.Option(
        "--sandbox-variant",
        help=f"With --target sandbox: how its screens look ({', '.join(PRESETS)}, or random).",
    ),
]
SandboxSeedOption = Annotated[
    int | None,
    typer.Option(
        "--sandbox-seed", help="With --sandbox-variant random: the seed to draw from (default: fresh, printed)."
    ),
]
TracesDirOption = Annotated[Path, typer.Option("--traces-dir", help="Where run folders are written.")]
HeadedOption = Annotated[bool, typer.Option("--headed/--headless", help="Show the browser window.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for any one thing on a page.")]


def check_traces_dir(traces_dir: Path) -> None:
    """Refuse a --traces-dir that cannot hold run folders, in one line, before anything starts.

    Nothing is created here: a run refused for bad input leaves no folder behind.
    """
    existing = next((p for p in (traces_dir, *traces_dir.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        fail(f"--traces-dir {traces_dir} cannot hold run folders: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail(f"--traces-dir {traces_dir} cannot hold run folders: {existing} is not writable")


def confirm_at_terminal() -> Callable[[str, str], bool]:
    """A person types the user's name before the committing click on live Plex (BadInput with no terminal)."""
    if not sys.stdin.isatty():
        raise BadInput("--target live changes a real account: confirm with --yes when no one is at a terminal")

    def confirm(user: str, control: str) -> bool:
        answer = typer.prompt(f'About to click {control} for {user} on live Plex. Type "{user}" to go on', default="")
        return str(answer).strip() == user

    return confirm


def interrupt_code(stop: BaseException) -> int:
    return stop.exit_code if isinstance(stop, Interrupted) else EXIT_SIGINT


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print a one-line error for a person (no traceback) and exit with ``code``."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def print_result(result: RunResult) -> int:
    """Tell a person how the run ended and where its evidence is; returns the exit code."""
    who = f" for {result.user}" if result.user else ""
    if result.exit_code == EXIT_OK:
        typer.secho(f"{result.runbook}{who}: {result.status} - {result.message}", fg=typer.colors.GREEN)
    elif result.status in (RunStatus.SERVER_ERROR, RunStatus.INTERRUPTED):
        # These messages say it all in one line: what happened, what Plex says now, what to do.
        typer.secho(f"{result.runbook}{who}: {result.message}", fg=typer.colors.RED, err=True)
    else:
        typer.secho(f"Error: {result.runbook}{who} {result.status} at {result.message}", fg=typer.colors.RED, err=True)
    typer.echo(f"Evidence: {result.run_dir}")
    if result.trace is not None:
        typer.echo(f"Trace:    playwright show-trace {result.trace}")
    return result.exit_code


def sandbox_variant_for(target: str, name: str, seed: int | None) -> Variant | None:
    """The embedded sandbox's variant when ``target`` is the sandbox; ``None`` for any other target."""
    return sandbox_variant_named(name, seed) if target == SANDBOX else None


def sandbox_variant_named(name: str, seed: int | None = None) -> Variant:
    """The embedded sandbox's variant; a random one says which seed it drew, so it can be replayed."""
    if seed is not None and name != RANDOM:
        raise BadInput("--sandbox-seed goes with --sandbox-variant random")
    try:
        chosen = variant(name, seed)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if name == RANDOM:
        drawn = chosen.name.removeprefix("random-")
        typer.echo(f"Sandbox variant {chosen.name} (replay: --sandbox-variant random --sandbox-seed {drawn})", err=True)
    return chosen
