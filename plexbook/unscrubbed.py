"""Where a trace waits, unscrubbed, before its scrubbed copy enters the run folder.

Playwright records a trace into files as the run goes (what was typed, request bodies), and
each run's chunk is saved to a zip before it is scrubbed. Both go into folders of the
system's temporary folder named ``plexbook-unscrubbed-<pid>-<pid space>-*``, readable by
their owner only: a chunk's folder is removed once its copy is scrubbed, the browser's once
the browser has closed. When Playwright cannot save a run's trace (its browser or driver
died), the trace is rebuilt from the browser's folder (:func:`recover_trace`). A process
killed outright (SIGKILL, a CI job's time limit, a machine that loses power) removes nothing:
the next plexbook command that starts a browser removes every such folder whose process is
gone.

A process id means something only among the processes that share it: containers that share
one temporary folder but not their processes each have their own. So the name also says which
processes its id belongs to (the process-id namespace, on Linux), and a folder from another
is taken for a leftover only once nothing has been written in it for a day, as where no
process can be asked at all.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "plexbook-unscrubbed-"
_NAME = re.compile(re.escape(PREFIX) + r"(\d+)-(\d+)-")
#: Where no process can be asked whether it still runs (Windows, or a process of another
#: container), a folder this old is taken for a leftover: no run lasts a day.
_ABANDONED_AFTER_S = 24 * 3600


def pid_space() -> int:
    """Which processes this process's id is told apart among: its process-id namespace on
    Linux, 0 where there is no such thing to read."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def name_prefix(pid: int, space: int) -> str:
    """How the folders of process ``pid`` (of process-id space ``space``) are named."""
    return f"{PREFIX}{pid}-{space}-"


def new_folder() -> Path:
    """A new private folder for this process's unscrubbed trace files."""
    return Path(tempfile.mkdtemp(prefix=name_prefix(os.getpid(), pid_space())))


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
    default); returns the folders removed. Other users' folders and live processes' are left,
    and those of another process-id space until nothing has been written in them for a day."""
    parent = parent or Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = [p for p in parent.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return removed
    space = pid_space()
    for folder in candidates:
        match = _NAME.match(folder.name)
        # A name that does not say its process's space (an older plexbook's) is another's.
        pid = int(match.group(1)) if match is not None and int(match.group(2)) == space else None
        if not _left_behind(folder, pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed


def _left_behind(folder: Path, pid: int | None) -> bool:
    """Whether ``folder`` is a leftover; ``pid`` is its process's id, None if it cannot be asked."""
    try:
        info = folder.stat()
    except OSError:
        return False
    if os.name == "posix" and info.st_uid != os.getuid():
        return False
    if pid is None or os.name != "posix":
        # os.kill(pid, 0) would end the process on Windows, not ask about it.
        return time.time() - _last_written(folder, info.st_mtime) > _ABANDONED_AFTER_S
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, under another user
    return False


def _last_written(folder: Path, own: float) -> float:
    """When anything in ``folder`` last changed: a live run writes into its subfolders."""
    latest = own
    try:
        for path in folder.rglob("*"):
            latest = max(latest, path.lstat().st_mtime)
    except OSError:
        pass
    return latest


#: Where Playwright keeps a trace's files besides its events, as it records: snapshots'
#: resources and response bodies, screencast frames, screenshots, ARIA snapshots.
_TRACE_FILE_FOLDERS = ("resources", "screencast", "screenshots", "aria")


def recover_trace(folder: Path, name: str, into: Path) -> bool:
    """Rebuild, at ``into``, the trace Playwright was recording under ``name`` into ``folder``,
    for when it can no longer save it itself (its browser or its driver is gone); False if
    ``folder`` holds no such trace.

    Playwright writes a trace's events and files as it records (``tracing.start(name=...)``
    names them), and saving one only zips them. Rebuilt here, the zip holds what had reached the
    disk: a last event cut off mid-line is left out, and so are the events the driver held back
    when it was killed. Like a saved one, it is unscrubbed, and goes where saved ones go.
    """
    events = _whole_lines(folder / f"{name}.trace")
    if not events:
        return False
    network = _whole_lines(folder / f"{name}.network")
    named = events + network
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trace.trace", events)
        archive.writestr("trace.network", network)
        for kind in _TRACE_FILE_FOLDERS:
            try:
                files = sorted((folder / kind).iterdir())
            except OSError:
                continue
            # Only what this trace's events or requests name: the folder also holds earlier runs'.
            for path in files:
                if path.name.encode() in named:
                    archive.write(path, f"{kind}/{path.name}")
    return True


def _whole_lines(path: Path) -> bytes:
    """The complete lines of ``path`` (nothing after its last newline); empty if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return b""
    return data[: data.rfind(b"\n") + 1]
