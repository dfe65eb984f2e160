"""The report a support agent reads: what happened, at a glance, then the evidence."""

from __future__ import annotations

import json
import platform
import re
import shlex
from html import unescape
from pathlib import Path

from playwright.sync_api import Playwright

from plexbook.sandbox import SandboxServer
from plexbook.sandbox.variants import variant
from tests.conftest import ALEX, run_cli, run_flow

CREDENTIALS = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "2468"}
#: What a locator's repr or Playwright's selector text looks like: never in a sentence for people.
LOCATOR_TEXT = re.compile(r"get_by_|internal:|Locator|waiting for")


def _only_run(folder: Path) -> Path:
    (run_dir,) = (folder / "traces").iterdir()
    return run_dir


def test_a_passed_run_reads_at_a_glance_and_its_rerun_command_runs(tmp_path: Path) -> None:
    done = run_cli("run", "remove-pin", "--user", "Jordan", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run_dir = _only_run(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    html = (run_dir / "report.html").read_text()

    assert '<header class="banner pass">PASS' in html
    # The step table comes before the screenshots, with each step's time and the total.
    table, screenshots = html.split("<h2>Steps</h2>")
    for step in manifest["steps"] + [manifest["verification"]]:
        assert f'<a href="#step-{step["number"]}">' in table
        assert f"{step['duration_s']:.2f} s" in table
        assert f'id="step-{step["number"]}"' in screenshots
    assert f"{manifest['duration_s']:.2f} s" in table
    assert manifest["sign_in_s"] > 0
    assert f"{manifest['sign_in_s']:.2f} s of step 1's" in unescape(table)
    # Where it ran.
    assert "<th>Sandbox variant</th><td>classic</td>" in html
    assert f"{platform.system()} {platform.release()}" in html
    assert "<th>Browser</th><td>chromium " in html
    assert "<th>Plex Web</th><td>sandbox</td>" in html
    assert "No console errors." in html
    assert "No failed requests." in html

    # The rerun command holds no secret and runs the same flow again (a fresh sandbox household).
    rerun = manifest["rerun"]
    assert rerun == "plexbook run remove-pin --user Jordan --target sandbox --sandbox-variant classic"
    assert f"<pre>{rerun}</pre>" in html
    again = run_cli(*shlex.split(rerun)[1:], "-q", cwd=tmp_path / "traces")
    assert again.returncode == 0, again.stderr
    assert "done" in again.stdout

    # report.md: a table row per step, one image per line.
    markdown = (run_dir / "report.md").read_text().splitlines()
    assert markdown[0] == "# PASS: remove-pin for Jordan"
    rows = [line for line in markdown if re.match(r"\| \d \| ", line)]
    assert [row.split(" | ")[2] for row in rows] == ["passed"] * 5
    images = [line for line in markdown if line.startswith("![")]
    assert len(images) == 5
    assert all(re.fullmatch(r"!\[Step \d: .+\]\(0\d-[a-z0-9-]+\.png\)", line) for line in images)


def test_a_drifted_step_shows_the_diagnosis_inline_and_the_rest_as_not_run(
    playwright: Playwright, tmp_path: Path
) -> None:
    with SandboxServer(variant("classic", drop_remove=True)) as drifted:
        failed = run_flow(playwright, drifted, tmp_path, "remove-pin", CREDENTIALS, timeout_s=3, user="Jordan")
    assert failed.exit_code == 1
    html = (failed.run_dir / "report.html").read_text()
    assert '<header class="banner fail">FAIL' in html
    assert "What the page showed instead" in html
    assert "<code>EditPinDialog.remove_button</code>" in html
    assert "<code>textbox &#34;New PIN&#34;</code>" in html or '<code>textbox "New PIN"</code>' in html
    assert "ARIA snapshot of EditPinDialog.root" in html
    assert "- dialog" in html
    # Step 4 failed; the outcome check never ran and says so, with no time.
    table = html.split("<h2>Steps</h2>")[0]
    assert re.search(r"Finally, click on Remove\.</a>.*?status failed", table, re.S)
    last_row = table.split('<a href="#step-5">')[1].split("</tr>")[0]
    assert "not run" in last_row
    assert '<td class="time">-</td>' in last_row
    assert not LOCATOR_TEXT.search(failed.message)


def test_console_errors_and_failed_requests_are_in_the_report(
    playwright: Playwright, classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    classic_sandbox.faults.fail("/static/desktop.js", 500)
    failed = run_flow(playwright, classic_sandbox, tmp_path, "remove-pin", CREDENTIALS, timeout_s=3, user="Jordan")
    assert failed.exit_code != 0
    manifest = json.loads((failed.run_dir / "manifest.json").read_text())
    assert "GET /static/desktop.js: 500" in manifest["failed_requests"]
    assert any("500" in error for error in manifest["console_errors"])
    html = (failed.run_dir / "report.html").read_text()
    assert "<code>GET /static/desktop.js: 500</code>" in html
    assert "Console errors:" in html
    # Steps 2 on never ran.
    assert [step["status"] for step in manifest["steps"]][1:] == ["not run"] * 3
    assert not LOCATOR_TEXT.search(manifest["outcome"]["message"])
    markdown = (failed.run_dir / "report.md").read_text()
    assert "- Request: `GET /static/desktop.js: 500`" in markdown
