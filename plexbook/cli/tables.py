"""Tables for people: rich's on a terminal, plain aligned columns when piped.

Imported only by the commands that print a table (rich takes a while to import).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

#: How each outcome is coloured, wherever a table shows one.
_STATUS_STYLES = {
    "done": "green",
    "passed": "green",
    "rehearsed": "green",
    "nothing to do": "green",
    "skipped": "yellow",
    "not run": "dim",
}


def status_style(status: str) -> str:
    """Green for a good ending, yellow for skipped, red for every other (failed, interrupted, ...)."""
    return _STATUS_STYLES.get(status.split(" (")[0], "red")


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, status_column: int | None = None, err: bool = False
) -> None:
    """Print ``rows`` under ``headers``; the ``status_column`` is coloured by :func:`status_style`.

    Piped, the table keeps every cell whole on one line (no wrapping at 80 columns), so
    scripts and logs read it as they would plain columns.
    """
    console = Console(stderr=err, highlight=False)
    table = Table(*headers, box=None, pad_edge=False, header_style="bold", show_edge=False)
    for row in rows:
        cells = [escape(cell) for cell in row]
        if status_column is not None:
            cells[status_column] = f"[{status_style(row[status_column])}]{cells[status_column]}[/]"
        table.add_row(*cells)
    if console.is_terminal:
        console.print(table)
        return
    import typer

    plain = Console(width=10_000, no_color=True, highlight=False)
    with plain.capture() as captured:
        plain.print(table)
    typer.echo("\n".join(line.rstrip() for line in captured.get().splitlines()), err=err)
