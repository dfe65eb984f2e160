"""Where a trace waits, unscrubbed, before its scrubbed copy enters the run folder.

Playwright records a trace into files as the run goes (what was typed, request bodies), and
each run's chunk is saved to a zip before it is scrubbed. Both go into folders of the
system's temporary folder named ``plexbook-unscrubbed-<pid>-*``, readable by their owner
only: a chunk's folder is removed once its copy is scrubbed, the browser's once the browser
has closed. A process killed outright (SIGKILL, a CI job's
time limit, a machine that loses power) removes nothing: the next plexbook command that
starts a browser removes every such folder whose process is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "plexbook-unscrubbed-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-")
#: Where no process can be asked whether it still runs (Windows), a folder this old is taken
#: for a leftover: no run lasts a day.
_ABANDONED_AFTER_S = 24 * 3600


def new_folder() -> Path:
    """A new private folder for this process's unscrubbed trace files."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))


@contextmanager
def browser_traces() -> Iterator[Path | None]:
    """A new folder for a browser's traces, removed when the block ends (after the browser has
    closed). None if it cannot be made (a full disk, say): Playwright's default folder then,
    whose launch says what is wrong with the temporary folder."""
    try:
        folder: Path | None = new_folder()
    except OSError:
        folder = None
    try:
        yield folder
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def sweep(parent: Path | None = None) -> list[Path]:
    """Remove what killed processes left (their folders in ``parent``, the temporary folder by
    default); returns the folders removed. Other users' folders and live processes' are left."""
    parent = parent or Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return removed
    for folder in candidates:
        match = _NAME.match(folder.name)
        if match is None or not _left_behind(folder, int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def _left_behind(folder: Path, pid: int) -> bool:
    try:
        info = folder.stat()
    except OSError:
        return False
    if os.name != "posix":
        # os.kill(pid, 0) would end the process there, not ask about it.
        return time.time() - info.st_mtime > _ABANDONED_AFTER_S
    if info.st_uid != os.getuid() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, under another user
    return False
