"""The article's flows, one module each, found by name through ``RUNBOOKS``."""

from plexbook.runbook import Runbook
from plexbook.runbooks import managed_user_pin, remove_pin, reset_pin

RUNBOOKS: dict[str, Runbook] = {
    book.name: book for book in (remove_pin.RUNBOOK, reset_pin.RUNBOOK, managed_user_pin.RUNBOOK)
}

__all__ = ["RUNBOOKS"]
