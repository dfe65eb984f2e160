"""RFC 6238 codes (30 s, 6 digits) for two-factor sign-in, from a base32 secret."""

from __future__ import annotations

import binascii
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyotp


@cache
def _totp_class() -> type[pyotp.TOTP]:
    # pyotp is imported when a code is first needed: listing the runbooks needs none.
    import pyotp

    class _Totp(pyotp.TOTP):
        # Authenticator secrets of 80 bits (16 base32 characters) are common and valid under
        # RFC 6238; pyotp's default floor of 112 bits would refuse them.
        min_secret_length_bits = 80

    return _Totp


def totp(secret: str) -> pyotp.TOTP:
    """A TOTP generator/verifier for ``secret``; ValueError when it is not valid base32."""
    try:
        return _totp_class()(secret.replace(" ", "").upper())
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"not a valid TOTP secret ({exc})") from None
