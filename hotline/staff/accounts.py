"""Staff accounts: argon2id passwords, TOTP second factor, throttled sign-in, the audit log.

argon2-cffi: argon2id is the password hash OWASP recommends first (memory-hard: a stolen
table costs an attacker memory per guess, not just time). pyotp: the RFC 6238 codes every
authenticator app shows. Roles:

    admin       accounts, publish, rollback, the audit log
    editor      drafts
    reviewer    legal sign-off (and drafts)
    translator  the catalogs of their languages (`--languages fa_AF,ps`); with
                `--reviews-translations`, marks those catalogs reviewed (a native speaker)

Admins, editors and reviewers may edit every catalog; a translator only those of their
languages. Marking a catalog reviewed takes an account with that language and the
reviews_translations flag, whatever its role.

Anyone who can publish (admin) must have a second factor: their sign-in asks for it, and an
admin account cannot be created without one; an account made admin later gets one then.

An account's role, languages and reviews-translations flag can be changed, and an account
disabled (it cannot sign in, and a session it has ends at its next request) and enabled
again; never so that no active admin is left. Every change is in the audit log.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import hmac
import io
import time

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from hotline.config import PASSWORD_COST
from hotline.content.db import Database
from hotline.core.languages import ENGLISH, LANGUAGES
from hotline.content.db.models import Account, AuditEntry, Throttle, utcnow
from hotline.errors import AccountError

ROLES = ("admin", "editor", "reviewer", "translator")
CAN_PUBLISH = {"admin"}
CAN_EDIT = {"admin", "editor", "reviewer"}
CAN_REVIEW = {"reviewer"}
MIN_PASSWORD = 12

# Sign-in throttling: this many failures within the window locks the account (or the address)
# for the lockout; a success clears the account's count.
MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)


def needs_totp(role: str) -> bool:
    return role in CAN_PUBLISH


def parse_languages(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """"fa_AF, ps" -> ("fa_AF", "ps"); AccountError naming a code the hotline does not know."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = tuple(dict.fromkeys(code.strip() for code in items if code.strip()))
    unknown = [code for code in codes if code not in LANGUAGES or code == ENGLISH]
    if unknown:
        raise AccountError(f"no catalog for {', '.join(unknown)}: the languages are "
                           f"{', '.join(c for c in LANGUAGES if c != ENGLISH)}")
    return codes


def languages_of(account: Account | None) -> tuple[str, ...]:
    return tuple(code for code in (account.languages or "").split(",") if code) if account else ()


def may_translate(account: Account | None, code: str) -> bool:
    """Admins, editors and reviewers edit any catalog; a translator those of their languages."""
    if account is None or code == ENGLISH:
        return False
    return account.role in CAN_EDIT | CAN_PUBLISH or code in languages_of(account)


def may_review_catalog(account: Account | None, code: str) -> bool:
    """A native speaker of the language, flagged as one who reviews translations."""
    return account is not None and bool(account.reviews_translations) and code in languages_of(account)


class Accounts:
    def __init__(self, database: Database, address_key: bytes, cost: tuple[int, int, int] = PASSWORD_COST):
        self.db = database
        self.address_key = address_key  # staff addresses are kept only as keyed hashes
        time_cost, memory_kib, lanes = cost
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=lanes)

    @functools.cached_property
    def _dummy(self) -> str:
        """Verifying against this when the account does not exist takes as long as a real
        check, so the time of an answer does not tell which usernames exist."""
        return self.hasher.hash("not a password of anyone")

    def add(self, username: str, role: str, password: str, with_totp: bool | None = None,
            languages: str | list[str] | tuple[str, ...] | None = None, reviews_translations: bool = False,
            by: str = "command line") -> tuple[Account, str | None]:
        """Create an account. Returns it and its TOTP secret (shown once) when it has one."""
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        codes = parse_languages(languages)
        if role == "translator" and not codes:
            raise AccountError("a translator needs the languages they translate (--languages fa_AF,ps)")
        if reviews_translations and not codes:
            raise AccountError("a reviewer of translations needs the languages they review (--languages es)")
        if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
            raise AccountError("a username is letters, digits, '.', '-' and '_' (at most 64)")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        with_totp = needs_totp(role) if with_totp is None else (with_totp or needs_totp(role))
        secret = pyotp.random_base32() if with_totp else None
        with self.db.session() as session, session.begin():
            if session.scalar(select(Account).where(Account.username == username)) is not None:
                raise AccountError(f"there is already an account {username!r}")
            account = Account(username=username, role=role, password_hash=self.hasher.hash(password),
                              totp_secret=secret, created_at=utcnow(), languages=",".join(codes),
                              reviews_translations=bool(reviews_translations))
            session.add(account)
        scope = (f", {','.join(codes)}" if codes else "") + (", reviews translations" if reviews_translations else "")
        audit(self.db, by, "account added", f"{username} ({role}{scope})")
        return account, secret

    def change(self, username: str, role: str | None = None,
               languages: str | list[str] | tuple[str, ...] | None = None,
               reviews_translations: bool | None = None, active: bool | None = None,
               by: str = "command line") -> tuple[Account, str | None]:
        """Change what is given (None leaves it as it is). Returns the account and, when the
        new role needs a second factor the account did not have, its TOTP secret (shown once)."""
        if role is not None and role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        codes = parse_languages(languages) if languages is not None else None
        secret = None
        with self.db.session() as session, session.begin():
            account = session.scalar(select(Account).where(Account.username == username))
            if account is None:
                raise AccountError(f"there is no account {username!r}")
            was = _describe(account)
            new_role = account.role if role is None else role
            new_codes = languages_of(account) if codes is None else codes
            new_reviews = bool(account.reviews_translations) if reviews_translations is None else bool(reviews_translations)
            new_active = bool(account.active) if active is None else bool(active)
            if new_role == "translator" and not new_codes:
                raise AccountError("a translator needs the languages they translate (--languages fa_AF,ps)")
            if new_reviews and not new_codes:
                raise AccountError("a reviewer of translations needs the languages they review (--languages es)")
            if account.role in CAN_PUBLISH and account.active and (new_role not in CAN_PUBLISH or not new_active):
                # Locked (on PostgreSQL) so two admins demoting each other at once cannot both succeed.
                admins = session.scalars(select(Account).where(Account.role.in_(CAN_PUBLISH), Account.active.is_(True))
                                         .with_for_update()).all()
                if not [a for a in admins if a.id != account.id]:
                    raise AccountError(f"{username} is the last active admin: make another account admin first "
                                       f"(someone must be able to publish and manage accounts)")
            account.role, account.languages = new_role, ",".join(new_codes)
            account.reviews_translations, account.active = new_reviews, new_active
            if needs_totp(new_role) and not account.totp_secret:
                secret = account.totp_secret = pyotp.random_base32()
                account.totp_last_step = 0
            now = _describe(account)
        changes = [f"{key} {was[key]} -> {now[key]}" for key in now if was[key] != now[key]]
        if secret:
            changes.append("second factor set up")
        if changes:
            audit(self.db, by, "account changed", f"{username}: " + "; ".join(changes))
        return account, secret

    def get(self, username: str) -> Account | None:
        with self.db.session() as session:
            return session.scalar(select(Account).where(Account.username == username))

    def all(self) -> list[Account]:
        with self.db.session() as session:
            return list(session.scalars(select(Account).order_by(Account.username)))

    # ---- signing in ------------------------------------------------------------------------

    def address_key_of(self, address: str) -> str:
        return "addr:" + hmac.new(self.address_key, address.encode(), hashlib.sha256).hexdigest()[:40]

    def locked(self, *keys: str) -> bool:
        now = utcnow()
        with self.db.session() as session:
            for key in keys:
                row = session.get(Throttle, key)
                if row is not None and row.locked_until is not None and _aware(row.locked_until) > now:
                    return True
        return False

    def _failed(self, *keys: str) -> None:
        now = utcnow()
        with self.db.session() as session, session.begin():
            for key in keys:
                row = session.get(Throttle, key)
                if row is None or now - _aware(row.first_at) > WINDOW:
                    if row is None:
                        row = Throttle(key=key)
                        session.add(row)
                    row.failures, row.first_at, row.locked_until = 0, now, None
                row.failures += 1
                if row.failures >= MAX_FAILURES:
                    row.locked_until = now + LOCKOUT

    def _cleared(self, key: str) -> None:
        with self.db.session() as session, session.begin():
            row = session.get(Throttle, key)
            if row is not None:
                session.delete(row)

    def sign_in(self, username: str, password: str, code: str, address: str) -> Account:
        """The account, or AccountError with one message for every kind of failure (a wrong
        password, code or username read alike), or a lockout message."""
        account_key, address_key = "acct:" + username.lower()[:64], self.address_key_of(address)
        if self.locked(account_key, address_key):
            audit(self.db, username[:64] or "?", "sign-in refused", "locked out after repeated failures")
            raise AccountError("Too many failed sign-ins: this account or address is locked for 15 minutes.")
        account = self.get(username)
        ok = self._verify(account.password_hash if account else self._dummy, password) and account is not None and account.active
        if ok and account.totp_secret:
            ok = self._totp_ok(account, code)
        if not ok:
            self._failed(account_key, address_key)
            audit(self.db, username[:64] or "?", "sign-in failed", "")
            raise AccountError("The username, password or code is not right.")
        self._cleared(account_key)
        if self.hasher.check_needs_rehash(account.password_hash):  # a hash made at another cost
            self._set_hash(account.id, self.hasher.hash(password))
        audit(self.db, account.username, "signed in", account.role)
        return account

    def _totp_ok(self, account: Account, code: str) -> bool:
        code = "".join(ch for ch in code if ch.isdigit())
        totp = pyotp.TOTP(account.totp_secret)
        now = time.time()
        for drift in (0, -1, 1):  # a phone's clock may be a little off
            step = int(now // totp.interval) + drift
            if step > account.totp_last_step and hmac.compare_digest(totp.at(step * totp.interval), code):
                with self.db.session() as session, session.begin():
                    session.get(Account, account.id).totp_last_step = step
                return True
        return False

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _set_hash(self, account_id: int, value: str) -> None:
        with self.db.session() as session, session.begin():
            session.get(Account, account_id).password_hash = value


def _describe(account: Account) -> dict[str, str]:
    return {"role": account.role, "languages": account.languages or "none",
            "reviews translations": "yes" if account.reviews_translations else "no",
            "status": "active" if account.active else "disabled"}


def _aware(when: dt.datetime) -> dt.datetime:
    # SQLite gives datetimes back without their zone; they were written in UTC.
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


# ---- the audit log ----------------------------------------------------------------------

def audit(database: Database, actor: str, action: str, detail: str = "") -> None:
    with database.session() as session, session.begin():
        session.add(AuditEntry(actor=actor[:64], action=action[:32], detail=detail, at=utcnow()))


def audit_entries(database: Database, limit: int = 500) -> list[AuditEntry]:
    with database.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))


def audit_csv(database: Database) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when (UTC)", "who", "what", "detail"])
    for entry in reversed(audit_entries(database, limit=1_000_000)):
        writer.writerow([_aware(entry.at).isoformat(timespec="seconds"), entry.actor, entry.action, entry.detail])
    return out.getvalue()
