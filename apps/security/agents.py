"""A readable name for a browser from its User-Agent: enough to recognise one's own devices."""

import re

from django.utils.translation import gettext as _

_BROWSERS = [  # order matters: most User-Agents claim to be several browsers
    (re.compile(r"YaBrowser/(\d+)"), "Яндекс Браузер"),
    (re.compile(r"Edg(?:e|A|iOS)?/(\d+)"), "Edge"),
    (re.compile(r"(?:OPR|Opera)/(\d+)"), "Opera"),
    (re.compile(r"(?:Firefox|FxiOS)/(\d+)"), "Firefox"),
    (re.compile(r"(?:Chrome|CriOS)/(\d+)"), "Chrome"),
    (re.compile(r"Chromium/(\d+)"), "Chromium"),
    (re.compile(r"Version/(\d+)[\d.]* (?:Mobile/\S+ )?Safari/"), "Safari"),
]
_SYSTEMS = [
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"Linux"), "Linux"),
]


def describe(user_agent: str) -> str:
    """«Chrome 120, Windows»; «Неизвестный браузер» when nothing is recognised."""
    user_agent = user_agent or ""
    browser = next(
        (f"{name} {m.group(1)}" for pattern, name in _BROWSERS if (m := pattern.search(user_agent))),
        "",
    )
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), "")
    described = ", ".join(p for p in (browser, system) if p)
    return described or _("Неизвестный браузер")
