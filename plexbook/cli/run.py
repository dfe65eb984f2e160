"""``plexbook list``, ``show``, ``run`` and ``demo``: the runbooks, by name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from plexbook.browser import BrowserOptions
from plexbook.cli.common import (
    HeadedOption,
    SandboxSeedOption,
    SandboxVariantOption,
    TargetOption,
    TimeoutOption,
    TracesDirOption,
    check_traces_dir,
    confirm_at_terminal,
    fail,
    interrupt_code,
    print_result,
    sandbox_variant_for,
    sandbox_variant_named,
)
from plexbook.config import load_environment
from plexbook.engine import RunResult, RunSettings, execute
from plexbook.errors import EXIT_OK, BadInput, Interrupted
from plexbook.interrupts import signals_stop_runs
from plexbook.runbook import Mode, Runbook, RunOptions
from plexbook.runbooks import RUNBOOKS
from plexbook.targets import LIVE, SANDBOX, resolve_target


def _runbook(name: str) -> Runbook:
    try:
        return RUNBOOKS[name]
    except KeyError:
        fail(f"unknown runbook {name!r}; choose one of: {', '.join(RUNBOOKS)} (see `plexbook list`)")


def list_runbooks() -> None:
    """List the runbooks, one line each.

    Example:

        plexbook list
    """
    width = max(len(name) for name in RUNBOOKS)
    for name, book in RUNBOOKS.items():
        typer.echo(f"{name:<{width}}  {book.summary}")


def show(name: Annotated[str, typer.Argument(help="The runbook's name (see `plexbook list`).")]) -> None:
    """Show a runbook's steps as the article words them; committing steps are marked.

    Example:

        plexbook show remove-pin
    """
    book = _runbook(name)
    typer.echo(f"{book.name}: {book.heading}")
    typer.echo(book.summary)
    for number, step in enumerate(book.steps, start=1):
        marker = "  [commits]" if step.commits else ""
        typer.echo(f"  {number}. {step.title}{marker}")
    typer.echo("  Then: the outcome is checked on Plex Home and through the API (Plex shows no confirmation).")
    secrets = ", ".join(f"{name} ({what})" for name, what in book.needs(RunOptions(mode="set")))
    typer.echo(f"Secrets, besides signing in: {secrets or 'none'}")


def run(
    name: Annotated[str, typer.Argument(help="The runbook's name (see `plexbook list`).")],
    user: Annotated[str | None, typer.Option(help="The Home user to act on (default: the account owner).")] = None,
    set_pin: Annotated[bool, typer.Option("--set", help="managed-user-pin: set PLEX_NEW_PIN and Save.")] = False,
    remove: Annotated[bool, typer.Option("--remove", help="managed-user-pin: use the remove link (default).")] = False,
    target: TargetOption = "sandbox",
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    headed: HeadedOption = False,
    slow_mo: Annotated[float, typer.Option(help="Slow every browser action by this many milliseconds.")] = 0,
    trace: Annotated[str, typer.Option(help="Keep the Playwright trace: on, off or retain-on-failure.")] = "on",
    timeout: TimeoutOption = 30,
    browser: Annotated[str, typer.Option(help="chromium, firefox or webkit (Playwright's own, if installed).")] = (
        "chromium"
    ),
    traces_dir: TracesDirOption = Path("traces"),
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print report.pdf (Chromium only).")] = False,
    rehearse: Annotated[
        bool, typer.Option("--rehearse", help="Stop at the committing click: check it, cancel, prove nothing changed.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", help="On --target live, commit without typing the user's name first (needed with no terminal)."
        ),
    ] = False,
) -> None:
    """Run a runbook by name, verify its outcome and keep its evidence in traces/.

    Secrets come from the environment or .env (the real environment wins), never from
    the command line: PLEX_EMAIL, PLEX_PASSWORD or PLEX_TOKEN, PLEX_PIN (the current PIN),
    PLEX_NEW_PIN, PLEX_TOTP_SECRET or PLEX_OTP. Missing ones are asked for (hidden) when
    a person is at the terminal. The sandbox target needs none: it uses the demo household.

    With --rehearse, every step runs up to the committing click (Remove, Save, Update),
    which is checked to be there and enabled, then cancelled; the run proves nothing changed.

    On --target live, the run stops before the committing click until you type the user's
    name; --yes skips that, and is required when no one is at a terminal.

    Exit codes: 0 done and verified (or nothing to do); 1 the flow failed or its outcome
    did not verify; 2 bad input; 3 target unreachable or sign-in refused; 4 Plex answered a
    server error or cut the connection (the message says whether the change was made);
    130 interrupted (Ctrl+C), 143 terminated (SIGTERM): the evidence says how far it got.

    Example:

        plexbook run managed-user-pin --user Kid --remove
    """
    book = _runbook(name)
    if set_pin and remove:
        fail("choose one of --set and --remove")
    if (set_pin or remove) and book.name != "managed-user-pin":
        fail("--set and --remove are for managed-user-pin")
    if trace not in ("on", "off", "retain-on-failure"):
        fail(f"--trace must be on, off or retain-on-failure (got {trace!r})")
    if browser not in ("chromium", "firefox", "webkit"):
        fail(f"--browser must be chromium, firefox or webkit (got {browser!r})")
    if timeout <= 0:
        fail("--timeout must be a positive number of seconds")
    if pdf and browser != "chromium":
        fail("--pdf prints with Chromium; leave --browser at chromium")
    mode: Mode | None = ("set" if set_pin else "remove") if book.name == "managed-user-pin" else None
    options = RunOptions(user=user, mode=mode, rehearse=rehearse)
    settings = RunSettings(BrowserOptions(browser, headed, slow_mo), trace, timeout, traces_dir, pdf)  # type: ignore[arg-type]
    check_traces_dir(traces_dir)
    try:
        confirm = None if rehearse or target != LIVE or yes else confirm_at_terminal()
        variant = sandbox_variant_for(target, sandbox_variant, sandbox_seed)
        with signals_stop_runs(settings.stop), resolve_target(target, load_environment(), variant) as resolved:
            request = settings.request(book, resolved.target, resolved.secrets_for(user), options)
            result = execute(replace(request, confirm=confirm))
    except BadInput as bad:
        fail(str(bad))
    except (KeyboardInterrupt, Interrupted) as stop:
        fail("interrupted before the run started; nothing was done", code=interrupt_code(stop))
    raise typer.Exit(print_result(result))


def demo(
    traces_dir: TracesDirOption = Path("traces"),
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    headed: HeadedOption = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each run's report.pdf.")] = False,
) -> None:
    """Run all three runbooks on the embedded sandbox's demo household, then list the evidence.

    Nothing to set up and nothing of yours is touched: remove-pin removes Jordan's PIN,
    reset-pin gives Alex a new PIN, managed-user-pin removes Kid's PIN.

    Example:

        plexbook demo
    """
    settings = RunSettings(BrowserOptions("chromium", headed), "on", 30, traces_dir, pdf)
    plan = [
        ("remove-pin", RunOptions(user="Jordan")),
        ("reset-pin", RunOptions()),
        ("managed-user-pin", RunOptions(user="Kid", mode="remove")),
    ]
    results: list[RunResult] = []
    try:
        variant = sandbox_variant_named(sandbox_variant, sandbox_seed)
        with signals_stop_runs(settings.stop), resolve_target(SANDBOX, {}, variant) as resolved:
            typer.echo(f"Sandbox at {resolved.target.app_url} ({variant.name})")
            for name, options in plan:
                typer.echo(f"\n== {name}")
                secrets = resolved.secrets_for(options.user)
                result = execute(settings.request(RUNBOOKS[name], resolved.target, secrets, options))
                print_result(result)
                results.append(result)
                if settings.stop.exit_code is not None:
                    break
    except BadInput as bad:
        fail(str(bad))
    except (KeyboardInterrupt, Interrupted) as stopped:
        fail("interrupted before the demo started; nothing was done", code=interrupt_code(stopped))
    typer.echo("\nEvidence:")
    for result in results:
        typer.echo(f"  {result.runbook:<17} {result.status:<14} {result.run_dir}")
    failed = [r for r in results if r.exit_code != EXIT_OK]
    raise typer.Exit(max((r.exit_code for r in failed), default=EXIT_OK))
