"""The ``plexbook`` command: what happens around the typer app, for a quicker start and end.

- A command that drives a browser in this thread (``run``, ``demo``, ``check``) starts
  Playwright's driver before anything else, and a second thread imports the command line and
  the engine meanwhile: Node loading Playwright (about 0.3 s) and Python importing plexbook
  (about 0.2 s) overlap on two cores. The command's browser session takes that driver.
- The process ends once its exit handlers have run and its output is flushed, without the
  interpreter's teardown of every module a run loaded (50 to 70 ms of nothing a run needs).

docs/performance.md has the measurements.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

#: Commands whose browser runs in the main thread (``batch`` runs its browsers in workers).
BROWSER_COMMANDS = frozenset({"run", "demo", "check"})
#: Arguments that make a browser command print and stop, or complete the shell's words.
_NO_BROWSER = frozenset({"-h", "--help", "-V", "--version"})


def main() -> None:
    """Run the ``plexbook`` command line (the console script and ``python -m plexbook``)."""
    ending: list[int] = []
    # Registered before anything else is imported, so it runs after every other exit handler.
    atexit.register(_end_now, ending)
    try:
        if drives_browser(sys.argv[1:]):
            _with_driver_ahead()
        else:
            _app()
    except SystemExit as done:
        ending.append(_exit_code(done.code))
        raise


def drives_browser(argv: list[str]) -> bool:
    """Whether ``argv`` runs a command that drives a browser in the main thread (not its help)."""
    if "_PLEXBOOK_COMPLETE" in os.environ or _NO_BROWSER.intersection(argv):
        return False
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    return command in BROWSER_COMMANDS


def _with_driver_ahead() -> None:
    # Playwright's own modules (through plexbook.browser) load before the other thread starts,
    # uncontended: the driver then starts as early as it can.
    from plexbook.browser import playwright_ahead

    importer = threading.Thread(target=_import_command, name="plexbook-imports", daemon=True)
    importer.start()
    with playwright_ahead():
        importer.join()
        _app()


def _import_command() -> None:
    import plexbook.cli.main
    import plexbook.cli.tables  # the summary a browser command prints at its end, and rich's console
    import plexbook.engine

    plexbook.engine.load_run_modules()


def _app() -> None:
    from plexbook.cli.main import app

    app(prog_name="plexbook")


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _end_now(ending: list[int]) -> None:
    """End the process with the command's exit code once every other exit handler has run.

    Only after a SystemExit: any other way out keeps Python's own ending and report. Threads
    other than daemons have been waited for by then, as Python always does first.
    """
    if not ending:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(ending[0])
