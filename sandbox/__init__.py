"""A local stand-in for app.plex.tv and plex.tv, following ``plex-ui-spec.md``.

``SandboxServer`` runs it in-process on a free port; ``plexbook sandbox`` runs it in the
foreground. The demo household (``demo_household()``) is fresh at every start.

Names are imported on first use: the web server behind them is needed only when a sandbox
runs, not by every ``plexbook`` command that mentions one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from plexbook.sandbox.faults import Faults
    from plexbook.sandbox.server import SandboxServer
    from plexbook.sandbox.state import Household, HouseholdError, SandboxState, demo_household, load_household
    from plexbook.sandbox.variants import PRESETS, Variant, variant

_WHERE = {
    "Faults": "faults",
    "SandboxServer": "server",
    "Household": "state",
    "HouseholdError": "state",
    "SandboxState": "state",
    "demo_household": "state",
    "load_household": "state",
    "PRESETS": "variants",
    "Variant": "variants",
    "variant": "variants",
}

__all__ = [
    "PRESETS",
    "Faults",
    "Household",
    "HouseholdError",
    "SandboxServer",
    "SandboxState",
    "Variant",
    "demo_household",
    "load_household",
    "variant",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
