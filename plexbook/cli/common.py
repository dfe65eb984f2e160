"""What every command shares: one-line errors and the documented exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from plexbook.choices import RANDOM, BrowserName, TraceMode, VariantName
from plexbook.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_SIGINT, BadInput, Interrupted

if TYPE_CHECKING:
    from plexbook.browser import BrowserOptions
    from plexbook.engine import RunResult
    from plexbook.sandbox.variants import Variant

# Commands import what they run (the engine, Playwright, the sandbox's web server) inside
# themselves, so that help, list and show answer at once.

# Options more than one command takes, declared once.
TargetOption = Annotated[
    str, typer.Option("--target", help="sandbox (the embedded demo, default), live (app.plex.tv), or a stand-in's URL.")
]
SandboxVariantOption = Annotated[
    VariantName,
    typer.Option(
        "--sandbox-variant",
        help="With --target sandbox: how its screens look (a preset, or random: a mix drawn from a seed).",
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


def _positive_seconds(value: float) -> float:
    if value <= 0:
        raise typer.BadParameter("must be a positive number of seconds")
    return value


TimeoutOption = Annotated[
    float, typer.Option("--timeout", callback=_positive_seconds, help="Seconds to wait for any one thing on a page.")
]
TraceOption = Annotated[
    TraceMode, typer.Option("--trace", help="Keep the Playwright trace always, never, or only when a run fails.")
]
BrowserOption = Annotated[BrowserName, typer.Option("--browser", help="Which of Playwright's browsers runs the flow.")]
ShowPersonalDataOption = Annotated[
    bool,
    typer.Option(
        "--show-personal-data",
        help="Leave emails and usernames visible in step screenshots (masked by default, as in the reports' text).",
    ),
]
EnvFileOption = Annotated[
    Path | None,
    typer.Option(
        "--env-file",
        help="Read secrets from this file instead of ./.env (the real environment still wins).",
        exists=True,
        dir_okay=False,
    ),
]
BrowserEndpointOption = Annotated[
    str | None,
    typer.Option(
        "--browser-endpoint",
        help="Use a remote browser: a Playwright browser server's ws:// address "
        "(launchServer, run-server, Browserless, Moon, a hosted Playwright service). "
        "An address that holds a key or token (?token=..., or launchServer's unguessable path) goes in "
        "PLEXBOOK_BROWSER_ENDPOINT (environment or .env) instead; "
        "a key sent as a header, in PLEXBOOK_BROWSER_HEADERS (JSON).",
    ),
]
CdpEndpointOption = Annotated[
    str | None,
    typer.Option(
        "--cdp-endpoint",
        help="Use a running Chromium started with --remote-debugging-port: its http:// address. "
        "An address that holds a key or token goes in PLEXBOOK_CDP_ENDPOINT (environment or .env) instead; "
        "a key sent as a header, in PLEXBOOK_BROWSER_HEADERS (JSON).",
    ),
]


def browser_options_for(
    name: BrowserName,
    headed: bool,
    slow_mo: float,
    browser_endpoint: str | None,
    cdp_endpoint: str | None,
    environ: Mapping[str, str],
) -> BrowserOptions:
    """The browser a command asked for, its remote endpoint checked in one line (BadInput-style exit 2).

    Without either option, ``environ`` (the environment over .env) may name a remote browser in
    PLEXBOOK_BROWSER_ENDPOINT or PLEXBOOK_CDP_ENDPOINT, and PLEXBOOK_BROWSER_HEADERS the headers
    to connect with. An address with a credential in it is refused on the command line, where
    anyone who can list this machine's processes reads it.
    """
    from plexbook.browser import BrowserOptions, remote_endpoints, remote_headers

    try:
        browser_endpoint, cdp_endpoint = remote_endpoints(browser_endpoint, cdp_endpoint, environ)
        headers = remote_headers(environ, browser_endpoint or cdp_endpoint)
    except BadInput as bad:
        fail(str(bad))
    if cdp_endpoint and name != "chromium":
        fail("a CDP endpoint speaks Chromium's protocol: leave --browser at chromium")
    if (browser_endpoint or cdp_endpoint) and headed:
        fail("--headed applies to a browser plexbook starts, not to a remote one")
    return BrowserOptions(name, headed, slow_mo, browser_endpoint, cdp_endpoint, headers)


#: The free space a run needs to start, in the traces folder and in the temporary folder (where
#: its trace waits to be scrubbed): a run's evidence takes 1 to 2 MB, this leaves room for a few.
FREE_SPACE_NEEDED = 20 * 1024 * 1024


def check_traces_dir(traces_dir: Path) -> None:
    """Refuse a --traces-dir that cannot hold run folders, in one line, before anything starts.

    Nothing is created here: a run refused for bad input leaves no folder behind. A disk too
    full for the evidence is refused too: a run that changed the account and then could not
    write what it did is worse than one that never started.
    """
    existing = next((p for p in (traces_dir, *traces_dir.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        fail(f"--traces-dir {traces_dir} cannot hold run folders: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail(f"--traces-dir {traces_dir} cannot hold run folders: {existing} is not writable")
    import shutil
    import tempfile

    temporary = Path(tempfile.gettempdir())
    for folder, what in ((existing, f"--traces-dir {traces_dir}"), (temporary, "the temporary folder")):
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue  # nothing to measure with: the run says what goes wrong, if anything does
        if free < FREE_SPACE_NEEDED:
            fail(
                f"{what} cannot hold a run's evidence: its disk has {free / 2**20:.1f} MB free "
                f"({folder}), and a run needs {FREE_SPACE_NEEDED // 2**20} MB; free some space first"
            )


def confirm_at_terminal() -> Callable[[str, str], bool]:
    """A person types the user's name before the committing click on live Plex (BadInput with no terminal)."""
    if not sys.stdin.isatty():
        raise BadInput("--target live changes a real account: confirm with --yes when no one is at a terminal")

    def confirm(user: str, control: str) -> bool:
        from plexbook.config import ask

        answer = ask(f'About to click {control} for {user} on live Plex. Type "{user}" to go on')
        return answer.strip() == user

    return confirm


def interrupt_code(stop: BaseException) -> int:
    return stop.exit_code if isinstance(stop, Interrupted) else EXIT_SIGINT


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print a one-line error for a person (no traceback) and exit with ``code``."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def print_result(result: RunResult) -> int:
    """Tell a person how the run ended and where its evidence is; returns the exit code."""
    from plexbook.engine import RunStatus

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
        # plexbook's own viewer command works where Playwright's own browser is not installed.
        typer.echo(f"Trace:    plexbook trace {result.run_dir}")
    return result.exit_code


def print_summary(results: list[RunResult], planned: list[str]) -> None:
    """One line per user of a several-user run, those never reached included."""
    from plexbook.cli.tables import print_table

    typer.echo("\nSummary:")
    rows = []
    for index, who in enumerate(planned):
        if index < len(results):
            result = results[index]
            rows.append([who, str(result.status), str(result.exit_code), str(result.run_dir)])
        else:
            rows.append([who, "not run", "-", "(an earlier user stopped the command)"])
    print_table(["User", "Outcome", "Exit", "Folder"], rows, status_column=1)


def sandbox_variant_for(target: str, name: str, seed: int | None) -> Variant | None:
    """The embedded sandbox's variant when ``target`` is the sandbox; ``None`` for any other target."""
    from plexbook.targets import SANDBOX

    return sandbox_variant_named(name, seed) if target == SANDBOX else None


def sandbox_variant_named(name: str, seed: int | None = None) -> Variant:
    """The embedded sandbox's variant; a random one says which seed it drew, so it can be replayed."""

    from plexbook.sandbox.variants import variant

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
