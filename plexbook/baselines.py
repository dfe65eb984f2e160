"""Structure baselines: ARIA snapshots of the screens a flow passes, kept in the repository.

A baseline is a Playwright ARIA template (``to_match_aria_snapshot``): it lists what the
screen must contain, in order, and matches at any depth, so extra nodes are fine. Baselines
are written general on purpose: they name no user, collapse repeated rows, use a regular
expression where the spec lists alternatives ("Plex Home" or "Users & Sharing") and leave out
what the spec leaves open (the PIN entries' shape and type) or some variations lack
("Continue", "Confirm New PIN", "Remove"), so any target that follows the spec, with any
household, matches them.

``plexbook check`` compares each screen with its baseline: a difference is a warning ("the
structure moved here"), or a failure with ``--strict-baselines``. ``--update-baselines``
rewrites them from the target, through :func:`generalize`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import platformdirs
from playwright.sync_api import Locator

from plexbook.pages.actions import expect

#: The baselines that ship with plexbook: read, never written.
BASELINES = Path(__file__).parent / "baselines"
SCREENS = ("plex-home", "confirm-current-pin", "edit-pin", "pin-reset")
StructureMode = Literal["warn", "strict", "update"]

_NODE = re.compile(r'^(?P<indent>\s*)- (?P<role>[a-z]+)(?: (?P<name>"(?:[^"\\]|\\.)*"|/.*?/))?(?P<rest>.*)$')
#: Subtrees that belong to the app around the screen, or lie over it, not to the screen.
_CHROME = {"banner", "navigation", "contentinfo", "region", "complementary", "menu"}
#: What the contract states of each screen, by role: only these names make a baseline. Rows,
#: sidebar entries, overlays, PIN entries and the like are left open by the contract, so they
#: are left out.
_SPEC_HEADINGS = {'"Plex Home"', '"Users & Sharing"', '"Confirm Current PIN"', '"Edit PIN"', '"Reset PIN"'}
_SPEC_DIALOGS = {'"Confirm Current PIN"', '"Edit PIN"'}
#: Buttons every variation has ("Continue" and "Remove" are missing from some).
_SPEC_BUTTONS = {'"Create Managed Account"', '"Invite Plex User"', '"Cancel"', '"Save"', '"Update"', '"Sign In"'}
_HOME_HEADING = "/^(Plex Home|Users & Sharing)$/"
_PASSWORD = re.compile(r"password", re.IGNORECASE)


def user_baselines() -> Path:
    """Where ``--update-baselines`` writes when no folder is named: the user's data folder.

    Never the installed package, which may be read-only or shared (a pipx install).
    """
    return Path(platformdirs.user_data_dir("plexbook")) / "baselines"


def baselines_folder(named: Path | None, mode: StructureMode) -> Path:
    """The folder a check reads (or, updating, writes): the one named, else the user's own, else the shipped."""
    if named is not None:
        return named
    own = user_baselines()
    if mode == "update" or any(own.glob("*.aria.yml")):
        return own
    return BASELINES


def _general_name(role: str, name: str | None) -> tuple[bool, str | None]:
    """Whether a node belongs in a baseline, and the name it is kept under."""
    if role == "heading":
        if name not in _SPEC_HEADINGS:
            return False, None
        return True, _HOME_HEADING if name in ('"Plex Home"', '"Users & Sharing"') else name
    if role == "dialog":
        return name in _SPEC_DIALOGS, name
    if role == "button":
        return name in _SPEC_BUTTONS, name
    if role == "textbox":
        # Only the password field: PIN entries are worded, labelled and typed many ways (one
        # input or four, labelled each or as a group, text boxes or number fields).
        return bool(name and _PASSWORD.search(name)), "/[Pp]assword/"
    return False, None


def generalize(snapshot: str) -> str:
    """Reduce an ARIA snapshot to a template every spec variation and household matches."""
    out: list[str] = []
    kept_at: list[int] = []  # indents of the kept ancestors of the current line
    skip_below: int | None = None
    for line in snapshot.splitlines():
        match = _NODE.match(line)
        if not match:
            continue
        indent = len(match.group("indent"))
        if skip_below is not None:
            if indent > skip_below:
                continue
            skip_below = None
        while kept_at and kept_at[-1] >= indent:
            kept_at.pop()
        role, name = match.group("role"), match.group("name")
        if role in _CHROME or (role == "dialog" and name not in _SPEC_DIALOGS):
            skip_below = indent
            continue
        kept, name = _general_name(role, name)
        # A password field inside a dialog is not one the contract names there.
        if not kept or (role == "textbox" and kept_at):
            continue
        has_children = match.group("rest").rstrip().endswith(":") and role == "dialog"
        text = "  " * len(kept_at) + f"- {role}" + (f" {name}" if name else "") + (":" if has_children else "")
        if not out or out[-1] != text:
            out.append(text)
        if has_children:
            kept_at.append(indent)
    return "\n".join(_drop_empty_parents(out)) + "\n"


def _drop_empty_parents(lines: list[str]) -> list[str]:
    """A ``- list:`` whose children were all dropped becomes ``- list``."""
    fixed: list[str] = []
    for i, line in enumerate(lines):
        depth = len(line) - len(line.lstrip())
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.endswith(":") and len(following) - len(following.lstrip()) <= depth:
            line = line[:-1]
        fixed.append(line)
    return fixed


def _missing_lines(template: str, actual: str) -> list[str]:
    """The template's lines with no node of the same role and name in the actual snapshot."""
    nodes = {(m.group("role"), m.group("name")) for m in map(_NODE.match, actual.splitlines()) if m}
    missing: list[str] = []
    for line in template.splitlines():
        match = _NODE.match(line)
        if not match:
            continue
        role, name = match.group("role"), match.group("name")
        if name and name.startswith("/"):
            pattern = re.compile(name[1:-1])
            found = any(r == role and n and pattern.search(n.strip('"')) for r, n in nodes)
        else:
            found = any(r == role and (name is None or n == name) for r, n in nodes)
        if not found:
            missing.append(line.strip())
    return missing


@dataclass
class StructureCheck:
    """Compares (or rewrites) the baselines of the screens a run passes through."""

    mode: StructureMode = "warn"
    directory: Path = BASELINES
    findings: list[str] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def screen(self, name: str, region: Locator) -> None:
        if name in self.seen:
            return
        self.seen.add(name)
        path = self.directory / f"{name}.aria.yml"
        if self.mode == "update":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(generalize(region.aria_snapshot()), encoding="utf-8")
            self.updated.append(path)
            return
        if not path.is_file():
            self.findings.append(f"{name}: no baseline at {path} (plexbook check --update-baselines writes one)")
            return
        from playwright.sync_api import Error as PlaywrightError

        template = path.read_text(encoding="utf-8")
        try:
            expect(region).to_match_aria_snapshot(template, timeout=3000)
        except (AssertionError, PlaywrightError):
            try:
                actual = region.aria_snapshot(timeout=2000)
            except PlaywrightError:
                actual = ""
            missing = ", ".join(_missing_lines(template, actual)) or "the order or nesting differs"
            self.findings.append(f"the structure moved here: {name} (baseline {path.name}; not found: {missing})")
