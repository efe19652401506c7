"""Adding an account from the console's accounts page (admins), as `hotline staff add` does:
the role, and for a translator the languages they translate; the second factor's secret is
shown once."""
from __future__ import annotations

import pyotp
from flask import render_template, request

from hotline.errors import AccountError
from hotline.core.languages import ENGLISH
from hotline.staff.accounts import CAN_PUBLISH, ROLES
from hotline.staff.console.views import bp, console, signed_in, who


@bp.post("/accounts")
@signed_in(CAN_PUBLISH)
def accounts_add():
    form = request.form
    error, added, uri = None, None, None
    try:
        account, secret = console().accounts.add(
            form.get("username", "").strip(), form.get("role", ""), form.get("password", ""),
            with_totp=bool(form.get("totp")) or None, languages=form.getlist("languages"),
            reviews_translations=bool(form.get("reviews_translations")), by=who())
    except AccountError as exc:
        error = str(exc)
    else:
        added = account
        if secret:
            uri = (secret, pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name="hotline staff"))
    return render_template("console/accounts.html", accounts=console().accounts.all(), error=error, added=added,
                           secret=uri, roles=ROLES, form=form if error else {},
                           languages=[c for c in console().settings.languages if c != ENGLISH]), (400 if error else 200)


@bp.app_context_processor
def _account_form_globals():
    return {"account_roles": ROLES}
