"""The ``plexbook`` typer app: mounts one module per command."""

from __future__ import annotations

from typing import Annotated

import typer

from plexbook.cli.batch import batch
from plexbook.cli.check import check
from plexbook.cli.evidence import evidence_app, report, runs, trace
from plexbook.cli.run import demo, list_runbooks, run, show
from plexbook.cli.sandbox import sandbox

app = typer.Typer(
    name="plexbook",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        import plexbook

        typer.echo(f"plexbook {plexbook.__version__} (Playwright {version('playwright')})")
        raise typer.Exit()


@app.callback()
def main(
    _version: Annotated[
        bool,
        typer.Option("--version", "-V", help="Print the version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Run documented Plex web-app flows in a real browser and keep evidence of every run.

    Shell completion: `plexbook --install-completion` (bash, zsh, fish, PowerShell).

    Exit codes: 0 done and verified (or nothing to do); 1 the flow failed or its outcome
    did not verify, or its evidence could not be written; 2 bad input; 3 target or remote
    browser unreachable, or sign-in refused; 4 Plex answered a server error or cut the
    connection (the message says whether the change was made); 130 interrupted (Ctrl+C),
    143 terminated (SIGTERM), 129 the terminal hung up (SIGHUP): the evidence says how far
    it got.
    """


app.command("list")(list_runbooks)
app.command()(show)
app.command()(run)
app.command()(batch)
app.command()(demo)
app.command()(check)
app.command()(sandbox)
app.command()(runs)
app.command()(report)
app.command()(trace)
app.add_typer(evidence_app, name="evidence")
