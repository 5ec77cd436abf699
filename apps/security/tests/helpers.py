"""Browsers for the security tests: each a test client with its own User-Agent and address."""

import html
import re

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def browser(user_agent=FIREFOX, ip="203.0.113.10", **kwargs) -> Client:
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip, **kwargs)


def sign_in(client, username, password=PASSWORD, **extra):
    """What a person does on the sign-in page."""
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def text(response) -> str:
    """The visible text of <main>, tags stripped, whitespace collapsed."""
    body = response.content.decode()
    main = body[body.index("<main") : body.index("</main>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def signed_in(client) -> bool:
    return client.get(reverse("security:index")).status_code == 200
