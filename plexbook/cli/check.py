"""``plexbook check``: rehearse every runbook for each kind of user, change nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plexbook.cli.common import (
    BrowserEndpointOption,
    CdpEndpointOption,
    EnvFileOption,
    HeadedOption,
    SandboxSeedOption,
    SandboxVariantOption,
    ShowPersonalDataOption,
    TargetOption,
    TimeoutOption,
    TracesDirOption,
    browser_options_for,
    check_traces_dir,
    fail,
    interrupt_code,
    sandbox_variant_for,
)
from plexbook.cli.progress import QuietOption, VerboseOption, progress_display
from plexbook.errors import BadInput, Interrupted

if TYPE_CHECKING:
    from plexbook.baselines import StructureMode
    from plexbook.check import CaseResult


def check(
    target: TargetOption = "sandbox",
    sandbox_variant: SandboxVariantOption = "classic",
    sandbox_seed: SandboxSeedOption = None,
    junit: Annotated[Path | None, typer.Option(help="Also write the results as a JUnit XML file.")] = None,
    strict_baselines: Annotated[
        bool, typer.Option("--strict-baselines", help="A screen that differs from its baseline fails the check.")
    ] = False,
    update_baselines: Annotated[
        bool, typer.Option("--update-baselines", help="Rewrite the structure baselines from this target.")
    ] = False,
    baselines: Annotated[
        Path | None,
        typer.Option(
            help="The folder of structure baselines (*.aria.yml). Default: your own, written by --update-baselines "
            "into your data folder, else the ones plexbook ships."
        ),
    ] = None,
    timeout: TimeoutOption = 15,
    headed: HeadedOption = False,
    traces_dir: TracesDirOption = Path("traces"),
    browser_endpoint: BrowserEndpointOption = None,
    cdp_endpoint: CdpEndpointOption = None,
    runbook: Annotated[
        list[str] | None,
        typer.Option("--runbook", help="Check only this runbook's cases (repeatable; default: every runbook)."),
    ] = None,
    env_file: EnvFileOption = None,
    quiet: QuietOption = False,
    verbose: VerboseOption = False,
    show_personal_data: ShowPersonalDataOption = False,
    as_json_: Annotated[bool, typer.Option("--json", help="Print the results as JSON on stdout, for scripts.")] = False,
) -> None:
    """Regression-check the Plex UI flows without changing anything.

    Rehearses remove-pin for the account owner (with PLEX_PIN; without it, up to the Confirm
    Current PIN dialog), managed-user-pin --set and --remove for a managed user, and reset-pin
    (needs PLEX_PASSWORD): every step up to the committing click, which is checked and
    cancelled, then proof that nothing changed. Each screen is compared with its structure
    baseline; a difference is a warning unless --strict-baselines. A failure leaves a drift
    report (drift.md) naming the page-object locator that no longer finds anything.
    Exits 0 when every case passes (or is skipped).

    Example:

        plexbook check --target live --junit reports/plexbook.xml
    """
    from plexbook.baselines import baselines_folder
    from plexbook.check import CASES, TABLE_HEADERS, as_json, exit_code, run_case, table_rows, write_junit
    from plexbook.cli.tables import print_table
    from plexbook.config import load_environment
    from plexbook.engine import RunSettings, one_browser
    from plexbook.interrupts import signals_stop_runs
    from plexbook.targets import resolve_target

    unknown = [name for name in runbook or [] if name not in {case.runbook for case in CASES}]
    if unknown:
        fail(f"unknown runbook {unknown[0]!r}; choose among: {', '.join(dict.fromkeys(c.runbook for c in CASES))}")
    cases = [case for case in CASES if not runbook or case.runbook in runbook]
    if strict_baselines and update_baselines:
        fail("choose one of --strict-baselines and --update-baselines")
    mode: StructureMode = "update" if update_baselines else "strict" if strict_baselines else "warn"
    folder = baselines_folder(baselines, mode)
    environ = load_environment(env_file)
    browser = browser_options_for("chromium", headed, 0, browser_endpoint, cdp_endpoint, environ)
    settings = RunSettings(browser, "on", timeout, traces_dir, show_personal_data=show_personal_data)
    check_traces_dir(traces_dir)
    results: list[CaseResult] = []
    try:
        variant = sandbox_variant_for(target, sandbox_variant, sandbox_seed)
        with (
            progress_display(quiet, verbose) as shown,
            signals_stop_runs(settings.stop),
            resolve_target(target, environ, variant) as resolved,
            one_browser(settings.browser) as run,
        ):
            settings = replace(settings, progress=shown)
            for case in cases:
                secrets = resolved.secrets_for(case.options.user)
                results.append(run_case(case, resolved.target, secrets, settings.request, mode, folder, run))
                if settings.stop.exit_code is not None:
                    break
    except BadInput as bad:
        fail(str(bad))
    except (KeyboardInterrupt, Interrupted) as stopped:
        fail("interrupted before the check started; nothing was done", code=interrupt_code(stopped))
    if as_json_:
        # stdout carries the JSON alone; what a person reads goes to stderr.
        typer.echo(json.dumps(as_json(results), indent=2))
    else:
        print_table(TABLE_HEADERS, table_rows(results), status_column=2)
    for result in results:
        for warning in result.warnings:
            typer.secho(f"warning: {result.case.case_id}: {warning}", fg=typer.colors.YELLOW, err=as_json_)
        if result.status == "failed":
            typer.secho(f"FAIL {result.case.case_id}: {result.message}", fg=typer.colors.RED, err=True)
            if result.drift is not None:
                typer.echo(f"  drift report: {result.run_dir}/drift.md", err=as_json_)
        elif result.status == "skipped":
            typer.echo(f"skipped {result.case.case_id}: {result.message}", err=as_json_)
    if mode == "update":
        typer.echo(
            f"Baselines rewritten from this target in {folder}; check reads them from there from now on.", err=as_json_
        )
    if junit is not None:
        write_junit(results, junit)
        typer.echo(f"JUnit: {junit}", err=as_json_)
    raise typer.Exit(exit_code(results))
