"""Accounts changed after they are made (role, languages, the reviews-translations flag,
disabled and enabled), on the accounts page and by command line; every page's links followed
as every role; publishing a draft whose English moved on from its catalogs. On SQLite and
PostgreSQL, with a real Redis behind the hotline."""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import polib
import pyotp
import pytest
from click.testing import CliRunner

from console_db import database_url  # noqa: F401  (fixture)
from console_helpers import Staff, console_app  # noqa: F401  (fixture)
from conftest import Twilio, message_text
from hotline.content.editing import nodes_of
from hotline.errors import AccountError
from hotline.staff import catalog_edit as ce
from hotline.staff.accounts import may_translate

ES = ce.po_name("es")
OLD_ENGLISH = "What is happening?"


def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def audit_log(admin: Staff) -> str:
    return page_text(admin.get("/staff/audit"))


def change_main_menu(editor: Staff, text: str) -> None:
    """An editor rewrites the main menu's question in English (through the node form)."""
    revisions = editor.app.extensions["hotline_revisions"]
    _, node = nodes_of((revisions.open_draft() or revisions.live()).files)["main_menu"]
    form = {"text": text}
    for i, item in enumerate(node["menu"], start=1):
        form[f"menu_label_{i}"], form[f"menu_goto_{i}"] = item["label"], item["goto"]
    editor.get("/staff/nodes/main_menu")
    assert editor.post("/staff/nodes/main_menu", form).status_code == 302


# ---- changing accounts ---------------------------------------------------------------------

def test_an_admin_changes_an_account_and_disables_it_on_the_accounts_page(console_app):
    accounts = console_app.extensions["hotline_console"].accounts
    admin = Staff(console_app, "admin1", "admin")
    maria = Staff(console_app, "maria", "translator", languages="es")
    for person in (admin, maria):
        assert person.sign_in().status_code == 302
    assert maria.get("/staff/translate/ar").status_code == 403
    page = admin.get("/staff/accounts")
    assert 'action="/staff/accounts/maria"' in page.get_data(as_text=True)
    changed = admin.post("/staff/accounts/maria", {"role": "translator", "languages": ["es", "ar"],
                                                   "reviews_translations": "1"})
    assert changed.status_code == 200, page_text(changed)
    assert "Account maria: translator, es, ar, reviews translations, active" in page_text(changed)
    account = accounts.get("maria")
    assert account.languages == "es,ar" and account.reviews_translations and account.totp_secret is None
    # the change holds at once, in the session maria already has
    assert maria.get("/staff/translate/ar").status_code == 200
    # broken input is refused with the reason, and nothing changes
    refused = admin.post("/staff/accounts/maria", {"role": "translator"})
    assert refused.status_code == 400 and "maria not changed: a translator needs the languages" in page_text(refused)
    assert admin.post("/staff/accounts/maria", {"role": "boss", "languages": ["es"]}).status_code == 400
    assert admin.post("/staff/accounts/nobody", {"role": "editor"}).status_code == 400
    assert accounts.get("maria").languages == "es,ar" and accounts.get("maria").role == "translator"
    # disabled: her open session ends and she cannot sign in; enabled: she can again
    disabled = admin.post("/staff/accounts/maria/disable")
    assert disabled.status_code == 200 and "Account maria: translator, es, ar, reviews translations, disabled" \
        in page_text(disabled)
    assert maria.get("/staff/translate/es").status_code == 302  # back to the sign-in page
    assert maria.sign_in().status_code == 401
    assert "Enable maria" in page_text(admin.get("/staff/accounts"))
    assert admin.post("/staff/accounts/maria/enable").status_code == 200
    assert maria.sign_in().status_code == 302 and maria.get("/staff/translate/es").status_code == 200
    # an editor made a plain editor: no languages needed, the flag off
    assert admin.post("/staff/accounts/maria", {"role": "editor"}).status_code == 200
    assert (accounts.get("maria").role, accounts.get("maria").languages, accounts.get("maria").reviews_translations) \
        == ("editor", "", False)
    log = audit_log(admin)
    assert ("admin1 account changed maria: languages es -> es,ar; reviews translations no -> yes" in log
            and "admin1 account changed maria: status active -> disabled" in log
            and "admin1 account changed maria: status disabled -> active" in log
            and "role translator -> editor; languages es,ar -> none; reviews translations yes -> no" in log)
    # only an admin changes accounts; and every one of these forms needs its CSRF token
    editor = Staff(console_app, "editor1", "editor")
    editor.sign_in()
    editor.get("/staff/")
    assert editor.post("/staff/accounts/maria/disable").status_code == 403
    assert admin.post("/staff/accounts/maria/disable", token="forged").status_code == 400
    assert accounts.get("maria").active


def test_the_last_admin_cannot_be_demoted_or_disabled(console_app):
    accounts = console_app.extensions["hotline_console"].accounts
    admin = Staff(console_app, "admin1", "admin")
    admin.sign_in()
    admin.get("/staff/accounts")
    for path, data in (("/staff/accounts/admin1", {"role": "editor"}), ("/staff/accounts/admin1/disable", {})):
        refused = admin.post(path, data)
        assert refused.status_code == 400 and "admin1 is the last active admin" in page_text(refused)
    assert accounts.get("admin1").role == "admin" and accounts.get("admin1").active
    # with a second admin, the first may step down; the second then is the last one
    Staff(console_app, "admin2", "admin")
    assert admin.post("/staff/accounts/admin1", {"role": "editor"}).status_code == 200
    with pytest.raises(AccountError, match="admin2 is the last active admin"):
        accounts.change("admin2", active=False)
    # a disabled admin does not count as one who can publish
    accounts.change("admin1", role="admin", by="test")
    accounts.change("admin1", active=False, by="test")
    with pytest.raises(AccountError, match="last active admin"):
        accounts.change("admin2", role="reviewer")


def test_an_account_made_admin_gets_a_second_factor_shown_once(console_app):
    accounts = console_app.extensions["hotline_console"].accounts
    admin = Staff(console_app, "admin1", "admin")
    editor = Staff(console_app, "editor1", "editor")
    for person in (admin, editor):
        assert person.sign_in().status_code == 302
    assert editor.secret is None
    admin.get("/staff/accounts")
    promoted = admin.post("/staff/accounts/editor1", {"role": "admin"})
    assert promoted.status_code == 200
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', promoted.get_data(as_text=True)).group(1)
    assert accounts.get("editor1").totp_secret == secret and "signs in with a code from now on" in page_text(promoted)
    assert secret not in admin.get("/staff/accounts").get_data(as_text=True)  # shown once
    # from now on their sign-in needs the code
    editor.client = console_app.test_client()
    assert editor.sign_in(code="").status_code == 401
    editor.secret = secret
    assert editor.sign_in().status_code == 302 and editor.get("/staff/audit").status_code == 200
    # stepping down and up again keeps the factor they set up: no new secret
    again = admin.post("/staff/accounts/editor1", {"role": "editor"})
    assert again.status_code == 200
    again = admin.post("/staff/accounts/editor1", {"role": "admin"})
    assert 'id="totp-secret"' not in again.get_data(as_text=True) and accounts.get("editor1").totp_secret == secret
    assert "editor1: role editor -> admin; second factor set up" in audit_log(admin)


def test_staff_set_disable_and_enable_by_command_line(console_app, database_url, monkeypatch):
    from hotline.staff.cli import main

    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    accounts = console_app.extensions["hotline_console"].accounts
    Staff(console_app, "admin1", "admin")
    Staff(console_app, "maria", "translator", languages="es")
    run = CliRunner().invoke
    result = run(main, ["staff", "set", "maria", "--languages", "es,ar", "--reviews-translations"])
    assert result.exit_code == 0, result.output
    assert "account maria: translator, languages es,ar, reviews translations, active" in result.output
    assert accounts.get("maria").languages == "es,ar" and accounts.get("maria").reviews_translations
    result = run(main, ["staff", "set", "maria", "--no-reviews-translations"])
    assert result.exit_code == 0 and not accounts.get("maria").reviews_translations
    assert accounts.get("maria").languages == "es,ar"  # what is not given stays
    for refused, why in ((["staff", "set", "maria", "--languages", "es,xx"], "no catalog for xx"),
                         (["staff", "set", "maria", "--languages", ""], "a translator needs the languages"),
                         (["staff", "set", "maria"], "nothing to change"),
                         (["staff", "set", "nobody", "--role", "editor"], "there is no account 'nobody'"),
                         (["staff", "disable", "admin1"], "admin1 is the last active admin")):
        result = run(main, refused)
        assert result.exit_code == 2 and why in result.output, (refused, result.output)
    result = run(main, ["staff", "set", "maria", "--role", "admin"])
    assert result.exit_code == 0 and "secret: " in result.output
    secret = re.search(r"secret: ([A-Z2-7]+)", result.output).group(1)
    assert accounts.get("maria").totp_secret == secret and pyotp.TOTP(secret).now()
    result = run(main, ["staff", "disable", "admin1"])  # maria is an admin now: admin1 is not the last
    assert result.exit_code == 0 and "account admin1: admin, disabled" in result.output
    assert not accounts.get("admin1").active
    result = run(main, ["staff", "enable", "admin1"])
    assert result.exit_code == 0 and accounts.get("admin1").active
    admin = Staff(console_app, "admin2", "admin")
    admin.sign_in()
    log = audit_log(admin)
    assert "command line account changed maria: languages es -> es,ar; reviews translations no -> yes" in log
    assert "command line account changed admin1: status active -> disabled" in log


# ---- every link, as every role -------------------------------------------------------------

ROLES = {"admin": ("admin", {}), "editor": ("editor", {}), "reviewer": ("reviewer", {}),
         "translator": ("translator", {"languages": "fa_AF,ps"}),
         "native reviewer": ("translator", {"languages": "es", "reviews_translations": True})}
SAMPLE = 1  # pages followed per (page kind, language); every other link is checked against the page's rule


def _links(body: str) -> tuple[set[str], set[str]]:
    hrefs = {html.unescape(h).split("#")[0] for h in re.findall(r'href="([^"]+)"', body)}
    actions = {html.unescape(a) for a in re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"', body)}
    return {h for h in hrefs if h.startswith("/staff/")}, actions


def _allowed(app, account, path: str, method: str) -> bool:
    """May this account open this address, by the rule of the view behind it (its decorator's
    roles, and for a catalog the account's languages)?"""
    endpoint, args = app.url_map.bind("hotline.example.org").match(urlsplit(path).path, method=method)
    roles = getattr(app.view_functions[endpoint], "roles", None)
    if roles is not None and account.role not in roles:
        return False
    return "lang" not in args or may_translate(account, args["lang"])


# On one database: it opens every kind of page as five people (the slowest test of the suite);
# what the pages read from either database is covered by the other console tests.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_page_links_to_what_the_person_cannot_open(console_app):
    """Every link (and every form) on every page, for each role: none leads to a refusal.
    A draft with a change, a published revision before it, so every kind of page has its links."""
    revisions = console_app.extensions["hotline_revisions"]
    accounts = console_app.extensions["hotline_console"].accounts
    people = {name: Staff(console_app, name.replace(" ", "-"), role, **extra) for name, (role, extra) in ROLES.items()}
    for person in people.values():
        assert person.sign_in().status_code == 302
    change_main_menu(people["editor"], "What is happening to you?")
    people["admin"].get("/staff/")
    assert people["admin"].post("/staff/publish", {"note": "first"}).status_code == 302
    change_main_menu(people["editor"], "What is happening to you today?")
    assert revisions.open_draft() is not None
    adapter = console_app.url_map.bind("hotline.example.org")
    seen_by: dict[str, set[str]] = {}
    for name, person in people.items():
        account = accounts.get(person.username)
        queue, followed, checked, per_kind = ["/staff/"], set(), set(), {}
        while queue:
            path = queue.pop(0)
            if path in followed:
                continue
            followed.add(path)
            response = person.get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            if not response.mimetype == "text/html":
                continue
            hrefs, actions = _links(response.get_data(as_text=True))
            for target, method in [(h, "GET") for h in hrefs] + [(a, "POST") for a in actions]:
                assert _allowed(console_app, account, target, method), f"{name} is shown {target} on {path}"
                checked.add(target)
            for target in sorted(hrefs - followed):
                endpoint, args = adapter.match(urlsplit(target).path)
                kind = (endpoint, args.get("lang"))
                if per_kind.get(kind, 0) < SAMPLE and target != "/staff/audit.csv":
                    per_kind[kind] = per_kind.get(kind, 0) + 1
                    queue.append(target)
        seen_by[name] = {adapter.match(urlsplit(p).path)[0] for p in followed}
        assert len(checked) > 10
    # each saw what their work needs, and a translator's Draft page leads to their languages
    assert {"console.accounts_page", "console.audit_page", "console.node", "console.translate"} <= seen_by["admin"]
    assert {"console.node", "console.referral", "console.translate"} <= seen_by["editor"]
    assert "console.accounts_page" not in seen_by["editor"]
    for name in ("translator", "native reviewer"):
        assert {"console.translate", "console.translate_index", "console.preview"} <= seen_by[name]
        assert not {"console.node", "console.referral", "console.accounts_page"} & seen_by[name]
    home = page_text(people["translator"].get("/staff/"))
    assert "Your languages" in home and "fa_AF: what is missing or stale" in home and "Steps, by topic" not in home


# ---- the draft's English moved on ------------------------------------------------------------

def behind_line(page, code: str) -> str:
    """The draft page's warning about one language, in words."""
    found = re.search(rf'id="behind-{code}">(.*?)</li>', page.get_data(as_text=True), re.S)
    return page_text_of(found.group(1)) if found else ""


def page_text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_publishing_changed_english_warns_and_publishes_the_catalogs_updated(console_app):
    revisions = console_app.extensions["hotline_revisions"]
    editor, admin = Staff(console_app, "editor1", "editor"), Staff(console_app, "admin1", "admin")
    dari = Staff(console_app, "dari1", "translator", languages="fa_AF")
    for person in (editor, admin, dari):
        assert person.sign_in().status_code == 302
    new_english = "What is happening to you?"
    change_main_menu(editor, new_english)
    # nobody opened a translator's page: the draft's catalogs still have the old English
    assert ce.entry_key("main:main_menu:text", OLD_ENGLISH) in {r.key for r in ce.rows(revisions.open_draft().files[ES])}
    home = admin.get("/staff/")
    body = home.get_data(as_text=True)
    assert 'id="catalogs-behind"' in body and '<a href="/staff/translate/es?show=todo">' in body
    assert behind_line(home, "es") == "español (es) : 1 stale"
    # a Dari translator is warned too, with a link only to what they translate
    their = dari.get("/staff/").get_data(as_text=True)
    assert 'id="behind-es"' in their and "/staff/translate/es" not in their
    # publishing is not refused; it says which languages were left behind, with the link
    published = admin.post("/staff/publish", {"note": "new question"}, follow_redirects=True)
    assert published.status_code == 200
    text = page_text(published)
    assert "Published revision" in text and "The English changed since these catalogs were updated" in text
    assert '<a href="/staff/translate/es?show=todo">' in published.get_data(as_text=True)
    # the revision carries the catalogs as `hotline translations update` leaves them
    entry = next(e for e in polib.pofile(revisions.live().files[ES]) if e.msgctxt == "main:main_menu:text"
                 and not e.obsolete)
    assert entry.msgid == new_english and "fuzzy" in entry.flags and entry.previous_msgid == OLD_ENGLISH
    template = polib.pofile(revisions.live().files[ce.TEMPLATE])
    assert any(e.msgid == new_english for e in template)
    assert ce.behind_english(revisions.live().files) == []  # nothing left to update
    assert "catalogs updated from the English, left behind: " in audit_log(admin) and "es: 1 stale" in audit_log(admin)
    # a Spanish caller reads the new English for that string, not Spanish for the old English
    console_app.extensions["hotline_publisher"].poll_live()
    assert console_app.extensions["hotline"].content.version == revisions.live_id()
    reply = message_text(Twilio(console_app.test_client()).sms("+16075550177", "hola"))
    assert new_english in reply
    # a draft whose catalogs follow its English says nothing of the kind
    change_main_menu(editor, new_english + " Tell us.")
    assert dari.get("/staff/translate/fa_AF").status_code == 200  # opening a translator's page saves nothing
    assert 'id="catalogs-behind"' in admin.get("/staff/").get_data(as_text=True)
    maria = Staff(console_app, "maria", "translator", languages="es")
    maria.sign_in()
    page = maria.get("/staff/translate/es?show=stale")
    row = next(r for r in ce.rows(ce.refreshed(revisions.open_draft().files)[ES]) if r.context == "main:main_menu:text")
    assert row.status == "stale" and f'name="t-{row.key}"' in page.get_data(as_text=True)
    assert maria.post("/staff/translate/es", {f"t-{row.key}": "¿Qué le pasa? Cuéntenos.", f"was-{row.key}": row.translation,
                                              f"ok-{row.key}": "on"}).status_code == 302
    assert ce.behind_english(revisions.open_draft().files) == []  # saving stored the updated catalogs
    assert 'id="catalogs-behind"' not in admin.get("/staff/").get_data(as_text=True)
