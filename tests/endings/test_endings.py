"""Every ending leaves true, complete, private evidence: done, refused, server error, interrupted.

After an interrupt or a server error, what the manifest says about the change is checked
against the sandbox's own state.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
import typer
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, Playwright, expect

from plexbook import report, unscrubbed
from plexbook.cli.common import check_traces_dir
from plexbook.engine import RunResult
from plexbook.evidence import verify_run
from plexbook.pages import PinResetPage
from plexbook.pages.actions import listening
from plexbook.report import write_reports
from plexbook.runbooks import remove_pin
from plexbook.sandbox import SandboxServer, variant
from plexbook.scrub import Scrubber, redact_field_values
from tests.conftest import ALEX, launched_browsers, playwright_drivers, run_cli, run_flow, trace_viewer

ALEX_SECRETS = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}
JORDAN = {**ALEX_SECRETS, "PLEX_PIN": "2468"}
EVERY_SECRET = {"PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468", "PLEX_NEW_PIN": "5678"}


def manifest(run_dir: Path) -> dict[str, object]:
    return json.loads((run_dir / "manifest.json").read_text())


def outcome(run_dir: Path) -> dict[str, object]:
    found = manifest(run_dir)["outcome"]
    assert isinstance(found, dict)
    return found


def assert_private_and_clean(run_dir: Path) -> None:
    """0700/0600 whatever the umask, every artifact hashed, and no secret anywhere."""
    assert run_dir.stat().st_mode & 0o777 == 0o700
    for path in run_dir.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path.name
    assert [str(f) for f in verify_run(run_dir, EVERY_SECRET)] == []


@pytest.fixture
def sandbox(classic_sandbox: SandboxServer) -> SandboxServer:
    return classic_sandbox


# -- server errors --------------------------------------------------------------------------
@pytest.mark.parametrize("made", [False, True], ids=["answered-before-the-change", "answered-after-the-change"])
def test_a_server_error_on_remove_is_never_retried_and_the_real_state_is_told(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path, made: bool
) -> None:
    route = "/api/home/users/1002"
    sandbox.faults.fail_after(route, 503) if made else sandbox.faults.fail(route, 503)
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert (result.exit_code, result.status) == (4, "server error"), result.message
    assert sandbox.faults.hits[f"PUT {route}"] == 1
    assert result.message.startswith(f"Plex answered 503 to PUT {route} after Remove was clicked")
    jordan_pin = sandbox.state.user_titled("Jordan").pin
    if made:
        assert jordan_pin is None
        assert "the change was made all the same" in result.message
        assert "do not run it again" in result.message
    else:
        assert jordan_pin == "2468"
        assert 'still shows "PIN Required" for Jordan' in result.message
        assert "safe to run again" in result.message
    assert outcome(result.run_dir)["status"] == "server error"
    assert "refused" not in result.message
    assert not (result.run_dir / "drift.json").exists()
    assert_private_and_clean(result.run_dir)


def test_a_server_error_on_the_pin_check_is_not_a_refusal(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.faults.fail("/api/v2/home/users/1002/pin/verify", 503)
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert result.exit_code == 4, result.message
    assert "Plex answered 503 to POST /api/v2/home/users/1002/pin/verify at step 3" in result.message
    assert "nothing was committed, so it is safe to run again" in result.message
    assert "refused" not in result.message
    assert sandbox.state.user_titled("Jordan").pin == "2468"
    assert_private_and_clean(result.run_dir)


def test_a_server_error_on_update_is_not_drift(playwright: Playwright, sandbox: SandboxServer, tmp_path: Path) -> None:
    sandbox.faults.fail("/api/v2/user/pin/reset", 503)
    result = run_flow(playwright, sandbox, tmp_path, "reset-pin", {**ALEX_SECRETS, "PLEX_NEW_PIN": "5678"}, trace="on")
    assert result.exit_code == 4, result.message
    assert "Plex answered 503 to POST /api/v2/user/pin/reset after Update was clicked" in result.message
    assert "the change was not made" in result.message
    assert sandbox.state.user_titled("Alex").pin == "1234"
    assert not (result.run_dir / "drift.json").exists()
    assert_private_and_clean(result.run_dir)


def test_a_playwright_error_that_is_no_wait_running_out_blames_no_locator(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page navigates under an evaluate: Playwright's words are told, not a drift report
    about the sign-in form the step only looked for in case it was asked to sign in."""

    def navigated_under(page: PinResetPage, new_pin: object, password: object) -> None:
        page.page.locator("body").evaluate("() => { location.reload(); return new Promise(() => {}); }")

    monkeypatch.setattr(PinResetPage, "choose_pin", navigated_under)
    result = run_flow(playwright, sandbox, tmp_path, "reset-pin", {**ALEX_SECRETS, "PLEX_NEW_PIN": "5678"})
    assert (result.exit_code, result.status) == (1, "failed"), result.message
    assert "Execution context was destroyed" in result.message
    assert "sign-in" not in result.message
    assert not (result.run_dir / "drift.json").exists()
    assert sandbox.state.user_titled("Alex").pin == "1234"
    assert_private_and_clean(result.run_dir)


def test_a_cut_sign_in_says_the_connection_was_cut(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    sandbox.faults.drop_connection("/api/v2/users/signin")
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert result.exit_code == 4, result.message
    assert "the connection to Plex was cut during POST /api/v2/users/signin at step 1" in result.message
    assert "Cannot read properties" not in result.message
    assert_private_and_clean(result.run_dir)


def test_a_browser_crash_leaves_a_complete_true_manifest(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    crashed: list[bool] = []

    def crash_before_edit_pin(locator: Locator) -> None:
        if not crashed and "(Edit|Set) PIN" in str(locator):
            crashed.append(True)
            try:
                locator.page.goto("chrome://crash", timeout=5000)
            except PlaywrightError:
                pass  # "page crashed": what was asked for

    with listening(crash_before_edit_pin):
        result = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert crashed
    assert result.exit_code == 1, result.message
    assert "the browser closed or crashed" in result.message
    assert "nothing was committed, so it is safe to run again" in result.message
    assert sandbox.state.user_titled("Jordan").pin == "2468"
    told = outcome(result.run_dir)
    assert told["status"] == "failed"
    assert told["message"] == result.message
    assert_private_and_clean(result.run_dir)


def trace_events(trace: Path) -> list[dict[str, object]]:
    with zipfile.ZipFile(trace) as archive:
        return [json.loads(line) for line in archive.read("trace.trace").splitlines()]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the browser's process through /proc")
def test_a_browser_killed_mid_run_leaves_the_trace_it_had_recorded(
    playwright: Playwright, page: Page, sandbox: SandboxServer, tmp_path: Path
) -> None:
    # The out-of-memory killer, say, takes the browser after the PIN was typed, before Remove.
    # Playwright can no longer save the trace; what the browser recorded is still on disk.
    before = launched_browsers(os.getpid())
    killed: list[int] = []

    def kill_before_remove(locator: Locator) -> None:
        if not killed and "Remove" in str(locator):
            killed.extend(launched_browsers(os.getpid()) - before)
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    with listening(kill_before_remove):
        result = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert len(killed) == 1
    assert result.exit_code == 1, result.message
    assert "the browser closed or crashed" in result.message
    assert sandbox.state.user_titled("Jordan").pin == "2468"
    found = manifest(result.run_dir)
    assert found["trace"] == "trace.zip"
    rebuilt = "it was rebuilt from the files the browser recorded it into"
    assert any(rebuilt in str(note) for note in found["notes"])  # type: ignore[union-attr]
    # Both reports say so, the one pasted into a ticket too.
    for report_file in ("report.html", "report.md"):
        assert rebuilt in (result.run_dir / report_file).read_text()
    events = trace_events(result.run_dir / "trace.zip")
    groups = [e["title"] for e in events if e.get("method") == "tracingGroup"]
    assert [str(title).split(".")[0] for title in groups] == ["1", "2", "3", "4"]
    typed = [e for e in events if e.get("method") == "type"]
    assert typed, "the PIN's typing is in the trace"
    with zipfile.ZipFile(result.run_dir / "trace.zip") as archive:
        frames = [str(e["file"]) for e in events if e["type"] == "screencast-frame"]
        assert frames
        assert set(frames) <= set(archive.namelist())
    # Scrubbed like a saved trace: the PIN it typed is nowhere.
    assert_private_and_clean(result.run_dir)
    # And it opens in Playwright's trace viewer, up to the call the browser died in.
    with trace_viewer(result.run_dir / "trace.zip") as url:
        page.goto(url)
        actions = page.get_by_role("treeitem")
        expect(actions.filter(has_text="3. Enter your current PIN")).to_have_count(1)
        expect(actions.filter(has_text="4. Finally, click on Remove.")).to_have_count(1)


def test_a_fault_of_plexbook_s_own_after_the_commit_claims_nothing_it_did_not_check(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def faulty_outcome_check(flow: object, *, protected: bool) -> str:
        raise RuntimeError("a fault in plexbook itself")

    monkeypatch.setattr(remove_pin, "verify_pin_state", faulty_outcome_check)
    with pytest.raises(RuntimeError, match="a fault in plexbook itself"):
        run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert sandbox.state.user_titled("Jordan").pin is None  # Remove was clicked
    (run_dir,) = (tmp_path / "traces").iterdir()
    told = outcome(run_dir)
    assert (told["status"], told["exit_code"]) == ("failed", 1)
    assert told["message"] == (
        "plexbook stopped on an unexpected error at step 5 (RuntimeError: a fault in plexbook itself) "
        "after Remove was clicked; whether the change was made was not checked: look at Plex Home"
    )
    assert manifest(run_dir)["trace"] == "trace.zip"
    assert_private_and_clean(run_dir)


# -- interrupts -----------------------------------------------------------------------------
@pytest.fixture
def slow_sandbox(sandbox: SandboxServer) -> SandboxServer:
    """Slow enough that a signal lands inside the step it is aimed at (faults are cleared on reset)."""
    sandbox.faults.latency_ms = 150
    return sandbox


class _Terminal:
    """A pseudo-terminal for a process, read as it comes (so the process never waits on a full
    terminal) until :meth:`hang_up` closes it, as a dropped SSH connection does."""

    def __init__(self) -> None:
        self.ours, self.theirs = pty.openpty()
        self._gone = threading.Event()
        self._shown = threading.Condition()
        self.output = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._gone.is_set():
            ready, _, _ = select.select([self.ours], [], [], 0.05)
            if ready:
                try:
                    read = os.read(self.ours, 65536)
                except OSError:
                    break  # the process closed its end
                with self._shown:
                    self.output += read.decode(errors="replace")
                    self._shown.notify_all()
        os.close(self.ours)

    def wait_for(self, text: str, timeout_s: float = 60) -> None:
        with self._shown:
            assert self._shown.wait_for(lambda: text in self.output, timeout_s), self.output[-2000:]

    def hang_up(self) -> None:
        """Close the terminal (again: nothing more to do)."""
        self._gone.set()
        self._reader.join(timeout=10)


def _as_controlling_terminal() -> None:
    """In the child, after its new session began: its terminal (fd 0) becomes its controlling
    one, as a login shell's is, so a hidden prompt reads from it."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_one_ctrl_c_at_a_prompt_stops_the_run_there(sandbox: SandboxServer, tmp_path: Path) -> None:
    # PLEX_PIN is not set, so the run asks for it when step 3 needs it: nothing of the
    # browser's is under way while a person is asked, so the first Ctrl+C ends the wait.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}, **ALEX_SECRETS}
    args = ["run", "remove-pin", "--user", "Jordan", "--target", sandbox.base_url, "--traces-dir", "traces"]
    tty = _Terminal()
    process = subprocess.Popen(
        [sys.executable, "-m", "plexbook", *args],
        stdin=tty.theirs, stdout=tty.theirs, stderr=tty.theirs, cwd=tmp_path, env=env,
        start_new_session=True, preexec_fn=_as_controlling_terminal,
    )  # fmt: skip
    os.close(tty.theirs)
    try:
        tty.wait_for("The current PIN (PLEX_PIN):")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130, tty.output[-2000:]
    finally:
        if process.poll() is None:
            process.kill()
        tty.hang_up()
    (run_dir,) = (tmp_path / "traces").iterdir()
    told = outcome(run_dir)
    assert (told["status"], told["exit_code"]) == ("interrupted", 130)
    assert str(told["message"]).startswith("Interrupted at step 3 (")
    assert "nothing was committed" in str(told["message"])
    assert sandbox.state.user_titled("Jordan").pin == "2468"
    assert_private_and_clean(run_dir)


def _run_until_step(
    base_url: str,
    traces: Path,
    step: int,
    signum: int,
    *,
    group: bool = False,
    terminal: bool = False,
    temp: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``plexbook run remove-pin`` in its own process, signalled as soon as step ``step``'s screenshot exists.

    With ``group``, the signal goes to the whole process group, browser and driver included,
    as Ctrl+C at a terminal does, or a hang-up, or `timeout`. With ``terminal``, the run's
    output goes to a terminal, which hangs up right before the signal (nothing of the output
    is kept then). ``temp``: the temporary folder the run is given.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    env.update(JORDAN)
    if temp is not None:
        env["TMPDIR"] = str(temp)
    args = [
        "run",
        "remove-pin",
        "--user",
        "Jordan",
        "--target",
        base_url,
        "--traces-dir",
        str(traces),
        "--timeout",
        "10",
    ]
    tty = _Terminal() if terminal else None
    output = subprocess.PIPE if tty is None else tty.theirs
    process = subprocess.Popen(
        [sys.executable, "-m", "plexbook", *args],
        stdout=output,
        stderr=output,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=group,
    )
    if tty is not None:
        os.close(tty.theirs)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if list(traces.glob(f"*/{step:02d}-*.png")):
            if tty is not None:
                # A terminal hangs up first, then its processes hear of it: what they write
                # meanwhile fails, and the terminal no longer says it is one.
                tty.hang_up()
            if group:
                os.killpg(process.pid, signum)
            else:
                process.send_signal(signum)
            break
        time.sleep(0.02)  # polling a folder for a file another process writes: no event to wait on
    if tty is not None:
        tty.hang_up()
    stdout, stderr = process.communicate(timeout=120)
    if tty is not None:
        stderr = tty.output
    return subprocess.CompletedProcess([*args, str(process.pid)], process.returncode, stdout or "", stderr or "")


@pytest.mark.parametrize(
    ("step", "signum"),
    [
        *(pytest.param(step, signal.SIGINT, id=f"{step}-SIGINT") for step in (1, 2, 3, 4)),
        # SIGTERM takes the same path as SIGINT but for its code: the committing step here,
        # the others in the sweep (20 s of the default suite's six minutes).
        *(pytest.param(step, signal.SIGTERM, id=f"{step}-SIGTERM", marks=pytest.mark.sweep) for step in (1, 2, 3)),
        pytest.param(4, signal.SIGTERM, id="4-SIGTERM"),
    ],
)
def test_a_signal_at_any_step_leaves_a_true_manifest(
    slow_sandbox: SandboxServer, tmp_path: Path, step: int, signum: int
) -> None:
    traces = tmp_path / "traces"
    result = _run_until_step(slow_sandbox.base_url, traces, step, signum)
    assert result.returncode == 128 + signum, result.stdout + result.stderr
    (run_dir,) = traces.iterdir()
    told = outcome(run_dir)
    assert told["status"] == "interrupted"
    assert told["exit_code"] == 128 + signum
    removed = slow_sandbox.state.user_titled("Jordan").pin is None
    message = str(told["message"])
    if removed:
        assert message.startswith("Interrupted after Remove was clicked; the change was made all the same")
    else:
        assert "nothing was committed" in message or "the change was not made" in message
    assert message in result.stderr
    statuses = [s["status"] for s in manifest(run_dir)["steps"]]  # type: ignore[union-attr,index]
    assert statuses[:step] == ["passed"] * step
    assert "failed" not in statuses
    # The progress says so too: a step stopped from outside is interrupted, not failed.
    assert " failed in " not in result.stderr
    assert "Traceback" not in result.stderr
    assert_private_and_clean(run_dir)


@pytest.mark.parametrize(
    ("signum", "terminal"),
    [
        pytest.param(signal.SIGINT, False, id="ctrl-c"),
        # What `timeout`, a service manager or a CI runner sends the whole job.
        pytest.param(signal.SIGTERM, False, id="sigterm-to-the-group"),
        # An SSH connection that drops: the terminal hangs up, and writing to it fails after.
        pytest.param(signal.SIGHUP, True, id="hang-up"),
    ],
)
def test_a_signal_to_the_whole_process_group_leaves_the_evidence_true_and_whole(
    slow_sandbox: SandboxServer, tmp_path: Path, signum: int, terminal: bool
) -> None:
    # Playwright's driver gets the signal too, and must leave the stopping to plexbook: the run
    # still checks what Plex now says, and keeps its trace.
    traces = tmp_path / "traces"
    result = _run_until_step(slow_sandbox.base_url, traces, 4, signum, group=True, terminal=terminal)
    told = [manifest(run_dir)["outcome"] for run_dir in traces.iterdir() if (run_dir / "manifest.json").exists()]
    assert result.returncode == 128 + signum, f"{told}\n{result.stdout}{result.stderr}"
    (run_dir,) = traces.iterdir()
    told = outcome(run_dir)
    assert (told["status"], told["exit_code"]) == ("interrupted", 128 + signum)
    assert slow_sandbox.state.user_titled("Jordan").pin is None
    message = str(told["message"])
    assert message.startswith("Interrupted after Remove was clicked; the change was made all the same"), message
    assert manifest(run_dir)["trace"] == "trace.zip"
    assert "Traceback" not in result.stderr
    assert_private_and_clean(run_dir)
    # Nothing is left running: the browser and Playwright's driver went with the run.
    with pytest.raises(ProcessLookupError):
        os.killpg(int(result.args[-1]), 0)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the driver's process through /proc")
def test_a_driver_killed_mid_run_ends_the_run_with_its_evidence_and_no_traceback(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    # The out-of-memory killer, say: Playwright's driver ends at once, browser and all.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}, **JORDAN}
    args = ["run", "remove-pin", "--user", "Jordan", "--target", sandbox.base_url, "--traces-dir", "traces"]
    process = subprocess.Popen(
        [sys.executable, "-m", "plexbook", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert process.stderr is not None
    said = []
    for line in process.stderr:
        said.append(line)
        if "step 2/5 passed" in line:
            (driver,) = playwright_drivers(process.pid)
            os.kill(driver, signal.SIGKILL)
            break
    stdout, rest = process.communicate(timeout=120)
    output = stdout + "".join(said) + rest
    assert process.returncode == 1, output
    assert "Traceback" not in output
    (run_dir,) = (tmp_path / "traces").iterdir()
    told = outcome(run_dir)
    assert told["status"] == "failed"
    assert "the browser closed or crashed" in str(told["message"])
    assert "nothing was committed, so it is safe to run again" in str(told["message"])
    assert str(told["message"]) in output
    assert sandbox.state.user_titled("Jordan").pin == "2468"
    # The trace the browser had recorded is kept: Playwright's driver had written it as it went.
    assert manifest(run_dir)["trace"] == "trace.zip"
    assert [e for e in trace_events(run_dir / "trace.zip") if e.get("method") == "tracingGroup"]
    assert_private_and_clean(run_dir)


@pytest.fixture
def short_temp() -> Iterator[Path]:
    """A temporary folder of its own for the processes a test starts: a short path, since Chromium
    keeps a socket there (a socket's path has a length limit that tmp_path can exceed)."""
    with tempfile.TemporaryDirectory(prefix="plexbook-test-") as temp:
        yield Path(temp)


def test_a_killed_run_leaves_its_unscrubbed_trace_only_until_the_next_run(
    sandbox: SandboxServer, tmp_path: Path, short_temp: Path
) -> None:
    temp, traces = short_temp, tmp_path / "traces"
    killed = _run_until_step(sandbox.base_url, traces, 2, signal.SIGKILL, group=True, temp=temp)
    assert killed.returncode == -signal.SIGKILL
    # Nothing could clean up: Playwright's working trace is left as recorded, password and all.
    (left,) = temp.glob(f"plexbook-unscrubbed-{killed.args[-1]}-*")
    assert left.stat().st_mode & 0o777 == 0o700
    assert any(ALEX[1].encode() in path.read_bytes() for path in left.rglob("*") if path.is_file())
    # Its run folder has no manifest, and `runs` says so rather than leave the run out.
    (run_dir,) = traces.iterdir()
    assert not (run_dir / "manifest.json").exists()
    listed = run_cli("runs", "--json", "--traces-dir", str(traces))
    (run,) = json.loads(listed.stdout)
    assert (run["folder"], run["runbook"], run["status"]) == (str(run_dir), "remove-pin", "unfinished")
    assert "its process was killed" in run["message"]
    verified = run_cli("evidence", "verify", str(run_dir))
    assert verified.returncode == 2
    assert verified.stderr.strip().endswith(f"{run_dir} has no manifest.json: {run['message']}")

    after = run_cli(
        *("run", "remove-pin", "--user", "Jordan", "--rehearse", "--target", sandbox.base_url),
        *("--traces-dir", str(traces), "-q"),
        env={**JORDAN, "TMPDIR": str(temp)},
    )
    assert after.returncode == 0, after.stdout + after.stderr
    # The next run removed what the killed one left, and its own working files when it ended.
    assert list(temp.glob("plexbook-unscrubbed-*")) == []
    assert not any(ALEX[1].encode() in path.read_bytes() for path in temp.rglob("*") if path.is_file())


def test_the_sweep_removes_only_what_ended_processes_left(tmp_path: Path) -> None:
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    alive = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)
    try:
        here, elsewhere = unscrubbed.pid_space(), unscrubbed.pid_space() + 1
        pids = {"ended": ended.pid, "alive": alive.pid, "this": os.getpid()}
        folders = {name: tmp_path / f"{unscrubbed.name_prefix(pid, here)}x" for name, pid in pids.items()}
        # Another container's processes: its ids say nothing here, so only age tells.
        folders["elsewhere"] = tmp_path / f"{unscrubbed.name_prefix(ended.pid, elsewhere)}x"
        folders["elsewhere, a day old"] = tmp_path / f"{unscrubbed.name_prefix(ended.pid, elsewhere)}y"
        other = tmp_path / "playwright-artifacts-x"
        for folder in [*folders.values(), other]:
            (folder / "resources").mkdir(parents=True)
            (folder / "resources" / "body.dat").write_text("secret")
        day_old = time.time() - 25 * 3600
        for path in folders["elsewhere, a day old"].rglob("*"):
            os.utime(path, (day_old, day_old))
        os.utime(folders["elsewhere, a day old"], (day_old, day_old))
        assert sorted(unscrubbed.sweep(tmp_path)) == sorted([folders["ended"], folders["elsewhere, a day old"]])
        kept = {folders[name].name for name in ("alive", "this", "elsewhere")} | {other.name}
        assert {path.name for path in tmp_path.iterdir()} == kept
    finally:
        alive.communicate(b"\n")


def test_a_rebuilt_trace_keeps_whole_events_and_only_its_own_files(tmp_path: Path) -> None:
    # The browser's folder as Playwright leaves it: an earlier run's files beside this run's,
    # and this run's events cut off mid-line where the browser died.
    raw = tmp_path / "raw"
    for kind in ("resources", "screencast"):
        (raw / kind).mkdir(parents=True)
    (raw / "earlier.trace").write_bytes(b'{"type":"screencast-frame","file":"screencast/page@1-100.jpeg"}\n')
    (raw / "run.trace").write_bytes(
        b'{"type":"context-options"}\n{"type":"screencast-frame","file":"screencast/page@1-200.jpeg"}\n{"type":"bef'
    )
    (raw / "run.network").write_bytes(b'{"type":"resource-snapshot","snapshot":{"_sha1":"b2.json"}}\n')
    for name in ("screencast/page@1-100.jpeg", "screencast/page@1-200.jpeg", "resources/a1.json", "resources/b2.json"):
        (raw / name).write_bytes(name.encode())
    into = tmp_path / "trace.zip"
    assert unscrubbed.recover_trace(raw, "run", into)
    with zipfile.ZipFile(into) as archive:
        assert sorted(archive.namelist()) == [
            "resources/b2.json", "screencast/page@1-200.jpeg", "trace.network", "trace.trace"
        ]  # fmt: skip
        assert archive.read("trace.trace").splitlines() == [
            b'{"type":"context-options"}', b'{"type":"screencast-frame","file":"screencast/page@1-200.jpeg"}'
        ]  # fmt: skip
    assert not unscrubbed.recover_trace(raw, "never-recorded", tmp_path / "none.zip")
    assert not (tmp_path / "none.zip").exists()


def test_a_drift_after_every_secret_was_typed_leaks_nothing(playwright: Playwright, tmp_path: Path) -> None:
    with SandboxServer(variant("classic", drop_remove=True)) as drifted:
        # A short timeout: the missing Remove is waited for that long before drift is told.
        result = run_flow(playwright, drifted, tmp_path, "remove-pin", JORDAN, trace="on", timeout_s=3, user="Jordan")
    assert result.exit_code == 1, result.message
    assert (result.run_dir / "drift.json").is_file()
    assert_private_and_clean(result.run_dir)


# -- bad input and private evidence ---------------------------------------------------------
@pytest.mark.parametrize("pin", ["\u0661\u0662\u0663\u0664", "2468\n", "246"], ids=["arabic-indic", "newline", "short"])
def test_a_pin_is_four_ascii_digits(sandbox: SandboxServer, tmp_path: Path, pin: str) -> None:
    result = run_cli(
        "run",
        "remove-pin",
        "--user",
        "Jordan",
        "--target",
        sandbox.base_url,
        cwd=tmp_path,
        env={**JORDAN, "PLEX_PIN": pin},
    )
    assert result.returncode == 2
    assert "PLEX_PIN must be exactly 4 digits" in result.stderr
    assert not list((tmp_path / "traces").glob("*")), "no run folder: nothing started"


def test_the_sandbox_refuses_a_pin_of_other_digits(api: object, sandbox: SandboxServer) -> None:
    import httpx

    from tests.conftest import CLIENT_HEADERS, sign_in_token

    token = sign_in_token(sandbox.base_url)
    answer = httpx.put(
        f"{sandbox.base_url}/api/home/users/1001",
        params={"pin": "\u0661\u0662\u0663\u0664", "currentPin": "1234"},
        headers={**CLIENT_HEADERS, "X-Plex-Token": token, "Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert sandbox.state.user_titled("Alex").pin == "1234"


def test_an_unusable_traces_dir_is_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = run_cli("run", "remove-pin", "--traces-dir", str(blocker), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"Error: --traces-dir {blocker} cannot hold run folders: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_disk_too_full_for_the_evidence_is_refused_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = shutil.disk_usage(tmp_path)._replace(free=3 * 2**20)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: full)
    with pytest.raises(typer.Exit) as ended:
        check_traces_dir(tmp_path / "traces")
    assert ended.value.exit_code == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith(
        f"Error: --traces-dir {tmp_path / 'traces'} cannot hold a run's evidence: its disk has 3.0 MB"
    )
    assert said.endswith("free some space first")
    assert not (tmp_path / "traces").exists()


def test_evidence_that_cannot_be_written_is_told_with_what_the_run_did(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The disk fills while the run goes: the reports cannot be written, after the PIN is gone.
    def full_disk(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "report.html")

    monkeypatch.setattr(report, "write_reports", full_disk)
    result = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert sandbox.state.user_titled("Jordan").pin is None
    assert (result.exit_code, result.status) == (1, "failed")
    assert result.message.startswith(
        "writing its evidence (No space left on device: report.html); the run itself ended done: "
        "Jordan's PIN is removed"
    ), result.message
    assert result.message.endswith("Its folder holds only what was written before")
    # What was written before the disk filled stays: the screenshots and the scrubbed trace;
    # the manifest, written into the room kept for it, lists them and tells the same ending.
    assert len(list(result.run_dir.glob("0*.png"))) == 5
    assert (result.run_dir / "trace.zip").is_file()
    told = outcome(result.run_dir)
    assert (told["message"], told["exit_code"], told["status"]) == (result.message, 1, "failed")
    assert_private_and_clean(result.run_dir)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 30 MB file system of its own (tmpfs), for a disk that fills while a run goes."""
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize(
    ("fills_at", "committed"), [("(Edit|Set) PIN", False), ("Remove", True)], ids=["before-remove", "at-remove"]
)
def test_a_disk_that_fills_during_the_run_leaves_a_manifest_that_tells_what_was_done(
    playwright: Playwright, sandbox: SandboxServer, small_disk: Path, fills_at: str, committed: bool
) -> None:
    """The disk fills as the step that reaches a control starts (its screenshot cannot be
    saved): before Remove, Remove is not clicked; at Remove, the change is made and checked.
    Either way the run ends with exit 1 and no traceback, and the room kept for the manifest
    holds one that lists what the folder holds and tells the same ending."""
    filler = small_disk / "filler"

    def fill_the_disk(locator: Locator) -> None:
        if fills_at in str(locator) and not filler.exists():
            with filler.open("wb") as taking, suppress(OSError):
                while True:
                    taking.write(bytes(2**16))

    with listening(fill_the_disk):
        result = run_flow(playwright, sandbox, small_disk, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert (result.exit_code, result.status) == (1, "failed"), result.message
    assert result.message.startswith("writing its evidence (No space left on device: 0"), result.message
    if committed:
        assert sandbox.state.user_titled("Jordan").pin is None
        assert "the run itself ended done: Jordan's PIN is removed" in result.message
    else:
        assert sandbox.state.user_titled("Jordan").pin == "2468"
        assert "Remove was not clicked" in result.message
        assert "nothing was committed" in result.message
    told = outcome(result.run_dir)
    assert (told["message"], told["exit_code"], told["status"]) == (result.message, 1, "failed")
    # Nothing cut off, nothing unlisted, no room left taken, no secret.
    assert sorted(p.name for p in result.run_dir.iterdir() if p.name not in ("manifest.json", "SHA256SUMS")) == sorted(
        a["path"]
        for a in manifest(result.run_dir)["artifacts"]  # type: ignore[union-attr]
    )
    assert_private_and_clean(result.run_dir)


def test_live_needs_yes_without_a_terminal(tmp_path: Path) -> None:
    result = run_cli("run", "remove-pin", "--target", "live", cwd=tmp_path, env=JORDAN)
    assert result.returncode == 2
    assert "--yes" in result.stderr


def test_report_md_escapes_titles(tmp_path: Path) -> None:
    title = "<img src=x onerror=alert(1)> [x](javascript:alert(2))"
    data = {
        "runbook": "remove-pin",
        "run_id": "r",
        "user": title,
        "target": "sandbox",
        "account": None,
        "started": "s",
        "ended": "e",
        "versions": {"plexbook": "1", "playwright": "1", "browser": "b"},
        "outcome": {"status": "done", "message": f"{title}'s PIN is removed", "exit_code": 0},
        "steps": [{"number": 1, "title": title, "status": "passed", "commits": False, "duration_s": 1, "error": None}],
        "verification": None,
        "rehearsal": False,
        "trace": None,
    }
    write_reports(data, tmp_path, Scrubber([]))
    markdown = (tmp_path / "report.md").read_text()
    assert "<img src=x" not in markdown
    assert "](javascript:" not in markdown
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in markdown
    assert "<img src=x" not in (tmp_path / "report.html").read_text()


def test_an_aria_snapshot_never_keeps_what_a_field_holds() -> None:
    aria = (
        '- dialog "Edit PIN":\n  - textbox "New PIN": "5678"\n  - textbox "Email": alex@example.test\n  - button "Save"'
    )
    redacted = redact_field_values(aria)
    assert "5678" not in redacted
    assert "alex@example.test" not in redacted
    assert '- button "Save"' in redacted


def test_evidence_verify_names_an_edited_manifest(
    playwright: Playwright, sandbox: SandboxServer, tmp_path: Path
) -> None:
    result: RunResult = run_flow(playwright, sandbox, tmp_path, "remove-pin", JORDAN, trace="on", user="Jordan")
    assert result.exit_code == 0, result.message
    path = result.run_dir / "manifest.json"
    path.write_text(path.read_text().replace('"status": "done"', '"status": "failed"'))
    checked = run_cli("evidence", "verify", str(result.run_dir), cwd=tmp_path)
    assert checked.returncode == 1
    assert "manifest.json: changed since the run" in checked.stdout + checked.stderr


def test_the_sandbox_keeps_a_state_files_mode(tmp_path: Path) -> None:
    from plexbook.sandbox import SandboxState, load_household

    state_file = tmp_path / "home.json"
    state_file.write_text(
        json.dumps({"accounts": [{"email": "s@x.test", "password": "pw", "users": [{"title": "S", "admin": True}]}]})
    )
    state_file.chmod(0o600)
    state = SandboxState(load_household(state_file), state_file=state_file)
    state.save()
    assert state_file.stat().st_mode & 0o777 == 0o600
