"""Make a saved Playwright trace safe to share: no secret left in it, and still a working trace.

A trace keeps every value typed into the page (password fields included), request URLs,
headers and bodies, and response bodies. Playwright offers no redaction, so the trace is saved
outside the run folder and only a copy rewritten entry by entry enters it:

- ``*.trace`` and ``*.network`` are JSON lines; each line is parsed and secrets are replaced
  inside string values only, so the file stays valid and the viewer still opens it.
- Text resources (request and response bodies) are scrubbed the same way as text.
- Images are left as they are: the page masks secret fields before anything is captured.
- ``resources/src@*`` (copies of source files) are dropped.
- A trace chunk (one run of several in a command) drops what earlier runs sent: Playwright
  keeps a context's network log across chunks, so a later run's trace would otherwise list
  the earlier runs' API calls (which user's PIN changed) and keep their bodies. What draws
  the page (documents, stylesheets, images) stays, so the run's snapshots still render.

What is replaced:

- every secret the run registered (and its URL-encoded and base64 forms), wherever it
  stands in a string when it is long enough not to collide with other text; a short one
  (a 4-digit PIN) only where it stands on its own, never inside a longer word or number;
- whatever stands in sensitive places, known or not: ``X-Plex-Token`` and cookie headers,
  query and form values named ``X-Plex-Token``, ``pin``, ``currentPin``, ``password``,
  ``verificationCode``, JSON values named ``authToken``, input values in DOM snapshots of
  password fields, and typed text that is part of a secret (a PIN typed a digit at a time).
"""

from __future__ import annotations

import base64
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
#: Run folders and their files are their owner's alone, whatever the umask.
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
#: The value an ARIA snapshot shows for a text box (``- textbox "New PIN": 5678``), which may be
#: a PIN typed into a box that is not a password field.
_ARIA_FIELD_VALUE = re.compile(
    r"^(?P<node>\s*- (?:textbox|searchbox|spinbutton|combobox)\b[^:\n]*?): .+$", re.MULTILINE
)
#: A secret this long can be replaced wherever it appears without hitting unrelated text.
LONG_SECRET = 6

SENSITIVE_PARAMS = ("x-plex-token", "pin", "currentpin", "password", "verificationcode", "authtoken", "token")
SENSITIVE_HEADERS = ("x-plex-token", "cookie", "set-cookie", "authorization")
#: Keys whose values are Playwright's call ids: four letters and the call's number in the
#: process ("abcd@2468"). A counter, never anything typed, though it may read like a PIN.
CALL_ID_KEYS = frozenset({"callId", "parentId"})
#: Keys whose values name things inside the trace; changing them would break the trace.
STRUCTURAL_KEYS = CALL_ID_KEYS | frozenset(
    {"pageId", "frameId", "sha1", "_sha1", "snapshotName", "pageRef", "_frameref", "resourceId"}
)
#: Action parameters that carry what was typed.
TYPED_KEYS = frozenset({"text", "value", "key", "values"})

_PARAM_RE = re.compile(
    r"(?i)(?P<lead>(?:^|[?&;]|\b)(?:"
    + "|".join(re.escape(p) for p in SENSITIVE_PARAMS)
    + r")=)(?P<value>[^&#\s\"'<>]*)"
)
_JSON_TOKEN_RE = re.compile(r'(?i)("(?:authToken|token)"\s*:\s*")([^"\\]*(?:\\.[^"\\]*)*)(")')


def encoded_forms(secret: str) -> set[str]:
    """The ways a secret may be written down: as is, URL-encoded, JSON-escaped, base64."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms |= base64_forms(secret.encode())
    return {f for f in forms if f}


def base64_forms(data: bytes) -> set[str]:
    """The base64 text of ``data`` at each of the three alignments it can have inside a longer text."""
    forms: set[str] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode()
        start = (offset * 4 + 2) // 3  # characters touched by the padding bytes in front
        end = len(encoded) - (4 if (offset + len(data)) % 3 else 0)  # the tail depends on what follows
        middle = encoded[start:end].rstrip("=")
        if len(middle) >= 4:
            forms.add(middle)
    return forms


class Scrubber:
    """Replaces the registered secrets, and anything in a sensitive place, in text and JSON."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = {s for s in secrets if s}
        # Digits alone (PINs, 2FA codes) are matched only where they stand on their own,
        # since the same digits occur inside timestamps and identifiers.
        short = {s for s in values if len(s) < LONG_SECRET or s.isdigit()}
        self.short = sorted(short, key=len, reverse=True)
        long_forms: set[str] = set()
        for secret in values - short:
            long_forms |= {f for f in encoded_forms(secret) if len(f) >= 4}
        self.long = sorted(long_forms, key=len, reverse=True)
        self._short_re = (
            re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(re.escape(s) for s in self.short) + r")(?![0-9A-Za-z])")
            if self.short
            else None
        )

    # -- text ------------------------------------------------------------------------------
    def text(self, value: str) -> str:
        """Scrub a free text: a URL, a form body, a log line, a page's HTML."""
        # A trace holds thousands of short strings, most of them with nothing to scrub: each
        # pattern runs only where what it needs is there (cheap tests, exact for each pattern).
        if "=" in value:
            value = _PARAM_RE.sub(lambda m: m.group("lead") + (REDACTED if m.group("value") else ""), value)
        if '"' in value and "token" in value.lower():
            value = _JSON_TOKEN_RE.sub(lambda m: m.group(1) + REDACTED + m.group(3), value)
        for form in self.long:
            value = value.replace(form, REDACTED)
        if self._short_re is not None and any(secret in value for secret in self.short):
            value = self._short_re.sub(REDACTED, value)
        return value

    def is_part_of_a_secret(self, value: str) -> bool:
        """True for typed text that is a secret or a piece of one (one digit of a PIN)."""
        return bool(value) and any(value in secret for secret in self.short + self.long)

    # -- JSON ------------------------------------------------------------------------------
    def json(self, node: Any, key: str | None = None) -> Any:
        """Scrub the strings of a parsed JSON value; structure, numbers and names are kept."""
        if isinstance(node, dict):
            return self._object(node)
        if isinstance(node, list):
            if key == "cookies":
                return [{**c, "value": REDACTED} if isinstance(c, dict) and c.get("value") else c for c in node]
            return self._array(node)
        if isinstance(node, str):
            if key in STRUCTURAL_KEYS:
                return node
            if key is not None and key.lower() in ("authtoken", "token"):
                return REDACTED if node else node
            return self.text(node)
        return node

    def _object(self, node: dict[str, Any]) -> dict[str, Any]:
        # A HAR header or query entry: {"name": "X-Plex-Token", "value": "..."}.
        name = node.get("name")
        if isinstance(name, str) and isinstance(node.get("value"), str) and node["value"]:
            lowered = name.lower()
            if lowered in SENSITIVE_HEADERS or lowered in SENSITIVE_PARAMS:
                return {**node, "value": REDACTED}
        return {k: self.json(v, k) for k, v in node.items()}

    def _array(self, node: list[Any]) -> list[Any]:
        # A DOM snapshot element: ["INPUT", {attributes}, children...].
        if len(node) >= 2 and isinstance(node[0], str) and isinstance(node[1], dict):
            attrs = dict(node[1])
            typed = attrs.get("__playwright_value_")
            if (
                isinstance(typed, str)
                and typed
                and (str(attrs.get("type", "")).lower() == "password" or self.is_part_of_a_secret(typed))
            ):
                attrs["__playwright_value_"] = REDACTED
            if str(attrs.get("type", "")).lower() == "password" and attrs.get("value"):
                attrs["value"] = REDACTED
            return [node[0], self.json(attrs), *(self.json(child) for child in node[2:])]
        return [self.json(child) for child in node]

    def _typed(self, params: dict[str, Any]) -> dict[str, Any]:
        """An action's parameters: what was typed goes if it is a secret or a piece of one."""
        return {
            k: REDACTED if k in TYPED_KEYS and isinstance(v, str) and self.is_part_of_a_secret(v) else v
            for k, v in params.items()
        }

    def json_lines(self, data: bytes) -> bytes:
        out: list[str] = []
        for line in data.decode("utf-8").splitlines():
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                out.append(self.text(line))
                continue
            if isinstance(event, dict) and event.get("type") == "before" and isinstance(event.get("params"), dict):
                event = {**event, "params": self._typed(event["params"])}
            out.append(json.dumps(self.json(event), ensure_ascii=False, separators=(",", ":")))
        return ("\n".join(out) + "\n").encode("utf-8")

    def stacks(self, data: bytes) -> bytes:
        """A trace's ``trace.stacks``: the source files and functions of each call, scrubbed like
        any JSON; each stack's call id is kept, as in the trace's events."""
        try:
            parsed = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return self.resource(data)
        return json.dumps(keyed_stacks(self.json(keyed_stacks(parsed)), back=True)).encode("utf-8")

    def resource(self, data: bytes) -> bytes:
        """A request or response body: JSON, form or text is scrubbed; binary is kept."""
        if _looks_binary(data):
            return data
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return self.text(text).encode("utf-8")
        return json.dumps(self.json(parsed), ensure_ascii=False).encode("utf-8")


#: How binary files in run folders and traces begin: PNG, JPEG, GIF, WebP, PDF, zip, video.
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"%PDF", b"PK\x03\x04", b"\x00\x00\x00")


def _looks_binary(data: bytes) -> bool:
    return data.startswith(BINARY_MAGIC) or b"\x00" in data[:1024]


def keyed_stacks(document: Any, *, back: bool = False) -> Any:
    """``trace.stacks`` (``{"files": [...], "stacks": [[callId, frames], ...]}``) with each stack
    as ``{"callId": ..., "frames": ...}``, so its call id is read as the trace's events' are;
    ``back`` turns such a document back into the file's own shape."""
    stacks = document.get("stacks") if isinstance(document, dict) else None
    if not isinstance(stacks, list):
        return document
    if back:
        changed = [[s["callId"], s["frames"]] if isinstance(s, dict) and "callId" in s else s for s in stacks]
    else:
        changed = [{"callId": s[0], "frames": s[1]} if isinstance(s, list) and len(s) == 2 else s for s in stacks]
    return {**document, "stacks": changed}


def redact_field_values(aria_snapshot: str) -> str:
    """An ARIA snapshot with every text box's value replaced: what a field holds is never evidence."""
    return _ARIA_FIELD_VALUE.sub(lambda m: f"{m.group('node')}: {REDACTED}", aria_snapshot)


def write_private(path: Path, data: bytes | str) -> None:
    """Write an artifact readable by its owner only (``0600``), whatever the umask.

    One that cannot be written whole (a full disk) is not left behind in part: a cut-off
    picture or report is no evidence.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(raw)
    except OSError as exc:
        path.unlink(missing_ok=True)
        exc.filename = exc.filename or str(path)  # a failed write says which file it was
        raise
    os.chmod(path, PRIVATE_FILE)


def write_scrubbed(path: Path, text: str, scrubber: Scrubber) -> None:
    """The one door for text evidence (reports, drift files, the manifest): scrubbed, then private."""
    write_private(path, scrubber.text(text))


def make_private(run_dir: Path) -> None:
    """Every folder of a run ``0700`` and every file ``0600``: what another writer left included."""
    run_dir.chmod(PRIVATE_DIR)
    for path in run_dir.rglob("*"):
        if not path.is_symlink():
            path.chmod(PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def scrub_trace(path: Path, secrets: Iterable[str], into: Path | None = None) -> None:
    """Write the trace zip at ``path`` to ``into`` (default: in place) with every secret, and every
    earlier run's traffic, removed."""
    scrubber = Scrubber(secrets)
    with zipfile.ZipFile(path) as source:
        entries = {
            info.filename: source.read(info)
            for info in source.infolist()
            if not info.filename.startswith("resources/src@")
        }
    drop_earlier_traffic(entries)
    target = into or path
    tmp = target.with_suffix(".scrubbing.zip")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries.items():
                if name.endswith((".trace", ".network")):
                    data = scrubber.json_lines(data)
                elif name.endswith(".stacks"):
                    data = scrubber.stacks(data)
                elif name.startswith("resources/"):
                    data = scrubber.resource(data)
                archive.writestr(name, data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)


#: Requests that draw nothing in a snapshot: a page's calls to its API.
_API_RESOURCE_TYPES = frozenset({"fetch", "xhr", "eventsource", "websocket"})


def drop_earlier_traffic(entries: dict[str, bytes]) -> None:
    """Take out of a trace chunk's ``entries`` the requests sent before the chunk began that draw nothing.

    Those are earlier runs' API calls and form posts, and their bodies. Requests that draw
    the page (documents, stylesheets, images, fonts) are kept whenever they were made: a
    snapshot in this chunk may show an image an earlier run loaded. A whole trace (no
    earlier chunk) loses nothing.
    """
    trace, network = entries.get("trace.trace"), entries.get("trace.network")
    if trace is None or network is None:
        return
    began = _chunk_start(trace)
    if began is None:
        return
    kept: list[bytes] = []
    kept_files: set[str] = set()
    dropped_files: set[str] = set()
    for line in network.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            event = None
        request = event.get("snapshot") if isinstance(event, dict) else None
        if not isinstance(request, dict):
            kept.append(line)
            continue
        files = set(_resource_files(request))
        if _sent_before(request, began) and _draws_nothing(request):
            dropped_files |= files
        else:
            kept_files |= files
            kept.append(line)
    entries["trace.network"] = b"\n".join(kept) + b"\n"
    for name in dropped_files - kept_files:
        # A body the chunk's own events name (a snapshot's resource) is still needed.
        if name.rsplit("/", 1)[-1].encode() not in trace:
            entries.pop(name, None)


def _chunk_start(trace: bytes) -> float | None:
    """When the chunk began: its ``context-options`` event, the first line of every chunk."""
    first = trace.split(b"\n", 1)[0]
    try:
        event = json.loads(first)
    except json.JSONDecodeError:
        return None
    if not isinstance(event, dict) or event.get("type") != "context-options":
        return None
    began = event.get("monotonicTime")
    return float(began) if isinstance(began, int | float) else None


def _sent_before(request: dict[str, Any], began: float) -> bool:
    sent = request.get("_monotonicTime")
    return isinstance(sent, int | float) and sent < began


def _draws_nothing(request: dict[str, Any]) -> bool:
    sent = request.get("request")
    method = str(sent.get("method", "GET") if isinstance(sent, dict) else "GET").upper()
    return request.get("_resourceType") in _API_RESOURCE_TYPES or method not in ("GET", "HEAD")


def _resource_files(node: Any) -> Iterator[str]:
    """The ``resources/`` files a network entry names (its request and response bodies)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("_file", "_sha1") and isinstance(value, str):
                yield value if value.startswith("resources/") else f"resources/{value}"
            else:
                yield from _resource_files(value)
    elif isinstance(node, list):
        for child in node:
            yield from _resource_files(child)
