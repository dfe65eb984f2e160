"""``plexbook batch``: the rows of a plan across accounts and targets, several browsers at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plexbook.cli.common import (
    BrowserEndpointOption,
    CdpEndpointOption,
    SandboxSeedOption,
    SandboxVariantOption,
    TimeoutOption,
    TracesDirOption,
    browser_options_for,
    check_trace_and_timeout,
    check_traces_dir,
    fail,
    interrupt_code,
    sandbox_variant_named,
)
from plexbook.errors import BadInput, Interrupted

if TYPE_CHECKING:
    from plexbook.batch import BatchRun


def batch(
    plan: Annotated[Path, typer.Argument(help="The plan: a CSV file with a header row (see below).")],
    workers: Annotated[int, typer.Option(help="How many browsers run groups of rows at once.")] = 1,
    stop_on_failure: Annotated[
        bool, typer.Option("--stop-on-failure", help="Stop at the first run that fails; the rest are not run.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Allow rows on --target live to commit (a batch never stops to ask).")
    ] = False,
    trace: Annotated[str, typer.Option(help="Keep each run's Playwright trace: on, off or retain-on-failure.")] = "on",
    timeout: TimeoutOption = 30,
    traces_dir: TracesDirOption = Path("traces"),
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    browser_endpoint: BrowserEndpointOption = None,
    cdp_endpoint: CdpEndpointOption = None,
) -> None:
    """Run the rows of a plan, each as `plexbook run` would, and write an index of the runs.

    The plan is a CSV file with a header row. Columns (only runbook is required): runbook;
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

        runbook,user,target,env
        remove-pin,Jordan,live,alex.env
        managed-user-pin,Kid,live,alex.env
        remove-pin,Sam,live,casey.env
    """
    from plexbook.batch import Batch, confirm_live, read_plan, worst
    from plexbook.config import load_environment
    from plexbook.engine import RunSettings
    from plexbook.interrupts import signals_stop_runs

    if workers < 1:
        fail("--workers must be 1 or more")
    check_trace_and_timeout(trace, timeout)
    browser = browser_options_for("chromium", False, 0, browser_endpoint, cdp_endpoint)
    settings = RunSettings(browser, trace, timeout, traces_dir)  # type: ignore[arg-type]
    check_traces_dir(traces_dir)
    try:
        rows = read_plan(plan)
        confirm_live(rows, yes)
        variant = (
            sandbox_variant_named(sandbox_variant, sandbox_seed) if any(r.target == "sandbox" for r in rows) else None
        )
        job = Batch(rows, settings, load_environment(), workers, stop_on_failure, variant, on_result=_said)
        groups = len(job.groups())
        typer.echo(f"{len(rows)} runs in {groups} group(s) (one sign-in each), {min(workers, groups)} at a time")
        with signals_stop_runs(settings.stop):
            runs = job.run()
    except BadInput as bad:
        fail(str(bad))
    except (KeyboardInterrupt, Interrupted) as stopped:
        fail("interrupted before the batch started; nothing was done", code=interrupt_code(stopped))
    index = job.write_index()
    typer.echo("\nSummary:")
    for run in runs:
        status = str(run.result.status) if run.result is not None else "not run"
        where = str(run.result.run_dir) if run.result is not None else ""
        who = run.row.user or "owner"
        typer.echo(f"  line {run.row.line:<3} {run.row.runbook:<17} {who:<12} {status:<13} {where}")
    typer.echo(f"Index: {index}")
    raise typer.Exit(worst(runs))


def _said(run: BatchRun) -> None:
    """One line as each run ends: runs end in any order when workers run side by side."""
    result = run.result
    if result is None:
        return
    color = typer.colors.GREEN if result.exit_code == 0 else typer.colors.RED
    typer.secho(f"{run.row.describe()}: {result.status} - {result.message}", fg=color)
