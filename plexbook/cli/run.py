"""``plexbook list``, ``show``, ``run`` and ``demo``: the runbooks, by name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plexbook.cli.common import (
    BrowserEndpointOption,
    BrowserOption,
    CdpEndpointOption,
    EnvFileOption,
    HeadedOption,
    SandboxSeedOption,
    SandboxVariantOption,
    ShowPersonalDataOption,
    TargetOption,
    TimeoutOption,
    TraceOption,
    TracesDirOption,
    browser_options_for,
    check_traces_dir,
    confirm_at_terminal,
    fail,
    interrupt_code,
    print_result,
    print_summary,
    sandbox_variant_for,
    sandbox_variant_named,
)
from plexbook.cli.progress import QuietOption, VerboseOption, progress_display
from plexbook.errors import EXIT_OK, BadInput, Interrupted

if TYPE_CHECKING:
    from plexbook.engine import RunResult
    from plexbook.runbook import Mode, Runbook


def _runbook_names(incomplete: str) -> list[str]:
    """Shell completion for a runbook's name."""
    from plexbook.runbooks import RUNBOOKS

    return [name for name in RUNBOOKS if name.startswith(incomplete)]


#: A runbook, by name, completed by the shell.
RunbookArg = Annotated[
    str, typer.Argument(help="The runbook's name (see `plexbook list`).", autocompletion=_runbook_names)
]


def _runbook(name: str) -> Runbook:
    from plexbook.runbooks import RUNBOOKS

    try:
        return RUNBOOKS[name]
    except KeyError:
        fail(f"unknown runbook {name!r}; choose one of: {', '.join(RUNBOOKS)} (see `plexbook list`)")


def list_runbooks() -> None:
    """List the runbooks, one line each.

    Example:

        plexbook list
    """
    from plexbook.cli.tables import print_table
    from plexbook.runbooks import RUNBOOKS

    print_table(["Runbook", "What it does"], [[name, book.summary] for name, book in RUNBOOKS.items()])


def show(name: RunbookArg) -> None:
    """Show a runbook's steps as the article words them; committing steps are marked.

    Example:

        plexbook show remove-pin
    """
    from plexbook.runbook import RunOptions

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
    name: RunbookArg,
    user: Annotated[
        list[str] | None,
        typer.Option(
            "--user",
            help="The Home user to act on (default: the account owner). Repeat it to act on several "
            "users in turn, in one browser with one sign-in.",
        ),
    ] = None,
    set_pin: Annotated[bool, typer.Option("--set", help="managed-user-pin: set PLEX_NEW_PIN and Save.")] = False,
    remove: Annotated[bool, typer.Option("--remove", help="managed-user-pin: use the remove link (default).")] = False,
    target: TargetOption = "sandbox",
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    headed: HeadedOption = False,
    slow_mo: Annotated[float, typer.Option(help="Slow every browser action by this many milliseconds.")] = 0,
    trace: TraceOption = "on",
    timeout: TimeoutOption = 30,
    browser: BrowserOption = "chromium",
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
    stop_on_failure: Annotated[
        bool, typer.Option("--stop-on-failure", help="With several --user: stop at the first user that fails.")
    ] = False,
    browser_endpoint: BrowserEndpointOption = None,
    cdp_endpoint: CdpEndpointOption = None,
    env_file: EnvFileOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    show_personal_data: ShowPersonalDataOption = False,
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

    Several users: repeat --user. Each user's PIN comes from PLEX_PIN_<USER> (the name in
    capitals, other characters as _: PLEX_PIN_KID, PLEX_PIN_JORDAN_K for "Jordan K."), else
    PLEX_PIN; PLEX_NEW_PIN_<USER> likewise. Each user gets a run folder and a line of the
    summary; a refused PIN stops that user only and is never retried. The exit code is the
    worst of them.

    A remote browser: --browser-endpoint ws://... (a Playwright browser server, Browserless,
    Moon, a hosted Playwright service) or --cdp-endpoint http://... (any Chromium started
    with --remote-debugging-port). Evidence is written here, scrubbed as with a local browser.
    An address that holds a key (?token=..., or the unguessable path of launchServer's
    ws://host:port/<32 hex digits>) goes in PLEXBOOK_BROWSER_ENDPOINT or
    PLEXBOOK_CDP_ENDPOINT instead: it is refused on the command line. A key sent as a
    header goes in PLEXBOOK_BROWSER_HEADERS, as JSON: {"Authorization": "Bearer ..."}.

    Exit codes: 0 done and verified (or nothing to do); 1 the flow failed or its outcome
    did not verify, or its evidence could not be written; 2 bad input; 3 target or remote
    browser unreachable, or sign-in refused; 4 Plex answered a server error or cut the
    connection (the message says whether the change was made); 130 interrupted (Ctrl+C),
    143 terminated (SIGTERM), 129 the terminal hung up (SIGHUP): the evidence says how far
    it got.

    Example:

        plexbook run managed-user-pin --user Kid --remove

    \b
        PLEX_PIN_JORDAN=2468 PLEX_PIN_ALEX=1234 plexbook run remove-pin --user Jordan --user Alex
    """
    from plexbook.config import load_environment
    from plexbook.engine import RunSettings, execute_all
    from plexbook.interrupts import signals_stop_runs
    from plexbook.runbook import RunOptions
    from plexbook.targets import LIVE, resolve_target

    book = _runbook(name)
    if set_pin and remove:
        fail("choose one of --set and --remove")
    if (set_pin or remove) and book.name != "managed-user-pin":
        fail("--set and --remove are for managed-user-pin")
    if pdf and browser != "chromium":
        fail("--pdf prints with Chromium; leave --browser at chromium")
    users: list[str | None] = list(user) if user else [None]
    twice = sorted({u for u in users if users.count(u) > 1 and u is not None})
    if twice:
        fail(f"--user {twice[0]} is given more than once")
    mode: Mode | None = ("set" if set_pin else "remove") if book.name == "managed-user-pin" else None
    environ = load_environment(env_file)
    browser_options = browser_options_for(browser, headed, slow_mo, browser_endpoint, cdp_endpoint, environ)
    settings = RunSettings(browser_options, trace, timeout, traces_dir, pdf, show_personal_data=show_personal_data)
    check_traces_dir(traces_dir)
    try:
        confirm = None if rehearse or target != LIVE or yes else confirm_at_terminal()
        variant = sandbox_variant_for(target, sandbox_variant, sandbox_seed)
        with (
            progress_display(quiet, verbose) as shown,
            signals_stop_runs(settings.stop),
            resolve_target(target, environ, variant) as resolved,
        ):
            watched = replace(settings, progress=shown)
            requests = [
                replace(
                    watched.request(book, resolved.target, resolved.secrets_for(who), RunOptions(who, mode, rehearse)),
                    confirm=confirm,
                )
                for who in users
            ]
            results = execute_all(requests, stop_on_failure=stop_on_failure)
    except BadInput as bad:
        fail(str(bad))
    except (KeyboardInterrupt, Interrupted) as stop:
        fail("interrupted before the run started; nothing was done", code=interrupt_code(stop))
    codes = [print_result(result) for result in results]
    if len(users) > 1:
        print_summary(results, [who or "the account owner" for who in users])
    raise typer.Exit(max(codes))


def demo(
    traces_dir: TracesDirOption = Path("traces"),
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    headed: HeadedOption = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also print each run's report.pdf.")] = False,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    show_personal_data: ShowPersonalDataOption = False,
) -> None:
    """Run all three runbooks on the embedded sandbox's demo household, then list the evidence.

    Nothing to set up and nothing of yours is touched: remove-pin removes Jordan's PIN,
    reset-pin gives Alex a new PIN, managed-user-pin removes Kid's PIN.

    Example:

        plexbook demo
    """
    from plexbook.browser import BrowserOptions
    from plexbook.engine import RunSettings, one_browser
    from plexbook.interrupts import signals_stop_runs
    from plexbook.runbook import RunOptions
    from plexbook.runbooks import RUNBOOKS
    from plexbook.targets import SANDBOX, resolve_target

    settings = RunSettings(
        BrowserOptions("chromium", headed), "on", 30, traces_dir, pdf, show_personal_data=show_personal_data
    )
    check_traces_dir(traces_dir)
    plan = [
        ("remove-pin", RunOptions(user="Jordan")),
        ("reset-pin", RunOptions()),
        ("managed-user-pin", RunOptions(user="Kid", mode="remove")),
    ]
    results: list[RunResult] = []
    try:
        variant = sandbox_variant_named(sandbox_variant, sandbox_seed)
        with (
            progress_display(quiet, verbose) as shown,
            signals_stop_runs(settings.stop),
            resolve_target(SANDBOX, {}, variant) as resolved,
            one_browser(settings.browser) as execute,
        ):
            settings = replace(settings, progress=shown)
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
    from plexbook.cli.tables import print_table

    typer.echo("\nEvidence:")
    print_table(
        ["Runbook", "Outcome", "Folder"],
        [[result.runbook, str(result.status), str(result.run_dir)] for result in results],
        status_column=1,
    )
    failed = [r for r in results if r.exit_code != EXIT_OK]
    raise typer.Exit(max((r.exit_code for r in failed), default=EXIT_OK))
