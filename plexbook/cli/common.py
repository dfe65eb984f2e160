"""What every command shares: one-line errors and the documented exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from plexbook.engine import RunResult
from plexbook.errors import EXIT_BAD_INPUT, EXIT_OK, BadInput
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


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print a one-line error for a person (no traceback) and exit with ``code``."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def print_result(result: RunResult) -> int:
    """Tell a person how the run ended and where its evidence is; returns the exit code."""
    who = f" for {result.user}" if result.user else ""
    if result.exit_code == EXIT_OK:
        typer.secho(f"{result.runbook}{who}: {result.status} - {result.message}", fg=typer.colors.GREEN)
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
