"""Evidence end to end: no secret in any byte, a working scrubbed trace, tamper detection."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from plexbook.evidence import SecretScanner, totp_codes_around
from plexbook.recorder import ROOM, Recorder, new_run_dir
from plexbook.sandbox import SandboxServer
from plexbook.scrub import encoded_forms, scrub_trace
from tests.conftest import ALEX, CASEY, CASEY_TOTP, blobs, fresh_sandbox, run_cli, sign_in_token, trace_viewer


@pytest.fixture(params=["classic", pytest.param("modern", marks=pytest.mark.sweep)])
def evidence_sandbox(request: pytest.FixtureRequest, sandbox_pool: dict[str, SandboxServer]) -> SandboxServer:
    """One PIN entry of each kind: a single field with Continue, and digit boxes that submit
    themselves (modern, in the sweep: 28 s of the default suite's six minutes)."""
    return fresh_sandbox(sandbox_pool, request.param)


def test_no_secret_is_left_in_any_artifact_or_output(evidence_sandbox: SandboxServer, tmp_path: Path) -> None:
    base = evidence_sandbox.base_url
    alex = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}
    token = sign_in_token(base)
    runs: list[tuple[list[str], dict[str, str], int]] = [
        # Two users in one command (trace chunks), the second refused: evidence of a failure.
        (
            ["remove-pin", "--user", "Jordan", "--user", "Alex", "--pdf"],
            {**alex, "PLEX_PIN_JORDAN": "2468", "PLEX_PIN_ALEX": "1357"},
            1,
        ),
        (["reset-pin"], {**alex, "PLEX_NEW_PIN": "8642"}, 0),
        (["managed-user-pin", "--user", "Teen", "--set"], {**alex, "PLEX_NEW_PIN": "3690"}, 0),
        (["managed-user-pin", "--user", "Kid", "--remove"], alex, 0),
        (["remove-pin", "--user", "Alex"], {"PLEX_TOKEN": token, "PLEX_PIN": "8642"}, 0),
        (
            ["reset-pin"],
            {"PLEX_EMAIL": CASEY[0], "PLEX_PASSWORD": CASEY[1], "PLEX_TOTP_SECRET": CASEY_TOTP, "PLEX_NEW_PIN": "9753"},
            0,
        ),
    ]
    output: list[str] = []
    secrets: dict[str, str] = {}
    for args, env, expected in runs:
        done = run_cli("run", *args, "--target", base, cwd=tmp_path, env=env)
        assert done.returncode == expected, done.stdout + done.stderr
        output.append(done.stdout + done.stderr)
        secrets.update({f"{k} ({args[0]})": v for k, v in env.items() if k != "PLEX_EMAIL"})
    # The runs did what they say.
    assert [evidence_sandbox.state.user_titled(u).pin for u in ("Jordan", "Alex")] == [None, None]
    # Every token the sandbox issued (sign-ins, switches) and every 2FA code of the run.
    for i, issued in enumerate(evidence_sandbox.state.sessions):
        secrets[f"session token {i}"] = issued
    casey_run = max((tmp_path / "traces").glob("*-reset-pin-*"))
    manifest = json.loads((casey_run / "manifest.json").read_text())
    for i, code in enumerate(totp_codes_around(CASEY_TOTP, manifest["started"], manifest["ended"])):
        secrets[f"2FA code {i}"] = code

    artifacts = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / "traces").rglob("*") if p.is_file()
    }
    artifacts["cli-output.txt"] = "\n".join(output).encode()
    assert any(name.endswith("report.pdf") for name in artifacts)

    scanner = SecretScanner(secrets)
    findings = [str(f) for name, data in artifacts.items() for f in scanner.scan(name, data)]
    assert findings == []
    # And a plain byte search, independent of the scanner, for everything long enough to
    # search blindly: passwords, tokens, the TOTP secret, in every written form.
    long_secrets = [v for v in secrets.values() if len(v) >= 6 and not v.isdigit()]
    for name, data in artifacts.items():
        for blob_name, blob in blobs(name, data):
            for secret in long_secrets:
                for form in encoded_forms(secret):
                    assert form.encode() not in blob, f"{blob_name} holds a secret"


def test_the_scanner_would_have_found_them() -> None:
    """The search above can fail: the same scanner finds each kind of leak it looks for."""
    scanner = SecretScanner({"PLEX_PIN": "2468", "PLEX_PASSWORD": ALEX[1]})
    typed = "\n".join(json.dumps({"type": "before", "params": {"key": d}}) for d in "2468").encode()
    leaks = {
        "url.network": json.dumps({"url": "http://h/?currentPin=2468"}).encode(),
        "typed.trace": typed,
        "page.html": b"<p>sandbox-pass-1</p>",
        "b64.txt": b"cGFzcz1zYW5kYm94LXBhc3MtMQ==",
    }
    for name, data in leaks.items():
        assert list(scanner.scan(name, data)), name


def test_the_scanner_reads_each_json_string_on_its_own() -> None:
    """Strings are searched together but never run into each other: a PIN found in a string of
    its own, or after a neighbour that ends in a digit, and never made of two neighbours' halves."""
    scanner = SecretScanner({"PLEX_PIN": "2468", "PLEX_PASSWORD": 'pa"ss-1'})

    def found(*documents: object) -> list[str]:
        data = "\n".join(json.dumps(document) for document in documents).encode()
        return [finding.problem for finding in scanner.scan("x.trace", data)]

    assert found({"a": "5", "b": "2468"}) == ["contains PLEX_PIN (in clear)"]
    assert found(["ends in 24", "68 starts it"], {"id": "x12468"}) == []
    assert found({"typed": 'pa"ss-1'}) == ["contains PLEX_PASSWORD (encoded)", "contains PLEX_PASSWORD (in clear)"]


def test_a_pin_that_equals_a_calls_number_is_no_leak_and_the_stacks_are_scrubbed(tmp_path: Path) -> None:
    """Playwright numbers its calls in each process ("abcd@2468"), in the trace's events and in
    its stacks: a PIN equal to one of those numbers is no leak, to the scrubber or to `evidence
    verify`. The stacks' file names and functions go through the scrubber like the rest."""
    raw, kept = tmp_path / "raw.zip", tmp_path / "trace.zip"
    event = {"type": "before", "callId": "abcd@2468", "parentId": "abcd@2467", "params": {"value": "2468"}}
    stacks = {"files": ["/home/2468/flow.py"], "stacks": [["abcd@2468", [[0, 7, 0, "flow"]]]]}
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("trace.trace", json.dumps(event) + "\n")
        archive.writestr("trace.stacks", json.dumps(stacks))
    scanner = SecretScanner({"PLEX_PIN": "2468"})
    assert [f.path for f in scanner.scan("trace.zip", raw.read_bytes())] == [
        "trace.zip!trace.trace",  # the typed value
        "trace.zip!trace.stacks",  # the file name
    ]
    scrub_trace(raw, {"2468"}, kept)
    assert list(scanner.scan("trace.zip", kept.read_bytes())) == []
    with zipfile.ZipFile(kept) as archive:
        scrubbed = json.loads(archive.read("trace.stacks"))
        (line,) = archive.read("trace.trace").decode().splitlines()
    assert scrubbed == {"files": ["/home/[redacted]/flow.py"], "stacks": [["abcd@2468", [[0, 7, 0, "flow"]]]]}
    assert json.loads(line)["callId"] == "abcd@2468"


def test_the_scrubbed_trace_still_opens_in_the_trace_viewer(
    page: Page, classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # The second user's trace: a chunk that scrubbing took the first user's traffic out of.
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN_JORDAN": "2468", "PLEX_PIN_ALEX": "1234"}
    users = ("--user", "Jordan", "--user", "Alex")
    done = run_cli("run", "remove-pin", *users, "--target", classic_sandbox.base_url, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    (trace,) = (
        run_dir / "trace.zip"
        for run_dir in (tmp_path / "traces").iterdir()
        if json.loads((run_dir / "manifest.json").read_text())["user"] == "Alex"
    )
    with trace_viewer(trace) as url:
        page.goto(url)
        actions = page.get_by_role("treeitem")
        for title in (
            "1. Open Plex and then navigate to Settings > Plex Home page.",
            "3. Enter your current PIN and then click on the Edit PIN dialogue.",
            "4. Finally, click on Remove.",
            "5. Check the outcome (Plex shows no confirmation)",
        ):
            expect(actions.filter(has_text=title)).to_have_count(1)
        # Its snapshots still draw Plex Home, avatars included: the viewer serves a snapshot's
        # images from the trace alone, never from the sandbox.
        actions.filter(has_text="2. Hover").click()
        # The viewer draws into two frames in turn and shows one: the one shown is the snapshot.
        snapshot = page.locator("iframe[name=snapshot]").filter(visible=True).content_frame
        expect(snapshot.get_by_text("Jordan", exact=True)).to_be_visible()
        avatars = snapshot.locator("img")
        expect(avatars).to_have_count(4)
        # decode() settles once an image has loaded, or failed to.
        drawn = "images => Promise.all(images.map(image => image.decode().then(() => true, () => false)))"
        assert avatars.evaluate_all(drawn) == [True] * 4


ALEX_ENV = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}


def kid_run(sandbox: SandboxServer, tmp_path: Path) -> Path:
    """The folder of a finished run that removed Kid's PIN."""
    done = run_cli("run", "managed-user-pin", "--user", "Kid", "--target", sandbox.base_url, cwd=tmp_path, env=ALEX_ENV)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "traces").iterdir()
    return run_dir


def test_evidence_verify_passes_then_names_a_changed_screenshot(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    run_dir = kid_run(classic_sandbox, tmp_path)
    ok = run_cli("evidence", "verify", str(run_dir), cwd=tmp_path, env=ALEX_ENV)
    assert ok.returncode == 0, ok.stderr
    assert "no secret found (looked for: PLEX_PASSWORD)" in ok.stdout

    shot = sorted(run_dir.glob("*.png"))[1]
    data = bytearray(shot.read_bytes())
    data[len(data) // 2] ^= 0x01
    shot.write_bytes(bytes(data))
    changed = run_cli("evidence", "verify", str(run_dir), cwd=tmp_path, env=ALEX_ENV)
    assert changed.returncode == 1
    assert f"{shot.name}: changed since the run" in changed.stderr


def test_evidence_verify_names_a_leak_and_an_unlisted_file(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    run_dir = kid_run(classic_sandbox, tmp_path)
    report = run_dir / "report.md"
    report.write_text(report.read_text() + f"\npassword: {ALEX[1]}\n")
    (run_dir / "notes.txt").write_text("hello")
    result = run_cli("evidence", "verify", str(run_dir), cwd=tmp_path, env=ALEX_ENV)
    assert result.returncode == 1
    assert "report.md: changed since the run" in result.stderr
    assert "report.md: contains PLEX_PASSWORD (in clear)" in result.stderr
    assert "notes.txt: not listed in the manifest" in result.stderr
    assert ALEX[1] not in result.stdout + result.stderr


def test_runs_and_report_commands(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    env = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1]}
    for user in ("Kid", "Teen"):
        run_cli("run", "managed-user-pin", "--user", user, "--target", classic_sandbox.base_url, cwd=tmp_path, env=env)
    listing = run_cli("runs", cwd=tmp_path, env={})
    header, *lines = listing.stdout.splitlines()
    assert header.split() == ["Started", "(UTC)", "Runbook", "User", "Target", "Outcome", "Folder"]
    assert len(lines) == 2
    assert "Teen" in lines[0]
    assert "nothing to do" in lines[0]
    assert "Kid" in lines[1]
    assert "done" in lines[1]
    report = run_cli("report", "last", cwd=tmp_path, env={})
    assert report.returncode == 0
    assert report.stdout.strip().endswith("report.html")
    html = (tmp_path / report.stdout.strip()).read_text()
    assert "managed-user-pin for Teen" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "url(" not in html
    missing = run_cli("report", "nope", cwd=tmp_path, env={})
    assert missing.returncode == 2
    assert "no run 'nope'" in missing.stderr


def test_an_unscrubbed_trace_never_enters_the_run_folder(page: Page, tmp_path: Path) -> None:
    run_dir = new_run_dir(tmp_path, "remove-pin")
    recorder = Recorder(run_dir, "remove-pin", "sandbox", "on")
    recorder.attach(page.context, page, "chromium")
    page.set_content('<input aria-label="PIN">')
    page.get_by_label("PIN").fill("2468")
    writes: list[Callable[[], None]] = []
    recorder.finish(
        {"exit_code": 0}, user="Jordan", account=None, notes=[], secrets=lambda: {"2468"}, defer=writes.append
    )
    # Tracing has stopped and the trace is saved, but not scrubbed yet: it is not in the folder,
    # which holds only the room kept for the manifest.
    assert [path.name for path in run_dir.iterdir()] == [ROOM]
    (write,) = writes
    write()
    assert not (run_dir / ROOM).exists()
    trace = run_dir / "trace.zip"
    # Read as `evidence verify` reads it: a call of the test's process numbered 2468 is no leak.
    assert list(SecretScanner({"PLEX_PIN": "2468"}).scan("trace.zip", trace.read_bytes())) == []
    assert json.loads((run_dir / "manifest.json").read_text())["trace"] == "trace.zip"
