"""The translator's pages: every string of a draft's catalog beside its English, saved in the
draft; a catalog downloaded as a PO file and uploaded back; its review status.

A translator sees and edits only the catalogs of their languages (the account's
`languages`); admins, editors and reviewers may edit any. Nothing here publishes: the draft
is published as any change is (views.publish_draft, its check and its reviews). The catalog
work itself is hotline/staff/catalog_edit.py.
"""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, g, redirect, render_template, request, url_for

from hotline.content.catalogs.languages import Language
from hotline.content.editing import nodes_of
from hotline.core.languages import ENGLISH
from hotline.errors import HotlineError
from hotline.staff import catalog_edit as ce
from hotline.staff.accounts import audit, may_review_catalog, may_translate
from hotline.staff.console.views import _cost, bp, console, signed_in, who

PAGE = 25
# The app refuses any request over 64 KB before parsing it (hotline/web/app.py: a webhook is a
# few KB); a whole catalog is 150-300 KB, so its upload, and only it, may be this large.
UPLOAD_BYTES = 4_000_000
SHOWN = {"all": "every string", "todo": "missing or stale", "missing": "only missing", "stale": "only stale",
         "done": "only done"}


def _languages() -> list[str]:
    return [code for code in console().settings.languages if code != ENGLISH]


def _allowed(lang: str) -> None:
    if lang not in _languages():
        abort(404, f"The hotline has no catalog for {lang}.")
    if not may_translate(g.account, lang):
        abort(403, f"Your account does not translate {lang}.")


def _files(draft=None) -> dict[str, str]:
    """The draft's files (or the live revision's) with the catalogs updated from the English."""
    revisions = console().revisions
    base = draft if draft is not None else (revisions.open_draft() or revisions.live())
    try:
        return ce.refreshed(base.files, console().settings.languages)
    except HotlineError as exc:
        # The draft's English does not load: its catalogs as they are, and the reason.
        flash(f"The draft's English has errors, so its catalogs are shown as they were ({exc}).", "error")
        return base.files


def _name(lang: str) -> str:
    return Language.of(lang).native_name


def behind(files: dict[str, str]) -> list[dict]:
    """The draft page's and publishing's warning: the languages whose strings the draft's
    English left missing or stale (catalog_edit.behind_english, the update this view shows),
    each with a link to its translator's view for those who may open it."""
    try:
        found = ce.behind_english(files, console().settings.languages)
    except HotlineError:
        return []  # English that does not load: the check says why
    return [{"code": b.code, "name": _name(b.code), "missing": b.missing, "stale": b.stale,
             "link": url_for("console.translate", lang=b.code, show="todo") if may_translate(g.account, b.code) else None}
            for b in found]


def behind_markup(rows: list[dict]):
    """The same warning as one flash message (with its links)."""
    from markupsafe import Markup, escape

    parts = []
    for row in rows:
        what = ", ".join(f"{n} {word}" for n, word in ((row["missing"], "missing"), (row["stale"], "stale")) if n)
        name = escape(f"{row['name']} ({row['code']})")
        parts.append(Markup('<a href="{}">{}</a>: {}').format(row["link"], name, what) if row["link"]
                     else Markup("{}: {}").format(name, what))
    return Markup("The English changed since these catalogs were updated, so these strings are shown to callers "
                  "in English until they are translated again: ") + Markup("; ").join(parts) + Markup(".")


@bp.before_app_request
def _catalogs_are_larger_than_webhooks():
    # Before the console's CSRF check reads the form (app-wide hooks run first).
    if request.endpoint == "console.translate_upload":
        request.max_content_length = UPLOAD_BYTES + 64 * 1024
    elif request.endpoint == "console.translate" and request.method == "POST":
        request.max_content_length = 1_000_000  # a page of 25 translations and their old text
        request.max_form_memory_size = 1_000_000


@bp.app_context_processor
def _translator_globals():
    account = g.get("account")
    langs = [c for c in console().settings.languages if c != ENGLISH and may_translate(account, c)] if account else []
    return {"translate_languages": langs}


@bp.get("/translate")
@signed_in()
def translate_index():
    files = _files()
    table = []
    for code in _languages():
        if not may_translate(g.account, code):
            continue
        text = files.get(ce.po_name(code), "")
        try:
            found = ce.counts(ce.rows(text)) if text else {"missing": 0, "stale": 0, "done": 0}
        except ValueError as exc:
            found = {"broken": str(exc)}
        table.append({"code": code, "name": _name(code), "counts": found, "review": ce.review_line(text) if text else "none"})
    if not table:
        abort(403, "Your account translates no language.")
    return render_template("console/translate_index.html", table=table)


def _page_rows(rows, show: str, group: str, page: int):
    if show == "todo":
        rows = [r for r in rows if r.status != "done"]
    elif show in ("missing", "stale", "done"):
        rows = [r for r in rows if r.status == show]
    if group:
        rows = [r for r in rows if r.group == group]
    # What needs work first: missing, then stale, then done (in the catalog's order within each).
    rows = sorted(rows, key=lambda r: ce.STATUSES.index(r.status))
    pages = max(1, -(-len(rows) // PAGE))
    page = min(max(page, 1), pages)
    return rows, rows[(page - 1) * PAGE: page * PAGE], page, pages


@bp.route("/translate/<lang>", methods=["GET", "POST"])
@signed_in()
def translate(lang: str):
    _allowed(lang)
    show = request.values.get("show", "all")
    show = show if show in SHOWN else "all"
    group = request.values.get("group", "")
    try:
        page = int(request.values.get("page", "1"))
    except ValueError:
        page = 1
    problems: dict[str, list[str]] = {}
    typed: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        draft = console().revisions.draft(by=who())
        files = _files(draft)
        edits = {}
        for name, value in request.form.items():
            if name.startswith("t-"):
                key = name[2:]
                edits[key] = ce.Edit(value, request.form.get(f"was-{key}", ""), bool(request.form.get(f"ok-{key}")))
        try:
            text, changed, problems = ce.apply_edits(files[ce.po_name(lang)], edits)
        except (KeyError, ValueError) as exc:
            abort(400, f"This catalog cannot be read: {exc}")
        if problems:
            typed = {key: edit.text for key, edit in edits.items()}
            flash(f"Nothing was saved: {len(problems)} translation(s) need a change (marked below).", "error")
            status = 400
        elif not changed:
            flash("Nothing changed.", "ok")
            return redirect(url_for("console.translate", lang=lang, show=show, group=group or None, page=page))
        else:
            text = ce.touched(text, who(), dt.datetime.now(dt.timezone.utc))
            if ce.is_reviewed(text) and not may_review_catalog(g.account, lang):
                text = ce.with_review(text, ce.DRAFT_NOTE)  # changed since the review: to be reviewed again
            _save(draft, files, {ce.po_name(lang): text})
            audit(console().revisions.db, who(), "translated",
                  f"{len(changed)} string(s) of {lang} in draft {draft.id}: " + ", ".join(changed[:10]))
            flash(f"Saved {len(changed)} translation(s) in the draft. Callers get them once the draft is published.",
                  "ok")
            return redirect(url_for("console.translate", lang=lang, show=show, group=group or None, page=page))
    files = _files()
    text = files.get(ce.po_name(lang), "")
    try:
        rows = ce.rows(text, ce.node_kinds(nodes_of(files)))
    except ValueError as exc:
        abort(409, f"The draft's {lang} catalog cannot be read ({exc}): upload a corrected one.")
    counts = ce.counts(rows)
    groups = sorted({r.group for r in rows})
    chosen, shown, page, pages = _page_rows(rows, show, group, page)
    for row in shown:
        row.problems = problems.get(row.key, [])
        row.was = row.translation
        if row.key in typed:
            row.translation = typed[row.key]
    costs = {r.key: _cost(r.translation or r.english, r.cost_kind) for r in shown if r.cost_kind}
    language = Language.of(lang)
    return render_template("console/translate.html", lang=lang, language=language, rows=shown, counts=counts,
                           total=len(rows), matching=len(chosen), groups=groups, group=group, show=show, shown_as=SHOWN,
                           page=page, pages=pages, costs=costs, review=ce.review_line(text),
                           can_review_catalog=may_review_catalog(g.account, lang),
                           draft=console().revisions.open_draft()), status


def _save(draft, files: dict[str, str], changed: dict[str, str]) -> None:
    """Save the catalog, and the template and sister catalogs when the English update changed them."""
    out = {name: text for name, text in files.items() if draft.files.get(name) != text and name.startswith("translations/")}
    out.update(changed)
    console().revisions.save_files(draft.id, out, by=who())


@bp.get("/translate/<lang>/messages.po")
@signed_in()
def translate_download(lang: str):
    _allowed(lang)
    text = _files().get(ce.po_name(lang), "")
    audit(console().revisions.db, who(), "downloaded catalog", lang)
    return Response(text, mimetype="text/x-gettext-translation",
                    headers={"Content-Disposition": f"attachment; filename=hotline-{lang}.po"})


@bp.post("/translate/<lang>/upload")
@signed_in()
def translate_upload(lang: str):
    _allowed(lang)
    upload = request.files.get("catalog")
    if upload is None or not upload.filename:
        flash("Choose a .po file to upload.", "error")
        return redirect(url_for("console.translate", lang=lang))
    raw = upload.read(UPLOAD_BYTES + 1)
    draft = console().revisions.draft(by=who())
    files = _files(draft)
    if len(raw) > UPLOAD_BYTES:
        problems = [ce.Problem(1, "the file is larger than 4 MB: this is not a catalog of the hotline")]
    else:
        po, problems = ce.checked_upload(raw, lang, files.get(ce.TEMPLATE, ""))
    if problems:
        audit(console().revisions.db, who(), "catalog refused", f"{lang}: line {problems[0].line}: {problems[0].reason}")
        return render_template("console/translate_refused.html", lang=lang, problems=problems,
                               filename=upload.filename), 400
    current = files.get(ce.po_name(lang), "")
    keep = ce.review_line(current) if current else ce.DRAFT_NOTE
    if ce.is_reviewed(current) and not may_review_catalog(g.account, lang):
        keep = ce.DRAFT_NOTE  # changed since the review: to be reviewed again
    try:
        text = ce.touched(ce.merged_upload(po, files[ce.TEMPLATE], keep), who(), dt.datetime.now(dt.timezone.utc))
        _save(draft, files, {ce.po_name(lang): text})
    except (HotlineError, ValueError) as exc:
        flash(f"Not saved: {exc}", "error")
        return redirect(url_for("console.translate", lang=lang))
    audit(console().revisions.db, who(), "uploaded catalog", f"{lang} in draft {draft.id} from {upload.filename[:80]}")
    flash(f"Uploaded {upload.filename}: the {lang} catalog of the draft is replaced.", "ok")
    return redirect(url_for("console.translate", lang=lang))


@bp.post("/translate/<lang>/review")
@signed_in()
def translate_review(lang: str):
    _allowed(lang)
    if not may_review_catalog(g.account, lang):
        abort(403, f"Only a native speaker who reviews {lang} (an account with {lang} and the "
                   f"reviews-translations flag) can mark this catalog reviewed.")
    draft = console().revisions.draft(by=who())
    files = _files(draft)
    today = dt.date.today()
    text = ce.mark_reviewed(files[ce.po_name(lang)], who(), today)
    _save(draft, files, {ce.po_name(lang): text})
    audit(console().revisions.db, who(), "catalog reviewed", f"{lang} in draft {draft.id}")
    flash(f"The {lang} catalog is marked reviewed by {who()} on {today.isoformat()} in the draft.", "ok")
    return redirect(url_for("console.translate", lang=lang))
