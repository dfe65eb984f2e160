"""Secrets as values that do not print themselves.

A :class:`Secret` shows as ``Secret('PLEX_PIN', ****)`` in reprs, f-strings, logs and
exception messages; code that must type or send it calls :meth:`Secret.reveal`.
"""

from __future__ import annotations

import re

PIN_RE = re.compile(r"[0-9]{4}\Z")


class Secret:
    """A secret value and the variable it came from."""

    __slots__ = ("_value", "name")

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self._value = value

    def reveal(self) -> str:
        """The value in clear, for typing into the page or sending to the API."""
        return self._value

    def is_pin(self) -> bool:
        return bool(PIN_RE.match(self._value))

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, ****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
