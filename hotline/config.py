"""Settings, read from the environment once at start-up and checked there.

| variable                   | default                 | meaning |
|----------------------------|-------------------------|---------|
| TWILIO_AUTH_TOKEN          | (required)              | checks X-Twilio-Signature on every webhook |
| HOTLINE_PUBLIC_URL         | the request's own URL   | base URL as Twilio sees it (behind a proxy) |
| REDIS_URL                  | embedded store          | session store shared by all workers |
| HOTLINE_REDIS_CLUSTER      | off                     | REDIS_URL names a node of a Redis Cluster (redis-py's RedisCluster) |
| HOTLINE_SECRET_KEY         | (required)              | key for caller pseudonyms; 32+ characters |
| HOTLINE_DEV                | off                     | development mode: no token or key needed, says so loudly |
| HOTLINE_STATE_TTL          | 259200 (3 days)         | seconds a caller's place in the menus is kept |
| HOTLINE_LANG_TTL           | 7776000 (90 days)       | seconds a caller's language is remembered |
| HOTLINE_REDIS_TIMEOUT      | 0.25                    | seconds to wait for Redis before answering without it |
| HOTLINE_FLOWS_DIR          | ./flows of the checkout | the flow scripts |
| HOTLINE_TRANSLATIONS_DIR   | ./translations          | the gettext catalogs |
| HOTLINE_LANGUAGES          | all nine                | comma-separated language codes to serve |
| HOTLINE_RELOAD_SIGNAL      | HUP                     | signal that makes a server process reload its content; `off` for none |
| HOTLINE_WATCH              | off                     | reload when the flow or catalog files change (checked every interval) |
| HOTLINE_WATCH_INTERVAL     | 5                       | seconds between those checks |
| HOTLINE_OPTOUT_TTL         | 31536000 (365 days)     | seconds a STOP is remembered (Twilio blocks the number too) |
| HOTLINE_RATE_WINDOW        | 60                      | seconds in one rate-limit window |
| HOTLINE_CALLER_LIMIT       | 12                      | messages one number may send in a window before the line goes quiet for it |
| HOTLINE_LINE_LIMIT         | 600                     | replies the whole line sends in a window before it answers only with a short notice |
| HOTLINE_PROXY_HOPS         | 0                       | proxies in front of the app whose X-Forwarded-* headers are trusted (ProxyFix) |
| HOTLINE_URL_FRAGMENT       | none                    | connection overrides on the webhook URLs in Twilio, e.g. `rc=2&ct=1000` |
"""
from __future__ import annotations

import dataclasses
import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from hotline.errors import ConfigError
from hotline.content.catalogs.languages import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
# "x" * 40 is long but guessable; a random key of 32+ characters has far more distinct ones.
MIN_SECRET_DISTINCT = 8
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    auth_token: str | None = None
    public_url: str | None = None
    redis_url: str | None = None
    redis_cluster: bool = False
    secret_key: str = ""
    dev: bool = False
    state_ttl: int = 3 * 24 * 3600
    lang_ttl: int = 90 * 24 * 3600
    redis_timeout: float = 0.25
    flows_dir: Path = ROOT / "flows"
    translations_dir: Path = ROOT / "translations"
    languages: tuple[str, ...] = LANGUAGES
    optout_ttl: int = 365 * 24 * 3600
    rate_window: int = 60
    caller_limit: int = 12
    line_limit: int = 600
    proxy_hops: int = 0
    url_fragment: str | None = None
    # Set when the key was made up for this process (development only): state does not
    # survive a restart, and the log says so.
    secret_generated: bool = False
    # Publishing (hotline/session/publishing.py): how a running server picks up edited content.
    reload_signal: str | None = "SIGHUP"
    watch: bool = False
    watch_interval: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "auth_token": env.get("TWILIO_AUTH_TOKEN") or None,
            "public_url": env.get("HOTLINE_PUBLIC_URL") or None,
            "redis_url": env.get("REDIS_URL") or None,
            "secret_key": env.get("HOTLINE_SECRET_KEY", ""),
            "dev": env.get("HOTLINE_DEV", "").strip().lower() in _TRUE,
            "redis_cluster": env.get("HOTLINE_REDIS_CLUSTER", "").strip().lower() in _TRUE,
            "url_fragment": env.get("HOTLINE_URL_FRAGMENT", "").lstrip("#") or None,
        }
        for name, var, kind in (
            ("state_ttl", "HOTLINE_STATE_TTL", int),
            ("lang_ttl", "HOTLINE_LANG_TTL", int),
            ("redis_timeout", "HOTLINE_REDIS_TIMEOUT", float),
            ("watch_interval", "HOTLINE_WATCH_INTERVAL", float),
            ("optout_ttl", "HOTLINE_OPTOUT_TTL", int),
            ("rate_window", "HOTLINE_RATE_WINDOW", int),
            ("caller_limit", "HOTLINE_CALLER_LIMIT", int),
            ("line_limit", "HOTLINE_LINE_LIMIT", int),
            ("proxy_hops", "HOTLINE_PROXY_HOPS", int),
        ):
            if env.get(var):
                try:
                    values[name] = kind(env[var])
                except ValueError:
                    raise ConfigError(f"{var} must be a number, not {env[var]!r}") from None
        for name, var in (("flows_dir", "HOTLINE_FLOWS_DIR"), ("translations_dir", "HOTLINE_TRANSLATIONS_DIR")):
            if env.get(var):
                values[name] = Path(env[var])
        values["watch"] = env.get("HOTLINE_WATCH", "").strip().lower() in _TRUE
        if "HOTLINE_RELOAD_SIGNAL" in env:
            values["reload_signal"] = _signal_name(env["HOTLINE_RELOAD_SIGNAL"])
        if env.get("HOTLINE_LANGUAGES"):
            values["languages"] = tuple(c.strip() for c in env["HOTLINE_LANGUAGES"].split(",") if c.strip())
        values.update(overrides)
        return cls(**values).checked()

    def checked(self) -> "Settings":
        if self.state_ttl <= 0 or self.lang_ttl <= 0:
            raise ConfigError("HOTLINE_STATE_TTL and HOTLINE_LANG_TTL must be positive: every stored key needs a TTL")
        if self.optout_ttl <= 0 or self.rate_window <= 0:
            raise ConfigError("HOTLINE_OPTOUT_TTL and HOTLINE_RATE_WINDOW must be positive: every stored key needs a TTL")
        if self.caller_limit < 1 or self.line_limit < 1:
            raise ConfigError("HOTLINE_CALLER_LIMIT and HOTLINE_LINE_LIMIT must be at least 1")
        if not 0 <= self.proxy_hops <= 5:
            raise ConfigError("HOTLINE_PROXY_HOPS is the number of proxies in front of the app (0 to 5)")
        if not 0 < self.redis_timeout <= 2:
            raise ConfigError("HOTLINE_REDIS_TIMEOUT must be more than 0 and at most 2 seconds: "
                              "Twilio gives a webhook 15 seconds in all")
        if self.public_url and not self.public_url.startswith(("https://", "http://")):
            raise ConfigError("HOTLINE_PUBLIC_URL must start with https:// (the URL Twilio calls)")
        if self.redis_cluster and not self.redis_url:
            raise ConfigError("HOTLINE_REDIS_CLUSTER needs REDIS_URL naming one node of the cluster")
        if self.watch_interval <= 0:
            raise ConfigError("HOTLINE_WATCH_INTERVAL must be a positive number of seconds")
        unknown = [c for c in self.languages if c not in LANGUAGES]
        if unknown:
            raise ConfigError(f"HOTLINE_LANGUAGES has unknown codes {unknown}; known: {', '.join(LANGUAGES)}")
        if self.dev:
            if not self.secret_key:
                return dataclasses.replace(self, secret_key=secrets.token_urlsafe(32), secret_generated=True)
            return self
        if not self.auth_token:
            raise ConfigError("TWILIO_AUTH_TOKEN is not set: without it anyone could post to the webhooks. "
                              "Set it, or set HOTLINE_DEV=1 to run unprotected on your own machine.")
        if len(self.secret_key) < MIN_SECRET_LENGTH or len(set(self.secret_key)) < MIN_SECRET_DISTINCT:
            raise ConfigError(f"HOTLINE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters "
                              "(try: python -c 'import secrets; print(secrets.token_urlsafe(32))'); "
                              "it keeps caller pseudonyms from being reversed.")
        if self.secret_key == self.auth_token:
            raise ConfigError("HOTLINE_SECRET_KEY must not be the Twilio auth token: anyone with the token "
                              "could then turn pseudonyms back into phone numbers.")
        return self

    @property
    def secret(self) -> bytes:
        return self.secret_key.encode()


def _signal_name(raw: str) -> str | None:
    """`HUP`, `SIGHUP` or `sighup` -> "SIGHUP"; `off`, `none` or empty -> no reload signal."""
    name = raw.strip().upper()
    if name in ("", "OFF", "NONE", "0", "NO", "FALSE"):
        return None
    name = name if name.startswith("SIG") else "SIG" + name
    if name not in signal.Signals.__members__ or name in ("SIGKILL", "SIGSTOP"):
        raise ConfigError(f"HOTLINE_RELOAD_SIGNAL: {raw!r} is not a signal this system can catch (try HUP or USR2, or off)")
    return name
