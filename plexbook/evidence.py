"""A run folder's integrity and secrecy: artifact hashes, and a scan of every byte for secrets.

``plexbook evidence verify RUN_DIR`` re-hashes every artifact against the manifest and
scans each one (zip entries decompressed, images embedded in the HTML report decoded) for
the secrets the environment knows, in clear, URL-encoded, JSON-escaped and base64.

Two limits are deliberate. A secret made only of digits (a PIN, a 2FA code) is reported
where it stands on its own, not inside a longer number or word: traces are full of
timestamps and sizes, and a 4-digit PIN turns up in them by chance. And such a secret is
not looked for inside image or PDF bytes, where any 4-digit run occurs at random; secret
fields are masked before anything is captured instead.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from plexbook.scrub import BINARY_MAGIC, CALL_ID_KEYS, TYPED_KEYS, encoded_forms, keyed_stacks, write_private
from plexbook.totp import totp

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
_DATA_URI = re.compile(rb"data:([a-z]+/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)")


@dataclass(frozen=True)
class Finding:
    """Something wrong with one artifact."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def artifact_list(run_dir: Path) -> list[dict[str, Any]]:
    """Every file of the run but the manifest and the checksums, with its SHA-256 and size."""
    return [
        {"path": path.relative_to(run_dir).as_posix(), "sha256": sha256_of(path), "size": path.stat().st_size}
        for path in sorted(run_dir.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST, CHECKSUMS)
    ]


def write_checksums(run_dir: Path) -> None:
    """``SHA256SUMS`` (``sha256sum -c`` reads it): every file's digest, the manifest's included,
    so an edited manifest shows as plainly as an edited screenshot."""
    lines = [
        f"{sha256_of(path)}  {path.relative_to(run_dir).as_posix()}\n"
        for path in sorted(run_dir.rglob("*"))
        if path.is_file() and path.name != CHECKSUMS
    ]
    write_private(run_dir / CHECKSUMS, "".join(lines))


# -- scanning ----------------------------------------------------------------------------------
class SecretScanner:
    """Finds named secrets in bytes, in each written form."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self.secrets = {name: value for name, value in secrets.items() if value}
        self._forms: list[tuple[str, str, bytes, re.Pattern[bytes] | None]] = []
        for name, value in self.secrets.items():
            for form in sorted(encoded_forms(value)):
                label = "in clear" if form == value else "encoded"
                pattern = None
                if value.isdigit() or len(value) < 6:
                    # Standing on its own only: not inside a longer number or word.
                    pattern = re.compile(rb"(?<![0-9A-Za-z])" + re.escape(form.encode()) + rb"(?![0-9A-Za-z])")
                self._forms.append((name, label, form.encode(), pattern))

    def _find_in_text(self, data: bytes) -> set[str]:
        found: set[str] = set()
        for name, label, form, pattern in self._forms:
            hit = pattern.search(data) if pattern is not None else form in data
            if hit:
                found.add(f"{name} ({label})")
        return found

    def _find_in_binary(self, data: bytes) -> set[str]:
        return {f"{name} ({label})" for name, label, form, pattern in self._forms if pattern is None and form in data}

    def scan(self, name: str, data: bytes) -> Iterator[Finding]:
        """Findings for one artifact; zips are opened and their entries scanned too."""
        if data.startswith(b"PK\x03\x04"):
            try:
                archive = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                archive = None
            if archive is not None:
                for entry in archive.namelist():
                    yield from self.scan(f"{name}!{entry}", archive.read(entry))
                return
        if data.startswith(BINARY_MAGIC):
            for what in sorted(self._find_in_binary(data)):
                yield Finding(name, f"contains {what}")
            return
        for match in _DATA_URI.finditer(data):
            yield from self.scan(f"{name} (embedded {match.group(1).decode()})", base64.b64decode(match.group(2)))
        text = _DATA_URI.sub(b"data:", data)
        found = self._find_in_json(text) if name.endswith((".trace", ".network", ".stacks", ".json")) else None
        if found is None:
            found = self._find_in_text(text)
        if name.endswith(".trace"):
            found |= self._spread_over_keystrokes(text)
        for what in sorted(found):
            yield Finding(name, f"contains {what}")

    def _find_in_json(self, data: bytes) -> set[str] | None:
        """Scan the strings of JSON (or JSON lines) only; None when it is not JSON."""
        try:
            documents = [keyed_stacks(json.loads(line)) for line in data.decode("utf-8").splitlines() if line.strip()]
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        texts = [text for document in documents for text in _strings(document)]
        # Every string is searched at once, apart from its neighbours: a NUL stands between
        # two, which no secret holds and which counts as the edge of a word, as a string's
        # own ends do. A string's JSON-escaped form is what the file held: it is searched too.
        joined = "\0".join(texts).encode("utf-8")
        escaped = "\0".join(json.dumps(text)[1:-1] for text in texts).encode("utf-8")
        return self._find_in_text(joined) | self._find_in_text(escaped)

    def _spread_over_keystrokes(self, data: bytes) -> set[str]:
        """A secret typed one character per action, found by joining single-character inputs."""
        typed: list[str] = []
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict) and event.get("type") == "before":
                params = event.get("params") or {}
                typed += [v for k, v in params.items() if k in TYPED_KEYS and isinstance(v, str) and len(v) == 1]
        joined = "".join(typed)
        return {f"{name} (typed one character at a time)" for name, v in self.secrets.items() if v in joined}


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            if key not in CALL_ID_KEYS:  # a call's number, which a PIN may equal by chance
                yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


# -- verification ----------------------------------------------------------------------------
def verify_run(run_dir: Path, secrets: Mapping[str, str]) -> list[Finding]:
    """Everything wrong with a run folder: changed, missing or unlisted files, and leaks."""
    manifest_path = run_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = {a["path"]: a for a in manifest["artifacts"]}
    except (OSError, ValueError, KeyError, TypeError):
        return [Finding(MANIFEST, "missing, unreadable or without an artifact list")]
    findings: list[Finding] = _checksum_findings(run_dir)
    for path, artifact in listed.items():
        file = run_dir / path
        if not file.is_file():
            findings.append(Finding(path, "listed in the manifest but missing"))
        elif file.stat().st_size != artifact["size"] or sha256_of(file) != artifact["sha256"]:
            findings.append(Finding(path, "changed since the run (its SHA-256 does not match the manifest)"))
    for file in sorted(run_dir.rglob("*")):
        relative = file.relative_to(run_dir).as_posix()
        if file.is_file() and relative not in (MANIFEST, CHECKSUMS) and relative not in listed:
            findings.append(Finding(relative, "not listed in the manifest"))
    scanner = SecretScanner(secrets)
    for file in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        findings.extend(scanner.scan(file.relative_to(run_dir).as_posix(), file.read_bytes()))
    return findings


def _checksum_findings(run_dir: Path) -> list[Finding]:
    """The manifest (and anything else) that differs from SHA256SUMS."""
    try:
        lines = (run_dir / CHECKSUMS).read_text(encoding="utf-8").splitlines()
    except OSError:
        return [Finding(CHECKSUMS, "missing: the manifest itself cannot be checked")]
    sums: dict[str, str] = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        sums[name] = digest
    if MANIFEST not in sums:
        return [Finding(CHECKSUMS, "does not list the manifest")]
    if not (run_dir / MANIFEST).is_file() or sha256_of(run_dir / MANIFEST) != sums[MANIFEST]:
        return [Finding(MANIFEST, f"changed since the run (its SHA-256 does not match {CHECKSUMS})")]
    return []


def totp_codes_around(secret: str, started: str | None, ended: str | None) -> list[str]:
    """The 2FA codes a TOTP secret gave while the run went on (a window either side)."""
    if not started:
        return []
    try:
        generator = totp(secret)
        first = datetime.fromisoformat(started).timestamp() - 60
        last = datetime.fromisoformat(ended or started).timestamp() + 60
    except ValueError:
        return []
    return sorted({generator.at(t) for t in range(int(first), int(last) + 1, 30)})


def environment_secrets(environ: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    return {name: environ[name] for name in names if environ.get(name)}
