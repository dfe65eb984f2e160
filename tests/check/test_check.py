"""plexbook check: drift caught and named, JUnit, structure baselines, the pytest entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from plexbook.baselines import BASELINES, SCREENS
from plexbook.sandbox import PRESETS, SandboxServer, load_household, variant
from tests.conftest import ALEX, run_cli, sign_in_token
from tests.sandbox.test_household import OWN_HOME

CASE_IDS = [
    "remove-pin (account owner)",
    "managed-user-pin --set (managed user)",
    "managed-user-pin --remove (managed user)",
    "reset-pin (account owner)",
]
ALEX_ENV = {"PLEX_EMAIL": ALEX[0], "PLEX_PASSWORD": ALEX[1], "PLEX_PIN": "1234", "PLEX_NEW_PIN": "1111"}


@pytest.fixture
def drifted(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    with SandboxServer(variant("classic", **request.param)) as server:
        yield server


@pytest.mark.parametrize(
    ("drifted", "locator", "step"),
    [
        pytest.param({"edit_pin_label": "Change PIN"}, "UserRow.edit_pin_link", "step 2", id="edit-pin-renamed"),
        # In the sweep: the same check on a later step, 20 s of the default suite's six minutes.
        pytest.param(
            {"drop_remove": True}, "EditPinDialog.remove_button", "step 4", id="remove-dropped", marks=pytest.mark.sweep
        ),
    ],
    indirect=["drifted"],
)
def test_check_fails_on_drift_and_names_the_locator_and_step(
    drifted: SandboxServer, tmp_path: Path, locator: str, step: str
) -> None:
    junit = tmp_path / "check.xml"
    result = run_cli(
        "check", "--target", drifted.base_url, "--timeout", "3", "--junit", str(junit), cwd=tmp_path, env=ALEX_ENV
    )
    assert result.returncode == 1, result.stdout + result.stderr
    fail_line = next(line for line in result.stderr.splitlines() if line.startswith("FAIL remove-pin"))
    assert f"({locator})" in fail_line
    assert f": {step} (" in fail_line
    drift_dirs = [p.parent for p in (tmp_path / "traces").glob("*/drift.json")]
    reports = [json.loads((d / "drift.json").read_text()) for d in drift_dirs]
    assert reports
    assert all(r["locator"] == locator for r in reports)
    report = reports[0]
    assert report["step"].startswith(step)
    assert report["url"].startswith(drifted.base_url)
    assert report["aria_snapshot"]
    assert report["screenshot"]
    if locator == "UserRow.edit_pin_link":
        assert report["closest"][0] == 'link "Change PIN"'
        assert 'Alex\'s row has no "Edit PIN" or "Set PIN" control' in fail_line
        assert 'closest: link "Change PIN"' in fail_line
    assert "drift.md" in {p.name for p in drift_dirs[0].iterdir()}
    # Nothing was changed by the failed rehearsals.
    assert drifted.state.user_titled("Alex").pin == "1234"
    assert drifted.state.user_titled("Kid").pin == "4321"

    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == CASE_IDS
    assert {c.get("classname") for c in cases} == {
        "plexbook.remove-pin",
        "plexbook.managed-user-pin",
        "plexbook.reset-pin",
    }
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert "remove-pin (account owner)" in failed
    assert "reset-pin (account owner)" not in failed
    assert suite.get("failures") == str(len(failed))


def test_check_passes_without_drift(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    junit = tmp_path / "check.xml"
    result = run_cli("check", "--target", classic_sandbox.base_url, "--junit", str(junit), cwd=tmp_path, env=ALEX_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = result.stdout.splitlines()[1:5]
    assert [row.split("  ")[0] for row in rows] == CASE_IDS
    assert all(" passed " in row for row in rows)
    assert "warning" not in result.stdout
    assert ElementTree.parse(junit).getroot().find("testsuite").get("failures") == "0"  # type: ignore[union-attr]


def test_check_skips_reset_pin_without_a_password(classic_sandbox: SandboxServer, tmp_path: Path) -> None:
    env = {"PLEX_TOKEN": sign_in_token(classic_sandbox.base_url)}
    result = run_cli("check", "--target", classic_sandbox.base_url, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped reset-pin (account owner): needs PLEX_PASSWORD" in result.stdout
    assert "up to the Confirm Current PIN" in json.dumps(
        [json.loads(p.read_text())["outcome"] for p in (tmp_path / "traces").glob("*remove-pin*/manifest.json")]
    )


def test_committed_baselines_cover_every_screen() -> None:
    assert sorted(p.name for p in BASELINES.glob("*.aria.yml")) == sorted(f"{s}.aria.yml" for s in SCREENS)


def _baselines_from_sams_home(tmp_path: Path) -> Path:
    """Baselines written by check --update-baselines from Sam's own Home, in the hybrid variant."""
    state = tmp_path / "home.json"
    home = json.loads(json.dumps(OWN_HOME))
    home["accounts"][0]["users"].append({"title": "Lee", "restricted": True, "pin": "3333"})
    state.write_text(json.dumps(home))
    baselines = tmp_path / "baselines"
    with SandboxServer(PRESETS["hybrid"], household=load_household(state)) as own:
        env = {"PLEX_EMAIL": "sam@example.test", "PLEX_PASSWORD": "pw-sam", "PLEX_PIN": "1111"}
        updated = run_cli(
            "check",
            "--target",
            own.base_url,
            "--update-baselines",
            "--baselines",
            str(baselines),
            cwd=tmp_path,
            env=env,
        )
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert sorted(p.name for p in baselines.iterdir()) == sorted(f"{s}.aria.yml" for s in SCREENS)
    written = "".join(p.read_text() for p in baselines.iterdir())
    assert "Sam" not in written
    assert "Robin" not in written
    return baselines


def _strict_check_passes(baselines: Path, variant_name: str, cwd: Path) -> None:
    result = run_cli(
        "check", "--sandbox-variant", variant_name, "--strict-baselines", "--baselines", str(baselines), cwd=cwd
    )
    assert result.returncode == 0, f"{variant_name}: {result.stdout}{result.stderr}"


@pytest.mark.sweep
def test_baselines_from_one_household_and_variant_accept_another(tmp_path: Path) -> None:
    """Baselines written from Sam's Home in hybrid pass, strictly, on the demo Home in modern,
    the preset least like it; the sweep tries every preset (and random screens). In the sweep
    too: 35 s of the default suite's six minutes, for what the every-preset test covers."""
    _strict_check_passes(_baselines_from_sams_home(tmp_path), "modern", tmp_path)


@pytest.mark.sweep
def test_baselines_from_one_household_and_variant_accept_every_preset(tmp_path: Path) -> None:
    baselines = _baselines_from_sams_home(tmp_path)
    for name in PRESETS:
        _strict_check_passes(baselines, name, tmp_path)


@pytest.mark.sweep  # 28 s of the default suite's six minutes; CI runs the sweep every time
def test_updated_baselines_go_to_the_users_data_folder_never_the_package(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    shipped = {p.name: p.read_text() for p in BASELINES.glob("*.aria.yml")}
    env = {**ALEX_ENV, "XDG_DATA_HOME": str(tmp_path / "data")}
    args = ("check", "--target", classic_sandbox.base_url)
    updated = run_cli(*args, "--update-baselines", cwd=tmp_path, env=env)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    own = tmp_path / "data" / "plexbook" / "baselines"
    assert str(own) in updated.stdout
    assert sorted(p.name for p in own.glob("*.aria.yml")) == sorted(f"{s}.aria.yml" for s in SCREENS)
    assert {p.name: p.read_text() for p in BASELINES.glob("*.aria.yml")} == shipped
    # From then on, check reads the user's own baselines.
    (own / "plex-home.aria.yml").write_text('- button "Invite Everyone"\n')
    strict = run_cli(*args, "--strict-baselines", "--runbook", "remove-pin", cwd=tmp_path, env=env)
    assert strict.returncode == 1
    assert "Invite Everyone" in strict.stdout + strict.stderr


def test_a_structure_difference_warns_and_fails_only_when_strict(
    classic_sandbox: SandboxServer, tmp_path: Path
) -> None:
    baselines = tmp_path / "baselines"
    shutil.copytree(BASELINES, baselines)
    home = baselines / "plex-home.aria.yml"
    home.write_text(home.read_text() + '- button "Invite Everyone"\n')
    # One runbook is enough to meet Plex Home; --runbook keeps the check to it.
    args = ("check", "--target", classic_sandbox.base_url, "--baselines", str(baselines), "--runbook", "remove-pin")
    warned = run_cli(*args, cwd=tmp_path, env=ALEX_ENV)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert (
        'the structure moved here: plex-home (baseline plex-home.aria.yml; not found: - button "Invite Everyone")'
        in (warned.stdout)
    )
    strict = run_cli(*args, "--strict-baselines", cwd=tmp_path, env=ALEX_ENV)
    assert strict.returncode == 1
    assert "the structure moved here: plex-home" in strict.stderr


def test_the_pytest_entry_point_runs_the_regression_suite_on_the_sandbox(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLEX_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "plexbook.regression",
            "-q",
            "-p",
            "no:cacheprovider",
            "--tracing",
            "retain-on-failure",
            "--output",
            str(tmp_path / "out"),
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    # --tracing retain-on-failure: passing runs keep no trace; --output decides where evidence goes.
    runs = list((tmp_path / "out" / "plexbook").iterdir())
    assert len(runs) == 4
    assert not list((tmp_path / "out").rglob("trace.zip"))
    # pytest's browser went through plexbook's launcher, which tells the runs which build it is.
    for run_dir in runs:
        browser = json.loads((run_dir / "manifest.json").read_text())["versions"]["browser"]
        assert "(the system's, " in browser or "(Playwright's own chromium" in browser, browser
