"""The accounts page's forms (admins), as `hotline staff add|set|disable|enable` do: adding an
account (the role, and for a translator the languages they translate), changing an account's
role, languages and reviews-translations flag, and disabling or enabling it. The rules (the
last admin stays, an admin has a second factor) are hotline/staff/accounts.py's; a second
factor's secret is shown once."""
from __future__ import annotations

import pyotp
from flask import render_template, request

from hotline.errors import AccountError
from hotline.core.languages import ENGLISH
from hotline.staff.accounts import CAN_PUBLISH, ROLES
from hotline.staff.console.views import bp, console, signed_in, who


def _page(status: int = 200, **shown):
    shown.setdefault("form", {})
    return render_template("console/accounts.html", accounts=console().accounts.all(), roles=ROLES,
                           languages=[c for c in console().settings.languages if c != ENGLISH], **shown), status


def _secret(username: str, secret: str | None):
    if not secret:
        return None
    return secret, pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="hotline staff")


@bp.post("/accounts")
@signed_in(CAN_PUBLISH)
def accounts_add():
    form = request.form
    try:
        account, secret = console().accounts.add(
            form.get("username", "").strip(), form.get("role", ""), form.get("password", ""),
            with_totp=bool(form.get("totp")) or None, languages=form.getlist("languages"),
            reviews_translations=bool(form.get("reviews_translations")), by=who())
    except AccountError as exc:
        return _page(400, error=str(exc), form=form)
    return _page(added=account, secret=_secret(account.username, secret))


@bp.post("/accounts/<username>")
@signed_in(CAN_PUBLISH)
def accounts_change(username: str):
    """The whole row's form: its role, its languages (none ticked is none) and its flag."""
    form = request.form
    return _changed(username, role=form.get("role", ""), languages=form.getlist("languages"),
                    reviews_translations=bool(form.get("reviews_translations")))


@bp.post("/accounts/<username>/disable")
@signed_in(CAN_PUBLISH)
def accounts_disable(username: str):
    return _changed(username, active=False)


@bp.post("/accounts/<username>/enable")
@signed_in(CAN_PUBLISH)
def accounts_enable(username: str):
    return _changed(username, active=True)


def _changed(username: str, **change):
    try:
        account, secret = console().accounts.change(username, by=who(), **change)
    except AccountError as exc:
        return _page(400, change_error=(username, str(exc)))
    return _page(changed=account, secret=_secret(account.username, secret))


@bp.app_context_processor
def _account_form_globals():
    return {"account_roles": ROLES}
