"""``plexbook runs``, ``report``, ``trace`` and ``evidence verify``: past runs and their evidence."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from plexbook.cli.common import EnvFileOption, TracesDirOption, fail
from plexbook.errors import EXIT_FLOW_FAILED

RunArg = Annotated[str, typer.Argument(help="A run folder, a run id (or its start), or 'last'.")]
#: A run folder's name: its UTC start, its runbook and a short random id (``recorder.new_run_dir``).
_RUN_FOLDER = re.compile(r"^(?P<started>\d{8}T\d{6}Z)-(?P<runbook>[a-z0-9-]+)-[0-9a-f]{6}$")
#: What `runs` says of a run folder with no manifest.
UNFINISHED = (
    "no ending recorded: the run is still going, or its process was killed or its disk filled before it "
    "could record one (what it changed is unknown: check Plex)"
)

evidence_app = typer.Typer(help="Check a run's evidence.", no_args_is_help=True)


def _manifest(run_dir: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((run_dir / "manifest.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _runs(traces_dir: Path, *, unfinished: bool = False) -> list[Path]:
    """Run folders, newest first (their names start with the UTC time); with ``unfinished``,
    also those with no manifest yet (a run still going, or one whose process was killed)."""
    if not traces_dir.is_dir():
        return []

    def listed(path: Path) -> bool:
        if (path / "manifest.json").is_file():
            return True
        return unfinished and path.is_dir() and _RUN_FOLDER.match(path.name) is not None

    return sorted((p for p in traces_dir.iterdir() if listed(p)), reverse=True)


def find_run(run: str, traces_dir: Path) -> Path:
    """A run folder from a path, a run id or a prefix of one, or 'last'."""
    as_path = Path(run)
    if (as_path / "manifest.json").is_file():
        return as_path
    if as_path.is_dir():
        if _RUN_FOLDER.match(as_path.name):
            fail(f"{as_path} has no manifest.json: {UNFINISHED}")
        fail(f"{as_path} is not a run folder (no manifest.json)")
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


def _run_summary(run_dir: Path) -> dict[str, Any]:
    """One past run as `runs --json` gives it."""
    m = _manifest(run_dir)
    named = _RUN_FOLDER.match(run_dir.name)
    if not m and named:
        # Only the folder's name says when the run started and what it ran.
        started = datetime.strptime(named["started"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        m = {"started": started.isoformat(timespec="seconds"), "runbook": named["runbook"]}
        m["outcome"] = {"status": "unfinished", "message": UNFINISHED}
    outcome = m.get("outcome") or {}
    return {
        "run_id": run_dir.name,
        "folder": str(run_dir),
        "started": m.get("started"),
        "ended": m.get("ended"),
        "runbook": m.get("runbook"),
        "user": m.get("user"),
        "target": m.get("target"),
        "rehearsal": bool(m.get("rehearsal")),
        "status": outcome.get("status"),
        "exit_code": outcome.get("exit_code"),
        "message": outcome.get("message"),
        "trace": bool(m.get("trace")),
    }


def runs(
    traces_dir: TracesDirOption = Path("traces"),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list, for scripts.")] = False,
) -> None:
    """List past runs, newest first: time, runbook, user, target, outcome, folder.

    A run folder with no manifest shows as unfinished: a run still going, or one whose process
    was killed before it could record how it ended.

    Example:

        plexbook runs

        plexbook runs --json | jq '.[] | select(.exit_code != 0) | .folder'
    """
    found = _runs(traces_dir, unfinished=True)
    if as_json:
        typer.echo(json.dumps([_run_summary(run_dir) for run_dir in found], indent=2))
        return
    if not found:
        typer.echo(f"No runs in {traces_dir}.")
        return
    from plexbook.cli.tables import print_table

    rows = []
    for run_dir in found:
        run = _run_summary(run_dir)
        kind = " (rehearsal)" if run["rehearsal"] else ""
        target = (run["target"] or "?").split(" ")[0]
        status = f"{run['status'] or '?'}{kind}"
        rows.append([run["started"] or "?", run["runbook"] or "?", run["user"] or "-", target, status, str(run_dir)])
    print_table(["Started (UTC)", "Runbook", "User", "Target", "Outcome", "Folder"], rows, status_column=4)


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
    if open_ and not _open(path):
        typer.echo(f"No display to open it on here: copy {path} to a machine with a browser, or open it there.")


def _open(path: Path) -> bool:
    """Open ``path`` with the desktop's default app; False where there is no desktop to open it on
    (asked first, so that xdg-open's complaints never reach the terminal)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    return typer.launch(str(path.resolve())) == 0


def trace(
    run: RunArg = "last",
    traces_dir: TracesDirOption = Path("traces"),
    host: Annotated[
        str | None, typer.Option(help="Serve the viewer on this address instead of opening a window (e.g. 0.0.0.0).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Serve the viewer on this port (0 picks a free one); implies serving.")
    ] = None,
) -> None:
    """Open a run's trace in Playwright's trace viewer.

    Where Playwright's own Chromium is not installed, or with --host or --port, the viewer
    is served over HTTP instead (its address is printed) for any browser to open: with a
    fixed --port, a tunnel (ssh -L 9323:localhost:9323 ...) can be set up in advance.

    Example:

        plexbook trace last

        plexbook trace last --port 9323
    """
    path = find_run(run, traces_dir) / "trace.zip"
    if not path.is_file():
        fail(f"{path.parent} kept no trace (see its manifest's trace_mode)")
    command = [sys.executable, "-m", "playwright", "show-trace"]
    if host is not None or port is not None or not _playwright_chromium_installed():
        command += ["--host", host or "127.0.0.1", "--port", str(port if port is not None else 0)]
        typer.echo("Serving the trace viewer; Ctrl+C stops it.")
    raise typer.Exit(subprocess.call([*command, str(path)]))


def _playwright_chromium_installed() -> bool:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        return Path(playwright.chromium.executable_path).is_file()


@evidence_app.command("verify")
def verify(
    run: RunArg,
    traces_dir: TracesDirOption = Path("traces"),
    env_file: EnvFileOption = None,
) -> None:
    """Re-hash every artifact against the manifest and scan them all for secrets.

    The secrets looked for are those set in the environment or .env (PLEX_PASSWORD,
    PLEX_TOKEN, PLEX_PIN, PLEX_NEW_PIN, PLEX_TOTP_SECRET and the codes it gave during
    the run, PLEX_OTP), and for a run on the embedded sandbox every secret of its demo
    household, in clear, URL-encoded, JSON-escaped and base64, inside zip entries and
    embedded images too. Exits 1 naming each changed, missing or leaking file.

    Example:

        plexbook evidence verify last

        plexbook evidence verify traces/20261127T101500Z-remove-pin-1a2b3c
    """
    from plexbook.config import load_environment, secret_names
    from plexbook.evidence import environment_secrets, totp_codes_around, verify_run

    run_dir = find_run(run, traces_dir)
    environ = load_environment(env_file)
    secrets = environment_secrets(environ, secret_names(environ))
    manifest = _manifest(run_dir)
    if str(manifest.get("target", "")).startswith("sandbox"):
        from plexbook.sandbox.demo import demo_household_secrets

        secrets.update(demo_household_secrets())
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
