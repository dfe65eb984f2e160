"""A local stand-in for app.plex.tv and plex.tv, following ``plex-ui-spec.md``.

``SandboxServer`` runs it in-process on a free port; ``plexbook sandbox`` runs it in the
foreground. The demo household (``demo_household()``) is fresh at every start.
"""

from plexbook.sandbox.faults import Faults
from plexbook.sandbox.server import SandboxServer
from plexbook.sandbox.state import Household, HouseholdError, SandboxState, demo_household, load_household
from plexbook.sandbox.variants import PRESETS, Variant, variant

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
