"""``plexbook check``: rehearse every runbook for each kind of user, change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plexbook.baselines import BASELINES, StructureMode
from plexbook.browser import BrowserOptions
from plexbook.check import CASES, CaseResult, exit_code, run_case, table, write_junit
from plexbook.cli.common import (
    HeadedOption,
    SandboxSeedOption,
    SandboxVariantOption,
    TargetOption,
    TimeoutOption,
    TracesDirOption,
    fail,
    sandbox_variant_named,
)
from plexbook.config import SecretSource, Target, load_environment, parse_target
from plexbook.engine import RunSettings, demo_secrets, embedded_sandbox
from plexbook.errors import BadInput


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
    baselines: Annotated[Path, typer.Option(help="The folder of structure baselines (*.aria.yml).")] = BASELINES,
    timeout: TimeoutOption = 15,
    headed: HeadedOption = False,
    traces_dir: TracesDirOption = Path("traces"),
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
    if strict_baselines and update_baselines:
        fail("choose one of --strict-baselines and --update-baselines")
    mode: StructureMode = "update" if update_baselines else "strict" if strict_baselines else "warn"
    settings = RunSettings(BrowserOptions("chromium", headed), "on", timeout, traces_dir)
    environ = load_environment()
    results: list[CaseResult] = []
    try:
        chosen = parse_target(target, environ)
        if chosen == "sandbox":
            with embedded_sandbox(sandbox_variant_named(sandbox_variant, sandbox_seed)) as server:
                sandbox_target = Target.at(server.base_url, kind="sandbox")
                for case in CASES:
                    secrets = demo_secrets(server.state.household, case.options)
                    results.append(run_case(case, sandbox_target, secrets, settings.request, mode, baselines))
        else:
            assert isinstance(chosen, Target)
            for case in CASES:
                secrets = SecretSource.from_environment(environ)
                results.append(run_case(case, chosen, secrets, settings.request, mode, baselines))
    except BadInput as bad:
        fail(str(bad))
    typer.echo(table(results))
    for result in results:
        for warning in result.warnings:
            typer.secho(f"warning: {result.case.case_id}: {warning}", fg=typer.colors.YELLOW)
        if result.status == "failed":
            typer.secho(f"FAIL {result.case.case_id}: {result.message}", fg=typer.colors.RED, err=True)
            if result.drift is not None:
                typer.echo(f"  drift report: {result.run_dir}/drift.md")
        elif result.status == "skipped":
            typer.echo(f"skipped {result.case.case_id}: {result.message}")
    if mode == "update":
        typer.echo("Baselines rewritten from this target (review the diff before committing).")
    if junit is not None:
        write_junit(results, junit)
        typer.echo(f"JUnit: {junit}")
    raise typer.Exit(exit_code(results))
