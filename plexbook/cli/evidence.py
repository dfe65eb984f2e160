"""``plexbook runs``, ``report``, ``trace`` and ``evidence verify``: past runs and their evidence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from plexbook.cli.common import TracesDirOption, fail
from plexbook.errors import EXIT_FLOW_FAILED

RunArg = Annotated[str, typer.Argument(help="A run folder, a run id (or its start), or 'last'.")]

evidence_app = typer.Typer(help="Check a run's evidence.", no_args_is_help=True)


def _manifest(run_dir: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((run_dir / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _runs(traces_dir: Path) -> list[Path]:
    """Run folders, newest first (their names start with the UTC time)."""
    if not traces_dir.is_dir():
        return []
    return sorted((p for p in traces_dir.iterdir() if (p / "manifest.json").is_file()), reverse=True)


def find_run(run: str, traces_dir: Path) -> Path:
    """A run folder from a path, a run id or a prefix of one, or 'last'."""
    as_path = Path(run)
    if (as_path / "manifest.json").is_file():
        return as_path
    runs = _runs(traces_dir)
    if run == "last":
        if not runs:
            fail(f"no runs in {traces_dir}")
        return runs[0]
    matches = [p for p in runs if p.name.startswith(run)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        fail(f"no run {run!r} in {traces_dir} (see `plexbook runs`)")
    fail(f"{run!r} names {len(matches)} runs; give more of the id")


def runs(traces_dir: TracesDirOption = Path("traces")) -> None:
    """List past runs, newest first: time, runbook, user, target, outcome, folder.

    Example:

        plexbook runs
    """
    found = _runs(traces_dir)
    if not found:
        typer.echo(f"No runs in {traces_dir}.")
        return
    for run_dir in found:
        m = _manifest(run_dir)
        outcome = (m.get("outcome") or {}).get("status", "?")
        kind = " (rehearsal)" if m.get("rehearsal") else ""
        typer.echo(
            f"{m.get('started', '?'):<25} {m.get('runbook', '?'):<17} {m.get('user') or '-':<10} "
            f"{(m.get('target') or '?').split(' ')[0]:<8} {outcome + kind:<24} {run_dir}"
        )


def report(
    run: RunArg = "last",
    open_: Annotated[bool, typer.Option("--open", help="Open the report in your browser.")] = False,
    traces_dir: TracesDirOption = Path("traces"),
) -> None:
    """Print the path of a run's report.html (and open it with --open).

    Example:

        plexbook report last --open
    """
    path = find_run(run, traces_dir) / "report.html"
    if not path.is_file():
        fail(f"{path} does not exist")
    typer.echo(path)
    if open_:
        typer.launch(str(path.resolve()))


def trace(
    run: RunArg = "last",
    traces_dir: TracesDirOption = Path("traces"),
) -> None:
    """Open a run's trace in Playwright's trace viewer.

    Where Playwright's own Chromium is not installed, the viewer is served on a local
    port instead and opened in your default browser (its address is printed).

    Example:

        plexbook trace last
    """
    path = find_run(run, traces_dir) / "trace.zip"
    if not path.is_file():
        fail(f"{path.parent} kept no trace (see its manifest's trace_mode)")
    command = [sys.executable, "-m", "playwright", "show-trace"]
    if not _playwright_chromium_installed():
        command += ["--host", "127.0.0.1", "--port", "0"]
        typer.echo("Serving the trace viewer locally; Ctrl+C stops it.")
    raise typer.Exit(subprocess.call([*command, str(path)]))


def _playwright_chromium_installed() -> bool:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path).is_file()


@evidence_app.command("verify")
def verify(run_dir: Annotated[Path, typer.Argument(help="The run folder to check.")]) -> None:
    """Re-hash every artifact against the manifest and scan them all for secrets.

    The secrets looked for are those set in the environment or .env (PLEX_PASSWORD,
    PLEX_TOKEN, PLEX_PIN, PLEX_NEW_PIN, PLEX_TOTP_SECRET and the codes it gave during
    the run, PLEX_OTP), in clear, URL-encoded, JSON-escaped and base64, inside zip entries
    and embedded images too. Exits 1 naming each changed, missing or leaking file.

    Example:

        plexbook evidence verify traces/20261127T101500Z-remove-pin-1a2b3c
    """
    from plexbook.config import load_environment, secret_names
    from plexbook.evidence import environment_secrets, totp_codes_around, verify_run

    if not (run_dir / "manifest.json").is_file():
        fail(f"{run_dir} is not a run folder (no manifest.json)")
    environ = load_environment()
    secrets = environment_secrets(environ, secret_names(environ))
    manifest = _manifest(run_dir)
    if secrets.get("PLEX_TOTP_SECRET"):
        for i, code in enumerate(
            totp_codes_around(secrets["PLEX_TOTP_SECRET"], manifest.get("started"), manifest.get("ended"))
        ):
            secrets[f"2FA code {i + 1} from PLEX_TOTP_SECRET"] = code
    findings = verify_run(run_dir, secrets)
    if findings:
        for finding in findings:
            typer.secho(f"FAIL {finding}", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_FLOW_FAILED)
    count = len(manifest.get("artifacts", []))
    names = ", ".join(sorted(secrets)) or "none set in the environment"
    typer.echo(f"OK {run_dir}: {count} artifacts match the manifest; no secret found (looked for: {names})")
