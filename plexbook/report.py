"""The human-readable reports of a run: report.html (self-contained, printable), report.md, report.pdf."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from playwright.sync_api import Browser

from plexbook.recorder import OUTCOME_CHECK
from plexbook.scrub import Scrubber, write_scrubbed

_HTML_TEMPLATE, _MARKDOWN_TEMPLATE = "report.html.j2", "report.md.j2"

_env = Environment(
    loader=PackageLoader("plexbook", "templates"),
    autoescape=select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _markdown_escaped(value: object) -> str:
    """Text as Markdown and the HTML inside it read literally: a title cannot become a tag or a link.

    A value marked ``| safe`` in the template (a file name, a code block's text) is written as it is.
    """
    if isinstance(value, Markup):
        return str(value)
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_{}\[\]()#+!|])", r"\\\1", text)


#: report.md: every value written into it is escaped unless a template says otherwise.
_markdown = Environment(
    loader=PackageLoader("plexbook", "templates"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_markdown_escaped,
)


def mask_email(email: str | None) -> str | None:
    """``alex@example.com`` -> ``a***@example.com``: enough to tell accounts apart."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


#: The banner a report opens with, by the run's status.
_BANNERS = {
    "done": ("PASS", "pass"),
    "nothing to do": ("PASS", "pass"),
    "rehearsed": ("REHEARSAL", "rehearsal"),
    "interrupted": ("INTERRUPTED", "interrupted"),
}


def banner(status: str | None) -> tuple[str, str]:
    """PASS, REHEARSAL, INTERRUPTED or FAIL, and its style class."""
    return _BANNERS.get(status or "", ("FAIL", "fail"))


def _seconds(value: float | None) -> str:
    return f"{value:.2f} s" if value else "-"


def _drift(run_dir: Path) -> dict[str, Any] | None:
    """The drift diagnosis a failed step left (drift.json, scrubbed when written), for the report."""
    try:
        found = json.loads((run_dir / "drift.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return dict(found) if isinstance(found, dict) else None


def _context(manifest: dict[str, Any], run_dir: Path, embed: bool) -> dict[str, Any]:
    steps = list(manifest["steps"])
    # A run that stopped early never checked its outcome: the report says so, as for any step not run.
    steps.append(
        manifest.get("verification") or {"number": len(steps) + 1, "title": OUTCOME_CHECK, "status": "not run"}
    )
    rendered = []
    for step in steps:
        image = None
        shot = step.get("screenshot")
        if shot and embed and (run_dir / shot).is_file():
            image = "data:image/png;base64," + base64.b64encode((run_dir / shot).read_bytes()).decode()
        ran = step.get("status") != "not run"
        rendered.append({**step, "image": image, "time": _seconds(step.get("duration_s")) if ran else "-"})
    word, banner_class = banner(manifest["outcome"].get("status"))
    sign_in, in_step = manifest.get("sign_in_s"), int(manifest.get("sign_in_step") or 0)
    step_took = steps[in_step - 1].get("duration_s") if 0 < in_step <= len(steps) else None
    return {
        "m": manifest,
        "steps": rendered,
        "heading": f"{manifest['runbook']} for {manifest.get('user') or '?'}",
        "banner": word,
        "banner_class": banner_class,
        "total": _seconds(manifest.get("duration_s")),
        "sign_in": (
            f"{_seconds(sign_in)} of step {in_step}'s {_seconds(step_took)} went to signing in"
            if sign_in
            else "no sign-in was needed"
        ),
        "environment": manifest.get("environment") or {},
        "drift": _drift(run_dir),
        "trace_mode": manifest.get("trace_mode", "on"),
    }


def compile_templates() -> None:
    """Compile both reports' templates now, so that a run's end only renders them.

    Jinja compiles a template on its first use. At the end of a run that would hold Python's
    lock for about 50 ms on a thread, while the next user's run in the same command drives
    the browser; loaded beforehand, it runs while the browser starts.
    """
    _env.get_template(_HTML_TEMPLATE)
    _markdown.get_template(_MARKDOWN_TEMPLATE)


def write_reports(manifest: dict[str, Any], run_dir: Path, scrubber: Scrubber) -> list[Path]:
    """Write report.html (images embedded, no remote loads) and report.md (relative links)."""
    html = run_dir / "report.html"
    page = _env.get_template(_HTML_TEMPLATE).render(_context(manifest, run_dir, embed=True))
    write_scrubbed(html, page, scrubber)
    markdown = run_dir / "report.md"
    text = _markdown.get_template(_MARKDOWN_TEMPLATE).render(_context(manifest, run_dir, embed=False))
    write_scrubbed(markdown, text, scrubber)
    return [html, markdown]


def print_pdf(browser: Browser, html: Path) -> Path:
    """Print ``html`` to ``report.pdf`` beside it with the run's own Chromium."""
    pdf = html.with_suffix(".pdf")
    page = browser.new_page()
    try:
        page.goto(html.resolve().as_uri())
        page.pdf(path=pdf, format="A4", print_background=True, margin={"top": "14mm", "bottom": "14mm"})
    finally:
        page.close()
    return pdf
