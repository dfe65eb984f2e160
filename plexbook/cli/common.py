"""What every command shares: one-line errors and the documented exit codes."""

from __future__ import annotations

from typing import NoReturn

import typer

from plexbook.engine import RunResult
from plexbook.errors import EXIT_BAD_INPUT, EXIT_OK



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
