"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) through pyotp: HMAC-SHA1, 30-second
steps, six digits — what every authenticator app (Яндекс Ключ, Google Authenticator, FreeOTP…) uses.
The secrets are base32 without padding, as they have always been stored (TOTPDevice.secret)."""

import time

import pyotp
from pyotp.utils import strings_equal

STEP = 30
DIGITS = 6
DRIFT = 1  # steps either side accepted: a phone's clock a little off still works


def new_secret() -> str:
    """160 random bits, base32 without padding (as the apps expect it typed or scanned)."""
    return pyotp.random_base32(32)


def _totp(secret: str, digits: int = DIGITS) -> pyotp.TOTP:
    # The secret as shown («ABCD EFGH …») or typed in lower case is the same secret.
    return pyotp.TOTP(secret.replace(" ", "").upper(), digits=digits, interval=STEP)


def step_at(moment: float) -> int:
    return int(moment // STEP)


def code_at(secret: str, moment: float | None = None, digits: int = DIGITS) -> str:
    return _totp(secret, digits).generate_otp(step_at(time.time() if moment is None else moment))


def matching_step(secret: str, code: str, *, after_step: int = 0, moment: float | None = None) -> int | None:
    """The time step whose code this is (within the drift), or None. Steps up to `after_step`
    were used already and are refused, so an overheard code cannot be replayed."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    otp = _totp(secret)
    now = step_at(time.time() if moment is None else moment)
    for step in range(now - DRIFT, now + DRIFT + 1):
        if step > after_step and strings_equal(otp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """otpauth:// URI of the Key URI Format that authenticator apps read from a QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg_data_uri(uri: str) -> str:
    """The URI as a QR code, an SVG data: URI drawn on the server (no script, nothing fetched)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into a phone."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
