"""When a step fails because Plex's UI moved: say which page-object locator no longer finds
anything, where it was expected, and what is there now that looks closest.

The report names the locator as ``Class.locator_name`` (``EditPinDialog.remove_button``),
so a maintainer knows which line of ``pages/`` to change.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from plexbook.pages.actions import UsedLocator, awaited_locators, used_locators
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
    #: The other things the failing wait would have taken instead, also missing, in words
    #: ("was the sign-in page's email field there (SignInPage.email)").
    alternatives: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        """For people: "Jordan's row has no 'Edit PIN' control (UserRow.edit_pin_link); closest: link 'Change PIN'"."""
        near = f"; closest: {self.closest[0]}" if self.closest else "; nothing alike is there"
        missing = _missing(self.where, self.locator, self.what or self.expected)
        return "".join([missing, *(f", nor {alternative}" for alternative in self.alternatives)]) + near

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
    """The selector as Playwright keeps it (``repr`` quotes it, doubling its backslashes)."""
    match = re.search(r" selector=(?P<quoted>'.*'|\".*\")>$", repr(locator), re.DOTALL)
    return str(ast.literal_eval(match.group("quoted"))) if match else repr(locator)


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


def _missing(where: str, locator: str, what: str) -> str:
    if locator.endswith(".root"):
        return f"{where} is not there ({locator})"
    return f"{where} has no {what} ({locator})"


def _position_in(part: str, whole: str) -> int | None:
    """Where selector ``part`` stands in selector ``whole``, which may hold it as one of several
    alternatives (``internal:or="..."``, escaped once for each level it is nested), or None."""
    for _level in range(4):
        at = whole.find(part)
        if at >= 0:
            return at
        part = json.dumps(part)[1:-1]
    return None


def _finds_nothing(used: UsedLocator) -> bool:
    try:
        return used.locator.count() == 0
    except PlaywrightError:
        return False


def _suspects(used: list[UsedLocator], awaited: tuple[Locator, ...]) -> list[UsedLocator]:
    """The named locators to blame, most likely first; empty when every one still finds something.

    What the failing wait was about comes first, in the order its alternatives were given, and
    of those only the outermost: a row's control is missing because the row is. Failing that,
    the most recently used one that finds nothing. A locator the wait was not about may be
    missing only because the page has moved past it (the sign-in form, once the app shows),
    so it is blamed only when nothing the wait was about is missing.
    """
    recent: dict[tuple[str, str], UsedLocator] = {}
    for candidate in reversed(used):
        if not candidate.optional:
            recent.setdefault((candidate.name, _selector(candidate.locator)), candidate)
    waited = [_selector(locator) for locator in awaited]
    about: list[tuple[int, str, UsedLocator]] = []
    for (_name, selector), candidate in recent.items():
        places = [p for p in (_position_in(selector, w) for w in waited) if p is not None]
        if places:
            about.append((min(places), selector, candidate))
    gone = [(selector, u) for _, selector, u in sorted(about, key=lambda entry: entry[0]) if _finds_nothing(u)]
    if gone:
        inner = {id(u) for selector, u in gone for outer, o in gone if o is not u and selector.startswith(outer)}
        return [u for _, u in gone if id(u) not in inner]
    checked = {id(u) for _, _, u in about}
    latest = next((u for u in recent.values() if id(u) not in checked and _finds_nothing(u)), None)
    return [latest] if latest is not None else []


def diagnose(page: Page, step: str, screenshot: str | None) -> DriftReport | None:
    """The page-object locator the failing wait was about that now finds nothing, explained; or,
    when the wait was about none, the most recently used one that finds nothing."""
    suspects = _suspects(used_locators(), awaited_locators())
    if not suspects:
        return None
    used, others = suspects[0], suspects[1:]
    region, region_name = _region(page, used.name, used.owner)
    try:
        aria = region.aria_snapshot(timeout=2000)
    except PlaywrightError:
        aria = "(the region could not be read)"
    selector = _selector(used.locator)
    role, expected_name = expected_of(selector)
    return DriftReport(
        locator=used.name,
        selector=selector,
        step=step,
        url=page.url,
        screenshot=screenshot,
        region=region_name,
        aria_snapshot=aria,
        expected=_expected(used.locator),
        closest=closest_elements(aria, role, expected_name),
        where=_capitalized(_where(used.owner)),
        what=used.what,
        alternatives=[f"was {_whose(other)} there ({other.name})" for other in others],
    )


def _where(owner: object) -> str:
    return str(getattr(owner, "where", type(owner).__name__))


def _whose(used: UsedLocator) -> str:
    """'the sign-in page's email field', without saying the page is there."""
    if used.name.endswith(".root"):
        return _where(used.owner)
    return f"{_where(used.owner)}'s {used.what or _expected(used.locator)}"


def _expected(locator: Locator) -> str:
    role, name = expected_of(_selector(locator))
    return f'{role} "{name}"' if role else f'"{name}"'


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
