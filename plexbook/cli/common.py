"""What every command shares: one-line errors and the documented exit codes."""

from __future__ import annotations

from typing import NoReturn

import typer

#: Exit codes, as ``plexbook --help`` and the README document them.
EXIT_OK = 0
EXIT_FLOW_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 3


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print a one-line error for a person (no traceback) and exit with ``code``."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)
