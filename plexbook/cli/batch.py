"""``plexbook batch``: the rows of a plan across accounts and targets, several browsers at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plexbook.cli.common import (
    BrowserEndpointOption,
    CdpEndpointOption,
    EnvFileOption,
    SandboxSeedOption,
    SandboxVariantOption,
    ShowPersonalDataOption,
    TimeoutOption,
    TraceOption,
    TracesDirOption,
    browser_options_for,
    check_traces_dir,
    fail,
    interrupt_code,
    sandbox_variant_named,
)
from plexbook.cli.progress import QuietOption, VerboseOption, progress_display
from plexbook.errors import EXIT_FLOW_FAILED, BadInput, Interrupted

if TYPE_CHECKING:
    from plexbook.batch import BatchRun


def batch(
    plan: Annotated[
        Path, typer.Argument(help="The plan: a CSV file with a header row, or a YAML list of runs (see below).")
    ],
    workers: Annotated[int, typer.Option(help="How many browsers run groups of rows at once.")] = 1,
    stop_on_failure: Annotated[
        bool, typer.Option("--stop-on-failure", help="Stop at the first run that fails; the rest are not run.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Allow rows on --target live to commit (a batch never stops to ask).")
    ] = False,
    trace: TraceOption = "on",
    timeout: TimeoutOption = 30,
    traces_dir: TracesDirOption = Path("traces"),
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    browser_endpoint: BrowserEndpointOption = None,
    cdp_endpoint: CdpEndpointOption = None,
    env_file: EnvFileOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    show_personal_data: ShowPersonalDataOption = False,
) -> None:
    """Run the rows of a plan, each as `plexbook run` would, and write an index of the runs.

    The plan is a CSV file with a header row, or a YAML file (.yaml, .yml) holding a list of
    runs, each a mapping of the same columns. Columns (only runbook is required): runbook;
    user (empty: the account owner); target (sandbox, live or a URL; default sandbox); mode
    (set or remove, for managed-user-pin); rehearse (yes or no); env (a .env file with the
    account's secrets, relative to the plan; its values win over the environment).

    Rows of one account on one target run in turn in one browser context, with one sign-in;
    --workers browsers take such groups in parallel. Each run keeps its own folder; the index
    (index.json in a batch folder under --traces-dir) lists every row, how it ended and its
    run folder. A failed run stops only itself unless --stop-on-failure. Exits with the worst
    exit code of the runs (see `plexbook run --help`).

    Example:

        plexbook batch plan.csv --workers 2

    with plan.csv:

    \b
        runbook,user,target,env
        remove-pin,Jordan,live,alex.env
        managed-user-pin,Kid,live,alex.env
        remove-pin,Sam,live,casey.env

    or plan.yaml:

    \b
        - {runbook: remove-pin, user: Jordan, target: live, env: alex.env}
        - {runbook: managed-user-pin, user: Kid, target: live, env: alex.env}
        - {runbook: remove-pin, user: Sam, target: live, env: casey.env}
    """
    from plexbook.batch import Batch, confirm_live, read_plan, worst
    from plexbook.config import load_environment
    from plexbook.engine import RunSettings
    from plexbook.interrupts import signals_stop_runs

    if workers < 1:
        fail("--workers must be 1 or more")
    environ = load_environment(env_file)
    browser = browser_options_for("chromium", False, 0, browser_endpoint, cdp_endpoint, environ)
    settings = RunSettings(browser, trace, timeout, traces_dir, show_personal_data=show_personal_data)
    check_traces_dir(traces_dir)
    try:
        rows = read_plan(plan)
        confirm_live(rows, yes)
        variant = (
            sandbox_variant_named(sandbox_variant, sandbox_seed) if any(r.target == "sandbox" for r in rows) else None
        )
        with progress_display(quiet, verbose) as shown, signals_stop_runs(settings.stop):
            watched = replace(settings, progress=shown)
            job = Batch(rows, watched, environ, workers, stop_on_failure, variant, on_result=_said)
            groups = len(job.groups())
            typer.echo(f"{len(rows)} runs in {groups} group(s) (one sign-in each), {min(workers, groups)} at a time")
            runs = job.run()
    except BadInput as bad:
        fail(str(bad))
    except (KeyboardInterrupt, Interrupted) as stopped:
        fail("interrupted before the batch started; nothing was done", code=interrupt_code(stopped))
    index: Path | None = None
    try:
        index = job.write_index()
    except OSError as exc:
        # The runs are done and told above; only their index is missing (a full disk, say).
        unwritten = exc.strerror or type(exc).__name__
    from plexbook.cli.tables import print_table

    typer.echo("\nSummary:")
    summary: list[list[str]] = []
    for run in runs:
        status = str(run.result.status) if run.result is not None else "not run"
        where = str(run.result.run_dir) if run.result is not None else ""
        summary.append([str(run.row.line), run.row.runbook, run.row.user or "owner", status, where])
    print_table(["Line", "Runbook", "User", "Outcome", "Folder"], summary, status_column=3)
    if index is None:
        fail(
            f"the batch's index could not be written ({unwritten}); the summary names each run's folder",
            code=max(worst(runs), EXIT_FLOW_FAILED),
        )
    typer.echo(f"Index: {index}")
    raise typer.Exit(worst(runs))


def _said(run: BatchRun) -> None:
    """One line as each run ends: runs end in any order when workers run side by side."""
    result = run.result
    if result is None:
        return
    color = typer.colors.GREEN if result.exit_code == 0 else typer.colors.RED
    typer.secho(f"{run.row.describe()}: {result.status} - {result.message}", fg=color)
