"""Helpers for the console tests: an app with a staff database, accounts, signing in."""
from __future__ import annotations

import re

import pyotp
import pytest

PASSWORD = "a long staff passphrase"


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


class Staff:
    """One person at one browser: a test client of their own (their own cookie)."""

    def __init__(self, app, username: str, role: str, **account):
        self.app = app
        self.username = username
        # account: languages="es", reviews_translations=True (hotline/staff/accounts.py)
        _, self.secret = app.extensions["hotline_console"].accounts.add(username, role, PASSWORD, **account)
        self.client = app.test_client()
        self.token = ""
        self.last_step = 0

    def code(self) -> str:
        if not self.secret:
            return ""
        # A code is accepted once: the next sign-in uses the next 30 s step's code (accepted
        # as a clock a little ahead), as a person signing in again a minute later would.
        import time

        totp = pyotp.TOTP(self.secret)
        step = max(int(time.time() // 30), self.last_step + 1)
        self.last_step = step
        return totp.at(step * 30)

    def get(self, path: str, **kw):
        response = self.client.get(path, base_url="https://hotline.example.org", **kw)
        if response.status_code == 200 and "csrf_token" in response.get_data(as_text=True):
            self.token = csrf(response)
        return response

    def post(self, path: str, data: dict | None = None, token: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token if token is None else token)
        return self.client.post(path, data=data, base_url="https://hotline.example.org", **kw)

    def sign_in(self, password: str = PASSWORD, code: str | None = None):
        self.get("/staff/signin")
        return self.post("/staff/signin", {"username": self.username, "password": password,
                                           "code": self.code() if code is None else code})


@pytest.fixture
def console_app(make_app, redis_url, database_url):
    return make_app(redis_url=redis_url, database_url=database_url)
