"""The decision record lists every page-object locator with the contract fact it rests on."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from plexbook import pages
from plexbook.pages.actions import NamedLocator

TABLE = Path(__file__).resolve().parents[2] / "docs" / "decisions" / "0005-locators-rest-on-the-contract.md"


def named_locators() -> set[tuple[str, str]]:
    """(class, locator) for every ``@named_locator`` a public page object has, inherited ones too."""
    found: set[tuple[str, str]] = set()
    for name in pages.__all__:
        cls = getattr(pages, name)
        if not inspect.isclass(cls) or issubclass(cls, Exception):
            continue
        for klass in cls.__mro__:
            for attr, value in vars(klass).items():
                if isinstance(value, NamedLocator):
                    found.add((name, attr))
    return found


def table_rows() -> set[tuple[str, str]]:
    rows: set[tuple[str, str]] = set()
    owner = ""
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[1].startswith("`"):
            continue
        owner = cells[0] or owner
        for cls in re.findall(r"`(\w+)`", owner):
            rows.add((cls, cells[1].strip("`")))
    return rows


def test_every_named_locator_is_in_the_table() -> None:
    found = named_locators()
    assert len(found) >= 25
    missing = found - table_rows()
    assert not missing, f"add these to {TABLE.name}: {sorted(missing)}"
