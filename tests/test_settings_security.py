"""Start-up refuses what would make the hotline unsafe in production."""
from __future__ import annotations

import pytest

from hotline.config import Settings
from hotline.errors import ConfigError

TOKEN = "twilio-token-0123456789abcdef"
GOOD = "k7Fq-2xZ_pL9mW3vB8nR4tY6uH1jC5dE0aG"


@pytest.mark.parametrize("secret", ["", "short", "x" * 64, "abab" * 10, "0123456" * 5])
def test_production_refuses_a_weak_secret(secret):
    with pytest.raises(ConfigError, match="HOTLINE_SECRET_KEY"):
        Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": secret})


def test_production_refuses_the_auth_token_as_the_secret():
    token = GOOD
    with pytest.raises(ConfigError, match="must not be the Twilio auth token"):
        Settings.from_env({"TWILIO_AUTH_TOKEN": token, "HOTLINE_SECRET_KEY": token})


def test_a_random_secret_is_accepted():
    import secrets

    for _ in range(20):
        Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32)})
        Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": secrets.token_hex(16)})


def test_the_app_does_not_start_with_a_weak_secret(make_app):
    with pytest.raises(ConfigError):
        make_app(redis_url=None, secret_key="y" * 40)


@pytest.mark.parametrize("var,value", [
    ("HOTLINE_OPTOUT_TTL", "0"), ("HOTLINE_RATE_WINDOW", "-1"), ("HOTLINE_CALLER_LIMIT", "0"),
    ("HOTLINE_LINE_LIMIT", "0"), ("HOTLINE_PROXY_HOPS", "9"), ("HOTLINE_REDIS_TIMEOUT", "5"),
    ("HOTLINE_CALLER_LIMIT", "many"),
])
def test_limits_ttls_and_timeouts_are_checked(var, value):
    with pytest.raises(ConfigError):
        Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": GOOD, var: value})


def test_limits_come_from_the_environment():
    settings = Settings.from_env({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET_KEY": GOOD, "HOTLINE_CALLER_LIMIT": "20",
                                  "HOTLINE_LINE_LIMIT": "100", "HOTLINE_RATE_WINDOW": "30", "HOTLINE_OPTOUT_TTL": "86400"})
    assert (settings.caller_limit, settings.line_limit, settings.rate_window, settings.optout_ttl) == (20, 100, 30, 86400)
