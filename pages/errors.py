"""What a screen can answer that ends a flow: refusals Plex shows to the user."""

from __future__ import annotations


class PlexRefused(Exception):
    """Plex showed a refusal on screen; the message is Plex's own wording."""


class SignInRefused(PlexRefused):
    """The sign-in form refused the credentials or the verification code."""


class PinRefused(PlexRefused):
    """A PIN dialog refused the PIN (or the attempts were rate limited)."""


class PasswordRefused(PlexRefused):
    """The PIN Reset page refused the current password."""


class UnexpectedScreen(Exception):
    """The screen did not reach the state the flow expected."""
