"""The human-readable reports of a run: report.html (self-contained, printable), report.md, report.pdf."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from playwright.sync_api import Browser

from plexbook.scrub import Scrubber, write_scrubbed

_env = Environment(
    loader=PackageLoader("plexbook", "templates"),
    autoescape=select_autoescape(["html", "html.j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _markdown_escaped(value: object) -> str:
    """Text as Markdown and the HTML inside it read literally: a title cannot become a tag or a link."""
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


def _context(manifest: dict[str, Any], run_dir: Path, embed: bool) -> dict[str, Any]:
    steps = list(manifest["steps"])
    if manifest.get("verification"):
        steps.append(manifest["verification"])
    rendered = []
    for step in steps:
        image = None
        shot = step.get("screenshot")
        if shot and embed and (run_dir / shot).is_file():
            image = "data:image/png;base64," + base64.b64encode((run_dir / shot).read_bytes()).decode()
        rendered.append({**step, "image": image})
    status = manifest["outcome"].get("status")
    outcome_class = "ok" if status in ("done", "nothing to do", "rehearsed") else "failed"
    return {
        "m": manifest,
        "steps": rendered,
        "heading": f"{manifest['runbook']} for {manifest.get('user') or '?'}",
        "outcome_class": outcome_class,
        "trace_mode": manifest.get("trace_mode", "on"),
    }


def write_reports(manifest: dict[str, Any], run_dir: Path, scrubber: Scrubber) -> list[Path]:
    """Write report.html (images embedded, no remote loads) and report.md (relative links)."""
    html = run_dir / "report.html"
    page = _env.get_template("report.html.j2").render(_context(manifest, run_dir, embed=True))
    write_scrubbed(html, page, scrubber)
    markdown = run_dir / "report.md"
    text = _markdown.get_template("report.md.j2").render(_context(manifest, run_dir, embed=False))
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
