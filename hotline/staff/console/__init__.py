"""The staff console at /staff/: edit a draft, check it, preview it, have it reviewed, publish.

A Flask blueprint in the hotline's own app (HOTLINE_CONSOLE=off leaves it out: serve it from
a second process on a private address instead, README "The staff console"). Server-rendered
pages; every asset is served from static/ here (no CDN, no web font: staff of a human rights
office are tracked by no one); the JavaScript is a few lines of our own plus Mermaid (bundled
from the npm package) for the flow diagram.

    accounts.py (hotline/staff)  passwords, second factor, throttling, the audit log
    publish.py  (hotline/staff)  check, legal review, publish, rollback
    simulator.py                 the draft by text and by phone, on a store of its own
    views.py                     the pages
    translators.py               the translator's pages (catalogs: hotline/staff/catalog_edit.py)
    referral_upkeep.py           which referrals to call first; marking one verified
    account_forms.py             adding an account from the accounts page
    recordings.py                the clips the phone line plays: record, upload, listen, approve
    security.py                  session cookie, idle timeout, CSRF, security headers

Nothing here reads or shows a caller's data: the console knows the content and the staff.
"""
from __future__ import annotations


def init_app(app) -> None:
    from hotline.staff.console import (account_forms, recordings, referral_upkeep,  # noqa: F401  (their pages join the blueprint)
                                       translators)
    from hotline.staff.console.views import bp, setup

    setup(app)
    app.register_blueprint(bp)
