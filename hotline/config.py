"""Settings, read from the environment once at start-up and checked there.

| variable                   | default                 | meaning |
|----------------------------|-------------------------|---------|
| TWILIO_AUTH_TOKEN          | (required)              | checks X-Twilio-Signature on every webhook |
| HOTLINE_PUBLIC_URL         | the request's own URL   | base URL as Twilio sees it (behind a proxy) |
| REDIS_URL                  | embedded store          | session store shared by all workers |
| HOTLINE_REDIS_CLUSTER      | off                     | REDIS_URL names a node of a Redis Cluster (redis-py's RedisCluster) |
| HOTLINE_METRICS_TOKEN      | off                     | bearer token for GET /metrics (Prometheus); without it there is no such route |
| HOTLINE_SECRET_KEY         | (required)              | key for caller pseudonyms; 32+ characters |
| HOTLINE_DEV                | off                     | development mode: no token or key needed, says so loudly |
| HOTLINE_STATE_TTL          | 259200 (3 days)         | seconds a caller's place in the menus is kept |
| HOTLINE_LANG_TTL           | 7776000 (90 days)       | seconds a caller's language is remembered |
| HOTLINE_REDIS_TIMEOUT      | 0.25                    | seconds to wait for Redis before answering without it |
| HOTLINE_FLOWS_DIR          | ./flows (the folder started in, else the checkout) | the flow scripts |
| HOTLINE_TRANSLATIONS_DIR   | ./translations          | the gettext catalogs |
| HOTLINE_LANGUAGES          | all nine                | comma-separated language codes to serve |
| HOTLINE_RELOAD_SIGNAL      | HUP                     | signal that makes a server process reload its content; `off` for none |
| HOTLINE_WATCH              | off                     | reload when the flow or catalog files change (checked every interval) |
| HOTLINE_WATCH_INTERVAL     | 5                       | seconds between those checks |
| HOTLINE_OPTOUT_TTL         | 31536000 (365 days)     | seconds a STOP is remembered (Twilio blocks the number too) |
| HOTLINE_RATE_WINDOW        | 60                      | seconds in one rate-limit window |
| HOTLINE_CALLER_LIMIT       | 12                      | messages and calls from one number in a window before the line goes quiet for it |
| HOTLINE_LINE_LIMIT         | 600                     | replies the whole line sends in a window before it answers only with a short notice |
| HOTLINE_PROXY_HOPS         | 0                       | proxies in front of the app whose X-Forwarded-* headers are trusted (ProxyFix) |
| HOTLINE_URL_FRAGMENT       | none                    | connection overrides on the webhook URLs in Twilio, e.g. `rc=2&ct=1000` |
| HOTLINE_REDIS_TLS_VERIFY   | on                      | `off`: a rediss:// REDIS_URL with a self-signed certificate (Heroku Key-Value Store) |
| HOTLINE_DATABASE_URL       | instance/hotline.sqlite3 | staff's database (revisions, accounts); `off`: serve the files, no console |
| HOTLINE_CONSOLE            | on                      | the staff console at /staff/ (`off` to serve it from another process only) |
| HOTLINE_LIVE_INTERVAL      | 2                       | seconds between looks at the database's live revision |
| HOTLINE_SEND_RATE          | 1                       | text messages a second from the hotline's number (Twilio: 1 for a local number) |
| HOTLINE_OUTBOX             | off                     | development only: write outbound texts as JSON files in this folder, send none |
| HOTLINE_LOOKUP             | off                     | Twilio Lookup line-type check before texting a caller (a fee per lookup) |
| HOTLINE_NUMBER             | (none)                  | the hotline's own Twilio number (E.164): volunteer caller ID, SMS sender, the card |
| TWILIO_ACCOUNT_SID         | (none)                  | with TWILIO_AUTH_TOKEN and HOTLINE_NUMBER: text messages can be sent |
| HOTLINE_VOICE_MAX_CALL     | 1800                    | seconds a call may last before the line says goodbye |
| HOTLINE_RECORDINGS_DIR     | ./recordings            | recorded clips, <language>/<clip id>.mp3 |
| HOTLINE_RECORDINGS_URL     | this app                | where Twilio fetches the clips, if they are hosted elsewhere |
| HOTLINE_VOLUNTEER_NUMBERS  | off                     | on-call phones, rung all at once (at most 10), e.g. +16075550111,+16075550112 |
| HOTLINE_VOLUNTEER_HOURS    | required with numbers   | when they answer, America/New_York, e.g. `mon-fri 09:00-17:00; sat 10:00-14:00` |
| HOTLINE_VOLUNTEER_RING     | 20                      | seconds to ring before giving up |
| HOTLINE_VOLUNTEER_REFERRALS| ona,idp                 | referral ids said when nobody answers |
| HOTLINE_VOICEMAIL          | off                     | on: callers may leave a message (kept in Twilio, never here) |
| HOTLINE_FONTS_DIR          | the system's fonts      | where the pocket card looks for its fonts first |
| HOTLINE_RESPONDER_NUMBERS  | off                     | trained responders' phones, comma-separated E.164 (at most 10): the report loop |
| HOTLINE_RESPONDER_HOURS    | required with numbers   | when they are on shift, e.g. `mon-sun 07:00-22:00` (America/New_York) |
| HOTLINE_REPORT_CONFIRMATIONS | 2                     | CONFIRMs from different responders that make a verified alert |
| HOTLINE_ALERT_HOURS        | 6                       | hours a verified alert is told to everyone (and a report's code and status kept) |
| HOTLINE_REPORTS_PER_DAY    | 3                       | reports one caller may send in a day |
| HOTLINE_REPORT_DIGEST_AFTER| 3                       | relays in ten minutes before responders get digests instead |
| HOTLINE_REPORT_DIGEST_SECONDS | 300                  | how long a digest gathers reports before it is sent |

Every setting is read here, once: the phone line, the volunteers, the responders and the card
read these values, never the environment. The volunteer line is configured only here, never in the flow
files (which are public); with no volunteer numbers the phone menu has no volunteer item.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import os
import secrets
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from pydantic import ValidationError

from hotline.content.model import Hours, Opening
from hotline.core.hours import DAYS, OpenNow, status
from hotline.errors import ConfigError
from hotline.core.languages import LANGUAGES

if TYPE_CHECKING:  # the phone settings are checked against the content once it has loaded
    from hotline.content.bundle import Content

ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
# "x" * 40 is long but guessable; a random key of 32+ characters has far more distinct ones.
MIN_SECRET_DISTINCT = 8
_TRUE = {"1", "true", "yes", "on"}


# argon2id's cost (time cost, memory in KiB, lanes): argon2-cffi's own default, RFC 9106's
# low-memory choice; about 0.2 s a hash here.
PASSWORD_COST = (3, 65536, 4)


@dataclass(frozen=True)
class Settings:
    auth_token: str | None = None
    public_url: str | None = None
    redis_url: str | None = None
    redis_cluster: bool = False
    metrics_token: str | None = None
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
    # The staff database (hotline/content/db): None serves the files in flows_dir as before.
    database_url: str | None = None
    console: bool = True
    live_interval: float = 2.0
    # Outbound texts (hotline/session/outbound.py).
    send_rate: float = 1.0
    outbox_dir: Path | None = None
    lookup: bool = False
    # The phone line's own settings (its number, recordings, volunteers): read with the rest.
    phone: "PhoneSettings" = field(default_factory=lambda: PhoneSettings())
    # Where the pocket card looks for fonts first (HOTLINE_FONTS_DIR), before the system's.
    fonts_dir: Path | None = None
    # The verified-report loop's responders and rules (None: no report loop).
    reports: "ReportSettings | None" = None
    # argon2id's cost for staff passwords (hotline/staff/accounts.py). Deliberately not read
    # from the environment, so a weaker hash cannot be configured by mistake; the test suite
    # passes a tiny one (tests/conftest.py).
    password_cost: tuple[int, int, int] = PASSWORD_COST

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            "auth_token": env.get("TWILIO_AUTH_TOKEN") or None,
            "public_url": env.get("HOTLINE_PUBLIC_URL") or None,
            "redis_url": _redis_url(env),
            "secret_key": env.get("HOTLINE_SECRET_KEY", ""),
            "dev": env.get("HOTLINE_DEV", "").strip().lower() in _TRUE,
            "redis_cluster": env.get("HOTLINE_REDIS_CLUSTER", "").strip().lower() in _TRUE,
            "metrics_token": env.get("HOTLINE_METRICS_TOKEN") or None,
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
            ("send_rate", "HOTLINE_SEND_RATE", float),
        ):
            if env.get(var):
                try:
                    values[name] = kind(env[var])
                except ValueError:
                    raise ConfigError(f"{var} must be a number, not {env[var]!r}") from None
        base = content_root()
        for name, var, folder in (("flows_dir", "HOTLINE_FLOWS_DIR", "flows"),
                                  ("translations_dir", "HOTLINE_TRANSLATIONS_DIR", "translations")):
            values[name] = Path(env[var]) if env.get(var) else base / folder
        database = env.get("HOTLINE_DATABASE_URL", "").strip() or f"sqlite:///{base / 'instance' / 'hotline.sqlite3'}"
        values["database_url"] = None if database.lower() in ("off", "none", "0", "no", "false") else database
        values["console"] = env.get("HOTLINE_CONSOLE", "on").strip().lower() not in ("off", "0", "no", "false")
        if env.get("HOTLINE_LIVE_INTERVAL"):
            try:
                values["live_interval"] = float(env["HOTLINE_LIVE_INTERVAL"])
            except ValueError:
                raise ConfigError("HOTLINE_LIVE_INTERVAL must be a number of seconds") from None
        values["watch"] = env.get("HOTLINE_WATCH", "").strip().lower() in _TRUE
        values["lookup"] = env.get("HOTLINE_LOOKUP", "").strip().lower() in _TRUE
        if env.get("HOTLINE_OUTBOX"):
            values["outbox_dir"] = Path(env["HOTLINE_OUTBOX"])
        if "HOTLINE_RELOAD_SIGNAL" in env:
            values["reload_signal"] = _signal_name(env["HOTLINE_RELOAD_SIGNAL"])
        if env.get("HOTLINE_LANGUAGES"):
            values["languages"] = tuple(c.strip() for c in env["HOTLINE_LANGUAGES"].split(",") if c.strip())
        if env.get("HOTLINE_PHONE_NUMBER"):
            raise ConfigError("HOTLINE_PHONE_NUMBER has been renamed: set HOTLINE_NUMBER (the hotline's own number, "
                              "in E.164 form like +16075550100) and unset HOTLINE_PHONE_NUMBER")
        values["phone"] = PhoneSettings.from_env(env)
        values["reports"] = ReportSettings.from_env(env)
        if env.get("HOTLINE_FONTS_DIR"):
            values["fonts_dir"] = Path(env["HOTLINE_FONTS_DIR"])
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
        if not 0 < self.live_interval <= 10:
            raise ConfigError("HOTLINE_LIVE_INTERVAL must be more than 0 and at most 10 seconds: "
                              "a publish reaches every worker within that")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ConfigError("HOTLINE_METRICS_TOKEN must be at least 16 random characters (or unset: no /metrics)")
        if self.redis_cluster and not self.redis_url:
            raise ConfigError("HOTLINE_REDIS_CLUSTER needs REDIS_URL naming one node of the cluster")
        if self.watch_interval <= 0:
            raise ConfigError("HOTLINE_WATCH_INTERVAL must be a positive number of seconds")
        if not 0 < self.send_rate <= 100:
            raise ConfigError("HOTLINE_SEND_RATE is text messages a second (more than 0, at most 100)")
        if self.outbox_dir and not self.dev:
            raise ConfigError("HOTLINE_OUTBOX writes texts to files instead of sending them: development mode only "
                              "(HOTLINE_DEV=1)")
        unknown = [c for c in self.languages if c not in LANGUAGES]
        if unknown:
            raise ConfigError(f"HOTLINE_LANGUAGES has unknown codes {unknown}; known: {', '.join(LANGUAGES)}")
        if self.dev and not self.secret_key:
            return dataclasses.replace(self, secret_key=secrets.token_urlsafe(32), secret_generated=True).checked()
        if self.dev and not self.auth_token:
            return self  # no real caller can reach a server without Twilio's token
        # From here on real callers can reach the server (a token is set), so development mode
        # weakens nothing: the same checks as production.
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


def _redis_url(env: Mapping[str, str]) -> str | None:
    """REDIS_URL; with HOTLINE_REDIS_TLS_VERIFY=off, a TLS (rediss://) connection that does not
    check the server's certificate. Heroku's Key-Value Store serves TLS with a self-signed
    certificate and manages REDIS_URL itself (it changes on maintenance), so the option cannot
    be written into the URL by hand; its traffic is still encrypted."""
    url = env.get("REDIS_URL") or None
    if url and url.startswith("rediss://") and env.get("HOTLINE_REDIS_TLS_VERIFY", "").strip().lower() in (
            "off", "0", "no", "false") and "ssl_cert_reqs=" not in url:
        url += ("&" if "?" in url else "?") + "ssl_cert_reqs=none"
    return url


def content_root() -> Path:
    """The folder whose flows/ and translations/ are served: the one the server is started in
    (gunicorn from a checkout or a deploy), else the checkout this code is in."""
    here = Path.cwd()
    return here if (here / "flows").is_dir() else ROOT


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def check_listen(host: str, dev: bool) -> None:
    """Development mode answers without Twilio's signature (no token) and may write texts to
    files: it listens on this machine only, never on a network."""
    if host.startswith("unix:"):  # a socket file on this machine
        return
    if host.startswith("[") and "]" in host:  # "[::1]:8000"
        name = host[1:host.index("]")]
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if dev and not (name in LOOPBACK or name.startswith("127.")):
        raise ConfigError(f"development mode (HOTLINE_DEV) listens on loopback only (127.0.0.1), not {host!r}")


def _signal_name(raw: str) -> str | None:
    """`HUP`, `SIGHUP` or `sighup` -> "SIGHUP"; `off`, `none` or empty -> no reload signal."""
    name = raw.strip().upper()
    if name in ("", "OFF", "NONE", "0", "NO", "FALSE"):
        return None
    name = name if name.startswith("SIG") else "SIG" + name
    if name not in signal.Signals.__members__ or name in ("SIGKILL", "SIGSTOP"):
        raise ConfigError(f"HOTLINE_RELOAD_SIGNAL: {raw!r} is not a signal this system can catch (try HUP or USR2, or off)")
    return name


# --- the phone line ------------------------------------------------------------------------

# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
MAX_NUMBERS = 10  # Twilio's <Dial> rings at most ten <Number>s at once


@dataclass(frozen=True)
class _Schedule:
    """What referrals.status reads of a referral (its hours, and that they are confirmed)."""

    hours: Hours
    unconfirmed: tuple[str, ...] = ()


def whole_number(env: Mapping[str, str], variable: str, default: int, low: int | None, high: int | None,
                 unit: str = "") -> int:
    """A whole-number setting: `default` when the variable is unset or empty, else its value
    within [low, high] (None: unbounded); anything else stops start-up saying what is allowed."""
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    what = f"a number of {unit}" if unit else "a whole number"
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{variable} must be {what}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(f"{variable} must be between {low} and {high}{' ' + unit if unit else ''}")
    return value


def _number(default: int, variable: str, low: int, high: int):
    """A dataclass field read by whole_number: its default, its variable and its range, in one place."""
    return field(default=default, metadata={"variable": variable, "range": (low, high)})


def _on_duty(hours: Hours, now: dt.datetime) -> bool:
    return isinstance(status(_Schedule(hours), now), OpenNow)


def _shift(env: Mapping[str, str], numbers_var: str, hours_var: str, example: str,
           too_many: str) -> tuple[tuple[str, ...], Hours] | None:
    """The phones of people on a shift and the shift's hours (volunteers, responders); None
    when the numbers are not set. Never echoes a number: it says which positions are wrong."""
    raw = env.get(numbers_var, "").strip()
    if not raw:
        return None
    numbers = tuple(n.strip() for n in raw.split(",") if n.strip())
    bad = [str(i) for i, n in enumerate(numbers, start=1) if not E164.match(n)]
    if bad or not numbers:
        raise ConfigError(f"{numbers_var}: entries {', '.join(bad)} are not E.164 numbers like +16075550100")
    if len(numbers) > MAX_NUMBERS:
        raise ConfigError(f"{numbers_var}: at most {MAX_NUMBERS} {too_many}")
    hours_text = env.get(hours_var, "").strip()
    if not hours_text:
        raise ConfigError(f"{hours_var} is required with {numbers_var}, e.g. '{example}' (America/New_York)")
    try:
        return numbers, parse_hours(hours_text)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("HOTLINE_VOLUNTEER_HOURS", hours_var)) from None


@dataclass(frozen=True)
class Volunteers:
    numbers: tuple[str, ...]
    hours: Hours
    ring_seconds: int = 20
    referrals: tuple[str, ...] = ("ona", "idp")
    voicemail: bool = False

    def on_duty(self, now: dt.datetime) -> bool:
        return _on_duty(self.hours, now)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Volunteers | None":
        shift = _shift(env, "HOTLINE_VOLUNTEER_NUMBERS", "HOTLINE_VOLUNTEER_HOURS",
                       "mon-fri 09:00-17:00; sat 10:00-14:00", "numbers can ring at once")
        if shift is None:
            return None
        ring = whole_number(env, "HOTLINE_VOLUNTEER_RING", 20, 5, 60, "seconds")
        referrals = tuple(r.strip() for r in env.get("HOTLINE_VOLUNTEER_REFERRALS", "ona,idp").split(",") if r.strip())
        return cls(*shift, ring, referrals, env.get("HOTLINE_VOICEMAIL", "").strip().lower() in _TRUE)


# --- the report loop (hotline/reports) -------------------------------------------------------

_NOT_DIAL = re.compile(r"[^\d]")


def canonical_digits(number: str) -> str:
    """The digits of a number however Twilio wrote it ("sms:+1 607-555-0100" -> "16075550100")."""
    return _NOT_DIAL.sub("", number.split(":", 1)[-1])


@dataclass(frozen=True)
class ReportSettings:
    """Who the responders are, when they are on shift, and how the report loop behaves.
    Without responder numbers there is no report loop: REPORT says nobody is checking reports
    and gives the ONA number, and nothing is kept."""

    responders: tuple[str, ...]
    hours: Hours
    # Each number with the variable that changes it and the range it may take (from_env).
    confirmations: int = _number(2, "HOTLINE_REPORT_CONFIRMATIONS", 1, MAX_NUMBERS)  # responders who must confirm
    alert_hours: int = _number(6, "HOTLINE_ALERT_HOURS", 1, 48)  # how long a verified alert stands
    per_day: int = _number(3, "HOTLINE_REPORTS_PER_DAY", 1, 20)  # reports one caller may send a day
    digest_after: int = _number(3, "HOTLINE_REPORT_DIGEST_AFTER", 1, 100)  # this many reports waiting: one digest
    digest_seconds: int = _number(300, "HOTLINE_REPORT_DIGEST_SECONDS", 10, 1800)  # ...at most this often

    def on_shift(self, now: dt.datetime) -> bool:
        return _on_duty(self.hours, now)

    def is_responder(self, number: str) -> bool:
        return canonical_digits(number) in {canonical_digits(n) for n in self.responders}

    @property
    def alert_seconds(self) -> int:
        return self.alert_hours * 3600

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "ReportSettings | None":
        shift = _shift(env, "HOTLINE_RESPONDER_NUMBERS", "HOTLINE_RESPONDER_HOURS", "mon-sun 07:00-22:00", "responders")
        if shift is None:
            return None
        values = {f.name: whole_number(env, f.metadata["variable"], f.default, *f.metadata["range"])
                  for f in dataclasses.fields(cls) if "variable" in f.metadata}
        settings = cls(*shift, **values)
        if settings.confirmations > len(settings.responders):
            raise ConfigError(f"HOTLINE_REPORT_CONFIRMATIONS is {settings.confirmations}, but only "
                              f"{len(settings.responders)} responders are configured: no report could ever be verified")
        return settings


def _days(text: str) -> tuple[str, ...]:
    days: list[str] = []
    for item in text.split(","):
        first, _, last = item.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ConfigError(f"HOTLINE_VOLUNTEER_HOURS: '{item.strip()}' is not a day or range like mon-fri")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.extend(DAYS[i % 7] for i in range(start, start + (end - start) % 7 + 1))
    return tuple(dict.fromkeys(days))


def parse_hours(text: str) -> Hours:
    """'mon-fri 09:00-17:00; sat,sun 10:00-14:00' -> Hours, checked like a referral's hours."""
    openings = []
    for group in (g.strip() for g in text.lower().split(";")):
        if not group:
            continue
        days, _, times = group.rpartition(" ")
        opens, _, closes = times.partition("-")
        try:
            openings.append(Opening(days=_days(days), open=opens, close=closes))
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"HOTLINE_VOLUNTEER_HOURS: '{group}': {reason}") from None
    if not openings:
        raise ConfigError("HOTLINE_VOLUNTEER_HOURS has no opening times")
    return Hours(weekly=tuple(openings))


@dataclass(frozen=True)
class PhoneSettings:
    max_call_seconds: int = 1800
    recordings_dir: Path = ROOT / "recordings"
    recordings_url: str | None = None
    hotline_number: str | None = None
    account_sid: str | None = None
    volunteers: Volunteers | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "PhoneSettings":
        env = os.environ if env is None else env
        return cls(
            # at least 60 is checked with the content (checked()); no upper bound: Twilio's own is 4 hours
            max_call_seconds=whole_number(env, "HOTLINE_VOICE_MAX_CALL", 1800, None, None, "seconds"),
            recordings_dir=Path(env["HOTLINE_RECORDINGS_DIR"]) if env.get("HOTLINE_RECORDINGS_DIR") else ROOT / "recordings",
            recordings_url=env.get("HOTLINE_RECORDINGS_URL") or None,
            hotline_number=env.get("HOTLINE_NUMBER") or None,
            account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            volunteers=Volunteers.from_env(env),
        )

    def checked(self, content: Content) -> "PhoneSettings":
        if self.max_call_seconds < 60:
            raise ConfigError("HOTLINE_VOICE_MAX_CALL must be at least 60 seconds")
        if self.hotline_number and not E164.match(self.hotline_number):
            raise ConfigError("HOTLINE_NUMBER must be the hotline's Twilio number in E.164 form, like +16075550100")
        if self.recordings_url and not self.recordings_url.startswith("https://"):
            raise ConfigError("HOTLINE_RECORDINGS_URL must start with https://")
        if self.volunteers:
            if not self.hotline_number:
                raise ConfigError("the volunteer line needs HOTLINE_NUMBER: volunteers see it as the caller ID")
            unknown = [r for r in self.volunteers.referrals if r not in content.script.referrals]
            if unknown:
                raise ConfigError(f"HOTLINE_VOLUNTEER_REFERRALS names {unknown}, which are not in referrals.yaml")
        return self

    @property
    def fallback_referrals(self) -> tuple[str, ...]:
        return self.volunteers.referrals if self.volunteers else ()
