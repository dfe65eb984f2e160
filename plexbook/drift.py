"""When a step fails because Plex's UI moved: say which page-object locator no longer finds
anything, where it was expected, and what is there now that looks closest.

The report names the locator as ``Class.locator_name`` (``EditPinDialog.remove_button``),
so a maintainer knows which line of ``pages/`` to change.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from plexbook.pages.actions import used_locators
from plexbook.scrub import Scrubber, redact_field_values, write_scrubbed

_ARIA_LINE = re.compile(r'^\s*- (?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)"| (?P<regex>/.*?/))?')
_EXPECTED = re.compile(r"internal:(?P<kind>role|label|text)=(?P<rest>[^>]*)")


@dataclass
class DriftReport:
    """What a maintainer needs to fix a locator."""

    locator: str
    selector: str
    step: str
    url: str
    screenshot: str | None
    region: str
    aria_snapshot: str
    expected: str
    closest: list[str] = field(default_factory=list)
    #: Where it was expected and what, in words: "Jordan's row", 'an "Edit PIN" or "Set PIN" control'.
    where: str = "the page"
    what: str = ""
    #: Playwright's own words for the failure.
    error: str = ""

    def sentence(self) -> str:
        """For people: "Jordan's row has no 'Edit PIN' control (UserRow.edit_pin_link); closest: link 'Change PIN'"."""
        near = f"; closest: {self.closest[0]}" if self.closest else "; nothing alike is there"
        if self.locator.endswith(".root"):
            return f"{self.where} is not there ({self.locator}){near}"
        return f"{self.where} has no {self.what or self.expected} ({self.locator}){near}"

    def summary(self) -> str:
        return f"{self.sentence()}, at {self.step}"

    def write(self, run_dir: Path, scrubber: Scrubber) -> None:
        """drift.json and drift.md, through the run's scrubber: no field value, no secret."""
        self.aria_snapshot = redact_field_values(self.aria_snapshot)
        write_scrubbed(run_dir / "drift.json", json.dumps(asdict(self), indent=2) + "\n", scrubber)
        closest = "\n".join(f"- `{c}`" for c in self.closest) or "- (nothing alike)"
        write_scrubbed(
            run_dir / "drift.md",
            f"# Drift: `{self.locator}` found nothing\n\n{self.sentence()}.\n\n"
            f"- Step: {self.step}\n- URL: {self.url}\n- Expected: {self.expected}\n"
            f"- Selector: `{self.selector}`\n- Screenshot: {self.screenshot or '(none)'}\n\n"
            f"## Closest elements by role and name\n\n{closest}\n\n"
            f"## ARIA snapshot of {self.region}\n\n```yaml\n{self.aria_snapshot}\n```\n",
            scrubber,
        )


def _selector(locator: Locator) -> str:
    text = repr(locator)
    match = re.search(r"selector='(.*)'>$", text)
    return match.group(1) if match else text


def expected_of(selector: str) -> tuple[str | None, str]:
    """The role (if any) and accessible name a selector looks for, from its last part."""
    primary = selector.split(" >> internal:or=")[0]
    parts = list(_EXPECTED.finditer(primary))
    if not parts:
        return None, primary
    last = parts[-1]
    rest = last.group("rest").strip()
    if last.group("kind") == "role":
        role_match = re.match(r"(?P<role>[a-z]+)(?:\[name=(?P<name>.*?)\])?", rest)
        role = role_match.group("role") if role_match else None
        name = (role_match.group("name") or "") if role_match else ""
        return role, _clean(name)
    return None, _clean(rest)


def _clean(name: str) -> str:
    name = name.strip()
    name = re.sub(r'^"(.*)"[is]?$', r"\1", name)
    return name.replace('\\"', '"')


def closest_elements(aria: str, role: str | None, name: str, limit: int = 3) -> list[str]:
    """ARIA nodes ranked by how much their role and name look like what was expected."""
    wanted = re.sub(r"[^a-z0-9 ]", "", name.lower())
    scored: list[tuple[float, str]] = []
    for line in aria.splitlines():
        match = _ARIA_LINE.match(line)
        if not match or not (match.group("name") or match.group("regex")):
            continue
        found_role, found_name = match.group("role"), match.group("name") or match.group("regex") or ""
        score = difflib.SequenceMatcher(None, wanted, re.sub(r"[^a-z0-9 ]", "", found_name.lower())).ratio()
        if role is not None and found_role == role:
            score += 0.25
        scored.append((score, f'{found_role} "{found_name}"'))
    seen: list[str] = []
    for _, text in sorted(scored, key=lambda item: -item[0]):
        if text not in seen:
            seen.append(text)
    return seen[:limit]


def diagnose(page: Page, step: str, screenshot: str | None) -> DriftReport | None:
    """The most recently used page-object locator that now finds nothing, explained."""
    for used in reversed(used_locators()):
        name, locator, owner = used.name, used.locator, used.owner
        if used.optional:
            continue
        try:
            if locator.count() > 0:
                continue
        except PlaywrightError:
            continue
        region, region_name = _region(page, name, owner)
        try:
            aria = region.aria_snapshot(timeout=2000)
        except PlaywrightError:
            aria = "(the region could not be read)"
        selector = _selector(locator)
        role, expected_name = expected_of(selector)
        expected = f'{role} "{expected_name}"' if role else f'"{expected_name}"'
        return DriftReport(
            locator=name,
            selector=selector,
            step=step,
            url=page.url,
            screenshot=screenshot,
            region=region_name,
            aria_snapshot=aria,
            expected=expected,
            closest=closest_elements(aria, role, expected_name),
            where=_capitalized(str(getattr(owner, "where", type(owner).__name__))),
            what=used.what,
        )
    return None


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _region(page: Page, name: str, owner: object) -> tuple[Locator, str]:
    """Where the locator was expected: its page object's root when that is there, else the page."""
    root = getattr(type(owner), "root", None)
    if root is not None and not name.endswith(".root"):
        located: Locator = owner.root  # type: ignore[attr-defined]
        try:
            if located.count() == 1:
                return located, f"{type(owner).__name__}.root"
        except PlaywrightError:
            pass
    return page.locator("body"), "the page"
