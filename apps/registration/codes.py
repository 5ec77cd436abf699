"""Codes a person types: invitation and recovery codes, application secrets.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), shown in two
groups of five. What the person types is forgiven: case, spaces, dashes, and Cyrillic letters
that look like Latin ones (a Russian keyboard layout is the usual one). Only a keyed hash is
stored, so a copy of the database does not let anyone register.
"""

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 10
GROUP = 5

# Cyrillic letters a person may type for the Latin ones that look the same.
LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")


def generate() -> str:
    """A new code, formatted for reading: «KM7QX-4HTRC»."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalize(typed: str) -> str:
    return "".join(ch for ch in (typed or "").upper().translate(LOOKALIKES) if ch.isalnum())


def digest(typed: str, *, purpose: str = "code") -> str:
    """The stored form of a code (its HMAC under the site's secret key)."""
    return salted_hmac(f"apps.registration.{purpose}", normalize(typed), algorithm="sha256").hexdigest()


def looks_valid(typed: str) -> bool:
    value = normalize(typed)
    return len(value) == LENGTH and all(ch in ALPHABET for ch in value)
