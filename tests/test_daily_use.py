"""Daily use: progress you can watch, the CLI's conventions, reports read at a glance, and
screenshots that keep personal data out."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
from playwright.sync_api import Page

from plexbook.annotate import MASK_COLOR, personal_data_mask
from plexbook.choices import VariantName, choices
from plexbook.config import SecretSource
from plexbook.sandbox import PRESETS, SandboxServer
from tests.conftest import ALEX, colour_pixels, run_cli
from tests.test_readme import readme_printed

PLEXBOOK = Path(sys.executable).parent / "plexbook"


def _steps_in(stderr: str, verb: str) -> list[int]:
    return [int(n) for n in re.findall(rf"remove-pin for Jordan: step (\d)/5 {verb}", stderr)]


# -- conventions ---------------------------------------------------------------------------------
def test_version_short_help_and_choices_in_help() -> None:
    version = run_cli("--version")
    assert version.returncode == 0
    assert re.fullmatch(r"plexbook \S+ \(Playwright \S+\)\n", version.stdout)
    short = run_cli("run", "-h")
    assert short.returncode == 0
    for shown in ("<on|off|retain-on-failure>", "<chromium|firefox|webkit>", "<classic|modern|hybrid|compact|random>"):
        assert shown in short.stdout
    for option in ("--env-file", "--quiet", "--verbose", "--show-personal-data"):
        assert option in short.stdout
    assert "--install-completion" in run_cli("-h").stdout


def test_the_parser_refuses_a_choice_that_is_not_one() -> None:
    for args, word in (
        (["run", "remove-pin", "--trace", "sometimes"], "'sometimes' is not one of"),
        (["run", "remove-pin", "--browser", "netscape"], "'netscape' is not one of"),
        (["check", "--sandbox-variant", "retro"], "'retro' is not one of"),
        (["sandbox", "--pin-input", "dial"], "'dial' is not one of"),
        (["run", "remove-pin", "--timeout", "0"], "must be a positive number of seconds"),
        (["run", "remove-pin", "--env-file", "missing.env"], "does not exist"),
    ):
        refused = run_cli(*args)
        assert refused.returncode == 2, args
        assert word in refused.stderr, (args, refused.stderr)
        assert "Traceback" not in refused.stderr


def test_the_variant_choices_are_the_sandbox_presets_and_random() -> None:
    assert choices(VariantName) == (*PRESETS, "random")


def test_shell_completion_completes_runbook_names() -> None:
    def complete(words: str) -> list[str]:
        env = {**os.environ, "_PLEXBOOK_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "2"}
        done = subprocess.run([str(PLEXBOOK)], env=env, capture_output=True, text=True, check=False, timeout=60)
        return done.stdout.split()

    assert complete("plexbook run re") == ["remove-pin", "reset-pin"]
    assert complete("plexbook show man") == ["managed-user-pin"]


def test_only_secrets_are_hidden_at_prompts() -> None:
    asked: list[tuple[str, bool]] = []

    def prompt(label: str, hidden: bool) -> str:
        asked.append((label, hidden))
        return {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}[label.split("(")[-1].rstrip(")")]

    secrets = SecretSource({}, prompt)
    assert secrets.require("PLEX_EMAIL", "The account's email").reveal() == ALEX[0]
    assert secrets.require("PLEX_PASSWORD", "The account's password").reveal() == ALEX[1]
    assert asked == [("The account's email (PLEX_EMAIL)", False), ("The account's password (PLEX_PASSWORD)", True)]


# -- progress, runs --json, evidence verify last, report --open -------------------------------------
def test_progress_lines_json_listing_masks_and_last_everywhere(page: Page, tmp_path: Path) -> None:
    """Three runs on the embedded sandbox (a fresh household each), then the commands that read
    their folders. One test, because each run costs seconds."""
    for kind in ("plain", "shown"):
        (tmp_path / kind).mkdir()
    plain = run_cli("run", "remove-pin", "--user", "Jordan", cwd=tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr
    # Without a terminal: a line as each step starts and one as it ends, in order, on stderr.
    assert _steps_in(plain.stderr, "started") == [1, 2, 3, 4, 5]
    assert _steps_in(plain.stderr, "passed in") == [1, 2, 3, 4, 5]
    started = plain.stderr.index("step 2/5 started: Hover your mouse pointer")
    assert plain.stderr.index("step 1/5 passed in") < started
    assert "signing in" not in plain.stderr
    # ... and it prints what the README shows it printing.
    assert _general(plain.stderr + plain.stdout) == _general(readme_printed("run remove-pin --user Jordan"))

    verbose = run_cli("run", "remove-pin", "--user", "Jordan", "--rehearse", "-v", cwd=tmp_path / "plain")
    assert "remove-pin for Jordan: step 1/5: signing in" in verbose.stderr
    assert re.search(r"step 1/5: signed in \(\d+\.\d s\)", verbose.stderr)
    assert "remove-pin for Jordan: ended: rehearsed in" in verbose.stderr

    quiet = run_cli("run", "remove-pin", "--user", "Jordan", "-q", "--show-personal-data", cwd=tmp_path / "shown")
    assert quiet.returncode == 0
    assert "step" not in quiet.stderr
    assert "done" in quiet.stdout

    # Step 1 shows Settings, which says "Signed in as alex@sandbox.plexbook.test": masked by
    # default (a band of the mask's colour), shown with --show-personal-data.
    masked, shown = (next((tmp_path / kind).glob("traces/*/01-*.png")) for kind in ("plain", "shown"))
    assert mask_pixels(page, masked.read_bytes()) > mask_pixels(page, shown.read_bytes()) + 2000

    listing = run_cli("runs", "--json", cwd=tmp_path / "plain")
    runs = json.loads(listing.stdout)
    assert [(run["status"], run["rehearsal"]) for run in runs] == [("rehearsed", True), ("done", False)]
    assert all(run["user"] == "Jordan" and run["exit_code"] == 0 for run in runs)
    assert (tmp_path / "plain" / runs[0]["folder"] / "manifest.json").is_file()
    assert runs[0]["started"] >= runs[1]["started"]

    # evidence verify takes `last`, and on a sandbox run it knows the demo household's secrets.
    verified = run_cli("evidence", "verify", "last", cwd=tmp_path / "plain")
    assert verified.returncode == 0, verified.stderr
    assert runs[0]["run_id"] in verified.stdout
    assert "PIN of Jordan" in verified.stdout
    assert "password of alex@sandbox.plexbook.test" in verified.stdout

    # No display: one line that says so, none of the opener's complaints.
    opened = run_cli("report", "last", "--open", cwd=tmp_path / "plain", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert opened.returncode == 0
    assert opened.stdout.splitlines()[1].startswith("No display to open it on here")
    assert len(opened.stdout.splitlines()) == 2
    assert opened.stderr == ""


def _general(text: str) -> list[str]:
    """Printed output with what changes from run to run (times, run ids) made general."""
    text = re.sub(r"\d+\.\d+ s\b", "N s", text)
    return [re.sub(r"\d{8}T\d{6}Z-remove-pin-[0-9a-f]{6}", "RUN", line) for line in text.splitlines()]


def test_a_live_display_at_a_terminal(tmp_path: Path) -> None:
    """At a terminal the run shows a line that moves on from step to step, and keeps each finished one."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    process = subprocess.Popen(
        [str(PLEXBOOK), "run", "remove-pin", "--user", "Jordan", "--rehearse"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env={**env, "COLUMNS": "160", "TERM": "xterm"},
    )
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    assert process.wait(timeout=120) == 0
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", "replace"))
    # The moving line: the run, the step's number of N, the time it has taken, sign-in's stage, its words.
    stage = r"(signing in  |signed in \(\d+\.\d s\)  )?"
    assert re.search(rf"remove-pin for Jordan  step 1/5  \d+\.\d s  {stage}Open Plex and then navigate", text)
    assert re.search(r"remove-pin for Jordan  step 3/5  \d+\.\d s  Enter your current PIN", text)
    # What stays: one line per finished step.
    for number in range(1, 6):
        assert f"✓ remove-pin for Jordan: step {number}/5 passed in" in text
    assert "rehearsed" in text


def test_check_json_is_json_alone_on_stdout(tmp_path: Path) -> None:
    checked = run_cli("check", "--runbook", "remove-pin", "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    cases = json.loads(checked.stdout)
    assert [case["case"] for case in cases] == ["remove-pin (account owner)"]
    (case,) = cases
    assert case["status"] == "passed"
    assert case["user"] == "Alex"
    assert Path(tmp_path / case["run_dir"] / "manifest.json").is_file()
    assert "step 1/5 started" in checked.stderr


def test_env_file_holds_the_secrets(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    env_file = tmp_path / "alex.env"
    env_file.write_text(f"PLEX_EMAIL={ALEX[0]}\nPLEX_PASSWORD={ALEX[1]}\nPLEX_PIN=2468\n")
    args = ["run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, "--rehearse", "-q"]
    without = run_cli(*args, cwd=tmp_path)
    assert without.returncode == 2
    assert "PLEX_EMAIL" in without.stderr
    rehearsed = run_cli(*args, "--env-file", str(env_file), cwd=tmp_path)
    assert rehearsed.returncode == 0, rehearsed.stderr
    assert "rehearsed" in rehearsed.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_trace_serves_on_the_port_asked_for(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468"}
    done = run_cli(
        "run", "remove-pin", "--user", "Jordan", "--target", classic_sandbox.base_url, "-q", cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    port = _free_port()
    viewer = subprocess.Popen(
        [str(PLEXBOOK), "trace", "last", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PWTEST_UNDER_TEST": "1"},  # serve only: do not open a desktop browser
        start_new_session=True,  # its own process group: the node server goes with it
    )
    try:
        assert viewer.stdout is not None
        assert viewer.stdout.readline().startswith("Serving the trace viewer")
        # The viewer prints its address once it listens: on the port asked for.
        url = next(m.group(0) for line in viewer.stdout if (m := re.search(r"http://\S+", line)))
        assert url.startswith(f"http://127.0.0.1:{port}")
        answered = httpx.get(url, timeout=30, follow_redirects=True)
        assert answered.status_code == 200
        assert "Playwright" in answered.text
    finally:
        os.killpg(viewer.pid, signal.SIGTERM)
        viewer.wait(timeout=30)


# -- personal data in screenshots -------------------------------------------------------------------
def mask_pixels(page: Page, png: bytes) -> int:
    """How many pixels of ``png`` are the mask's colour."""
    return colour_pixels(page, png, MASK_COLOR)


def test_emails_and_usernames_are_masked_where_the_page_shows_them(page: Page) -> None:
    page.set_content(
        """<body style="margin:0;background:#fff;font:20px sans-serif">
        <p style="position:absolute;top:10px;left:10px;margin:0">Signed in as Alex@Example.test</p>
        <p style="position:absolute;top:60px;left:10px;margin:0">alexu</p>
        <p style="position:absolute;top:110px;left:10px;margin:0">Alex</p>
        <p style="position:absolute;top:160px;left:10px;margin:0">alexu2</p>
        </body>"""
    )
    mask = personal_data_mask(page, ["alex@example.test", "alexu"])
    assert mask is not None
    # The email in any case and inside a sentence; the username as a word of its own only.
    assert [text.strip() for text in mask.all_inner_texts()] == ["Signed in as Alex@Example.test", "alexu"]
    shot = page.screenshot(mask=[mask], mask_color=MASK_COLOR)
    assert mask_pixels(page, shot) > 2000
    assert personal_data_mask(page, ["", ""]) is None


def test_the_live_display_keeps_a_line_per_run_even_when_two_are_named_alike() -> None:
    """Two accounts' reset-pin side by side in a batch: one line each, each leaving as its run ends."""
    from rich.console import Console

    from plexbook.cli.progress import LiveDisplay
    from plexbook.progress import Event

    console = Console(width=100, force_terminal=True, color_system=None)
    display = LiveDisplay(console)
    for run_id, step in (("run-a", "Sign in"), ("run-b", "Sign in")):
        display(Event("step-started", "reset-pin", 1, 4, step, run_id=run_id))
    display(Event("stage", "reset-pin", 1, 4, "signing in", run_id="run-b"))
    with console.capture() as both:
        console.print(display)
    lines = both.get().splitlines()
    assert len(lines) == 2
    assert "signing in" not in lines[0]
    assert "signing in" in lines[1]
    assert all(len(line) <= 100 for line in lines)
    display(Event("run-ended", "reset-pin", status="done", run_id="run-a"))
    with console.capture() as one:
        console.print(display)
    assert len(one.get().splitlines()) == 1
