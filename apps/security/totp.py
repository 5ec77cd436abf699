"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps,
six digits — what every authenticator app (Яндекс Ключ, Google Authenticator, FreeOTP…) uses.
Standard library only."""

import base64
import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, urlencode

STEP = 30
DIGITS = 6
DRIFT = 1  # steps either side accepted: a phone's clock a little off still works


def new_secret() -> str:
    """160 random bits, base32 without padding (as the apps expect it typed or scanned)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    secret = secret.replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    mac = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(moment: float) -> int:
    return int(moment // STEP)


def code_at(secret: str, moment: float | None = None, digits: int = DIGITS) -> str:
    return hotp(_key(secret), step_at(time.time() if moment is None else moment), digits)


def matching_step(secret: str, code: str, *, after_step: int = 0, moment: float | None = None) -> int | None:
    """The time step whose code this is (within the drift), or None. Steps up to `after_step`
    were used already and are refused, so an overheard code cannot be replayed."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret)
    now = step_at(time.time() if moment is None else moment)
    for step in range(now - DRIFT, now + DRIFT + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """otpauth:// URI of the Key URI Format that authenticator apps read from a QR code."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"


def qr_svg_data_uri(uri: str) -> str:
    """The URI as a QR code, an SVG data: URI drawn on the server (no script, nothing fetched)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into a phone."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
