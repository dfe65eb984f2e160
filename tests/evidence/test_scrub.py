"""The scrubber and the scanner on crafted trace content: no browser needed."""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from plexbook.evidence import SecretScanner
from plexbook.scrub import REDACTED, Scrubber, base64_forms, drop_earlier_traffic, scrub_trace

PASSWORD = "hunter-22-secret"
PIN = "2468"


def test_a_long_secret_goes_wherever_it_stands() -> None:
    scrubber = Scrubber([PASSWORD])
    assert scrubber.text(f'fill("{PASSWORD}")') == f'fill("{REDACTED}")'


@pytest.mark.parametrize("encode", [quote, quote_plus], ids=["percent", "plus"])
def test_a_long_secret_goes_url_encoded_too(encode: Callable[..., str]) -> None:
    secret = "pa ss/w\u00f6rd&1-x"
    encoded = encode(secret, safe="")
    assert encoded != secret
    assert Scrubber([secret]).text(f"q={encoded}&y=1") == f"q={REDACTED}&y=1"


def test_a_pin_goes_only_where_it_stands_alone() -> None:
    scrubber = Scrubber([PIN])
    assert scrubber.text(f"PIN is {PIN}.") == f"PIN is {REDACTED}."
    # Inside longer numbers and identifiers it is a coincidence, and those must survive.
    assert scrubber.text("1795772468129") == "1795772468129"
    assert scrubber.text("a2468b") == "a2468b"


def test_sensitive_query_and_form_values_go_whatever_they_are() -> None:
    scrubber = Scrubber([])
    url = "http://h/api/home/users/1?pin=&currentPin=9999&X-Plex-Token=abc&other=1"
    assert scrubber.text(url) == f"http://h/api/home/users/1?pin=&currentPin={REDACTED}&X-Plex-Token={REDACTED}&other=1"
    assert scrubber.text("login=a%40b.c&password=pw") == f"login=a%40b.c&password={REDACTED}"


def test_structural_keys_headers_tokens_and_typed_text() -> None:
    scrubber = Scrubber([PIN])
    event = {
        "type": "before",
        "callId": "call@2468",
        "params": {"selector": 'internal:label="PIN"', "text": PIN},
    }
    scrubbed = json.loads(scrubber.json_lines(json.dumps(event).encode()))
    assert scrubbed["callId"] == "call@2468"  # renaming it would break the trace
    assert scrubbed["params"]["text"] == REDACTED
    network = {
        "request": {"headers": [{"name": "X-Plex-Token", "value": "tok"}, {"name": "Accept", "value": "1"}]},
        "cookies": [{"name": "session", "value": "c00kie"}],
    }
    cleaned = scrubber.json(network)
    assert cleaned["request"]["headers"] == [
        {"name": "X-Plex-Token", "value": REDACTED},
        {"name": "Accept", "value": "1"},
    ]
    assert cleaned["cookies"][0]["value"] == REDACTED
    assert json.loads(scrubber.resource(b'{"authToken": "zzz", "title": "Alex"}')) == {
        "authToken": REDACTED,
        "title": "Alex",
    }


def test_single_digit_keystrokes_of_a_pin_are_removed() -> None:
    scrubber = Scrubber([PIN])
    lines = [{"type": "before", "callId": f"c{i}", "params": {"key": digit}} for i, digit in enumerate(PIN)]
    lines.append({"type": "before", "callId": "c9", "params": {"key": "Enter"}})
    out = [json.loads(line) for line in scrubber.json_lines("\n".join(map(json.dumps, lines)).encode()).splitlines()]
    assert [e["params"]["key"] for e in out] == [REDACTED] * 4 + ["Enter"]


def test_dom_snapshot_values_of_secret_fields_are_removed() -> None:
    scrubber = Scrubber([PIN])
    snapshot = [
        "DIV",
        {},
        ["INPUT", {"type": "password", "__playwright_value_": "whatever"}],
        ["INPUT", {"type": "tel", "__playwright_value_": "6"}],
        ["INPUT", {"type": "email", "__playwright_value_": "a@b.c"}],
    ]
    cleaned = scrubber.json(snapshot)
    assert [child[1]["__playwright_value_"] for child in cleaned[2:]] == [REDACTED, REDACTED, "a@b.c"]


def test_scrub_trace_rewrites_a_zip_that_stays_a_zip(tmp_path: Path) -> None:
    trace = tmp_path / "trace.zip"
    with zipfile.ZipFile(trace, "w") as archive:
        archive.writestr("trace.trace", json.dumps({"type": "before", "callId": "c", "params": {"text": PASSWORD}}))
        archive.writestr("trace.network", json.dumps({"url": f"http://h/?pin={PIN}"}))
        archive.writestr("resources/abc.dat", f"login=x&password={PASSWORD}")
        archive.writestr("resources/src@abc.txt", "source")
    scrub_trace(trace, [PASSWORD, PIN])
    with zipfile.ZipFile(trace) as archive:
        assert sorted(archive.namelist()) == ["resources/abc.dat", "trace.network", "trace.trace"]
        blob = b"".join(archive.read(n) for n in archive.namelist())
    assert PASSWORD.encode() not in blob
    assert PIN.encode() not in blob


def test_scanner_finds_every_written_form() -> None:
    scanner = SecretScanner({"PLEX_PASSWORD": "pa ss/word+1"})
    forms = {
        "clear": b"x pa ss/word+1 y",
        "url": b"p=pa%20ss%2Fword%2B1",
        "plus": b"p=pa+ss%2Fword%2B1",
        "json": json.dumps({"a": 'say "pa ss/word+1"'}).encode(),
        "base64": b"zz" + base64.b64encode(b"..pa ss/word+1..") + b"zz",
    }
    for label, data in forms.items():
        assert list(scanner.scan(f"{label}.txt", data)), label


def test_base64_forms_cover_every_alignment() -> None:
    secret = b"sandbox-pass-1"
    forms = base64_forms(secret)
    for prefix in (b"", b"a", b"ab", b"abc"):
        assert any(form in base64.b64encode(prefix + secret + b"tail").decode() for form in forms)


def test_a_later_chunk_loses_earlier_api_calls_and_their_bodies_only() -> None:
    def request(at: float, kind: str, method: str, url: str, body: str | None) -> bytes:
        content = {"_file": f"resources/{body}"} if body else {}
        snapshot = {"_monotonicTime": at, "_resourceType": kind, "request": {"method": method, "url": url}}
        return json.dumps(
            {"type": "resource-snapshot", "snapshot": {**snapshot, "response": {"content": content}}}
        ).encode()

    network = [
        request(10, "fetch", "PUT", "http://h/api/home/users/1002?pin=", "earlier.json"),
        request(11, "document", "POST", "http://h/signin", None),
        request(12, "image", "GET", "http://h/users/1/avatar", "avatar.svg"),
        request(13, "fetch", "GET", "http://h/api/v2/home/users", "shared.json"),
        request(50, "fetch", "GET", "http://h/api/v2/home/users", "shared.json"),
        request(60, "fetch", "PUT", "http://h/api/home/users/1001?pin=", "own.json"),
    ]
    entries = {
        "trace.trace": json.dumps({"type": "context-options", "monotonicTime": 40}).encode() + b"\n{}",
        "trace.network": b"\n".join(network) + b"\n",
        **{f"resources/{name}": b"{}" for name in ("earlier.json", "avatar.svg", "shared.json", "own.json")},
    }
    whole = dict(entries)
    drop_earlier_traffic(entries)
    urls = [json.loads(line)["snapshot"]["request"]["url"] for line in entries["trace.network"].splitlines()]
    assert urls == ["http://h/users/1/avatar", "http://h/api/v2/home/users", "http://h/api/home/users/1001?pin="]
    assert sorted(entries) == [
        "resources/avatar.svg",
        "resources/own.json",
        "resources/shared.json",
        "trace.network",
        "trace.trace",
    ]
    # A whole trace, or the first chunk, began before any request: it keeps everything.
    first = {**whole, "trace.trace": json.dumps({"type": "context-options", "monotonicTime": 0}).encode()}
    drop_earlier_traffic(first)
    assert first == {**whole, "trace.trace": first["trace.trace"]}
