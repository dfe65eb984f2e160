"""plexbook installs under one name and changes no other project's pytest runs."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

UNRELATED_SUITE = """
def test_launch_is_pytest_playwrights_own(browser_type_launch_args, pytestconfig):
    plugged = pytestconfig.pluginmanager.has_plugin("plexbook.pytest_plugin")
    print("plexbook plugin:", plugged, "args:", browser_type_launch_args)
    assert "--no-sandbox" not in browser_type_launch_args.get("args", [])
    assert "executable_path" not in browser_type_launch_args
    assert not plugged
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return next(out.glob("plexbook-*.whl"))


def test_the_wheel_holds_only_plexbook(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "plexbook",
        next(n for n in names if ".dist-info/" in n).split("/")[0],
    }
    for expected in (
        "plexbook/pages/__init__.py",
        "plexbook/runbooks/remove_pin.py",
        "plexbook/sandbox/static/desktop.js",
        "plexbook/sandbox/templates/desktop.html",
        "plexbook/baselines/plex-home.aria.yml",
        "plexbook/py.typed",
        "plexbook/driver_signals.cjs",
    ):
        assert expected in names
    entry_points = next((n for n in names if n.endswith("entry_points.txt")), None)
    assert entry_points is None or "pytest11" not in zipfile.ZipFile(wheel).read(entry_points).decode()


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", *args, str(folder)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_an_unrelated_pytest_playwright_suite_is_untouched(tmp_path: Path) -> None:
    (tmp_path / "test_unrelated.py").write_text(UNRELATED_SUITE)
    result = _pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "plexbook plugin: False" in result.stdout


def test_a_suite_that_asks_for_the_plugin_gets_it(tmp_path: Path) -> None:
    (tmp_path / "test_unrelated.py").write_text(UNRELATED_SUITE)
    result = _pytest(tmp_path, "-p", "plexbook.pytest_plugin")
    # The same assertions now fail: plexbook's launcher (quiet flags, system Chromium) took over.
    assert result.returncode == 1
    assert "plexbook plugin: True" in result.stdout
    assert "--no-sandbox" in result.stdout
