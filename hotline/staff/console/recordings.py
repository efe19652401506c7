"""The console's recordings pages: the clips each recorded language needs, made in the browser.

    GET  /staff/recordings                        coverage per language (also on the front page)
    GET  /staff/recordings/<lang>                 every clip: the words to say, its status, listen,
                                                  record (the browser's microphone) or upload, approve
    POST /staff/recordings/<lang>/<clip>          a take (upload or the page's recorder): converted
                                                  (hotline/staff/audio.py), stored, put in the draft
    POST /staff/recordings/<lang>/<clip>/approve  approve the take listened to
    POST /staff/recordings/<lang>/approve         approve every take of one page listened to
    GET  /staff/recordings/audio/<sha256>.mp3     a stored take, for the page's <audio>

Takes go in the draft (hotline/content/recordings.py): callers hear them once the draft is
published, like any change. Recording and approving: an editor or admin, or a translator given
that language. The audit log says who recorded and who approved which clip.
"""
from __future__ import annotations

import re
from collections import OrderedDict

from flask import Response, abort, flash, g, jsonify, redirect, render_template, request, url_for

from hotline.channels.voice import clips, english_name
from hotline.channels.voice.speech import TTS
from hotline.content.bundle import Content
from hotline.content.recordings import RecordingsError, Take, now, with_approval, with_take
from hotline.content.revisions import ByFiles, load_files
from hotline.errors import HotlineError
from hotline.staff.accounts import audit, may_translate
from hotline.staff.console.views import bp, console, signed_in, who

# hotline.staff.audio is imported by the pages that use it, not here: it loads numpy and
# FFmpeg's libraries (PyAV), tens of megabytes and an OpenBLAS thread in every worker, most of
# which never sees a recording.
_SHA = re.compile(r"^[0-9a-f]{64}$")
# The draft's content, loaded once per set of files (the pages ask for it often).
_content = ByFiles(lambda files, languages: load_files(files, languages), keep=3)


def recorded_languages(content: Content) -> list[str]:
    """The served languages Twilio cannot speak: those the phone plays from recordings."""
    return [code for code in content.languages.codes if code not in TTS]


def _phone():
    phone = console().settings.phone
    return phone.volunteers is not None, phone.fallback_referrals


def needed(content: Content, code: str) -> list[clips.Needed]:
    volunteers, referrals = _phone()
    return clips.needed(content, code, volunteers, referrals)


def _files():
    revisions = console().revisions
    draft = revisions.open_draft()
    return draft, (draft or revisions.live()).files


def coverage() -> list[dict]:
    """Per recorded language of the draft (or the live revision): needed/recorded/approved/stale."""
    _, files = _files()
    try:
        content = _content(files, console().settings.languages)
    except HotlineError:
        return []
    rows = []
    for code in recorded_languages(content):
        counts = clips.coverage(needed(content, code))
        rows.append({"code": code, "name": english_name(code), "native": content.languages.book(code).language.native_name,
                     **counts})
    return rows


@bp.app_context_processor
def _recordings_globals():
    # The front page shows the coverage table; other pages never call it.
    return {"recordings_coverage": coverage}


def may_record(code: str) -> bool:
    """Who may record and approve a language's clips: whoever may edit its catalog (an editor,
    reviewer or admin, or a translator given that language)."""
    return may_translate(g.get("account"), code)


@bp.before_app_request
def _uploads_may_be_larger():
    # The app refuses bodies over 64 KB (Twilio's webhooks are small); a take is not.
    if request.endpoint == "console.record_clip":
        from hotline.staff import audio

        request.max_content_length = audio.MAX_BYTES + 64 * 1024


@bp.get("/recordings")
@signed_in()
def recordings_page():
    return render_template("console/recordings.html", rows=coverage())


def _language(code: str) -> tuple[object, Content, list[clips.Needed]]:
    draft, files = _files()
    content = _content(files, console().settings.languages)
    if code not in recorded_languages(content):
        abort(404, f"{code} is not a language the phone line plays from recordings.")
    return draft, content, needed(content, code)


@bp.get("/recordings/<code>")
@signed_in()
def recordings_language(code: str):
    draft, content, items = _language(code)
    page, show = request.args.get("page", ""), request.args.get("show", "")
    pages: OrderedDict[str, list[clips.Needed]] = OrderedDict()
    for item in items:
        if page and item.page != page:
            continue
        if show == "todo" and item.status == clips.APPROVED:
            continue
        pages.setdefault(item.page, []).append(item)
    from hotline.staff import audio

    g.microphone = True  # the page's recorder asks for it (security.headers)
    book = content.languages.book(code)
    return render_template("console/recordings_language.html", code=code, language=book.language,
                           english=english_name(code),
                           pages=pages, counts=clips.coverage(items), page=page, show=show,
                           all_pages=list(OrderedDict.fromkeys(i.page for i in items)), draft=draft,
                           may=may_record(code), limit=int(audio.MAX_SECONDS))


def _answer(ok: bool, message: str, code: str, clip: str):
    if request.headers.get("X-Requested-With") == "recorder":
        return jsonify({"ok": ok, "message": message}), (200 if ok else 422)
    flash(message, "ok" if ok else "error")
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/staff/recordings/") and "//" not in back
                    else url_for("console.recordings_language", code=code) + f"#{clip}")


def _in_draft(code: str, clip: str, edit, refused: str, action: str, what: str, done: str):
    """Write a clip's manifest entry into the draft as `edit(files)` returns it (its name and
    text), audited; a refusal is answered in plain words and nothing is written."""
    revisions = console().revisions
    draft = revisions.draft(by=who())
    try:
        name, text = edit(draft.files)
        revisions.save(draft.id, name, text, by=who())
    except (HotlineError, RecordingsError) as exc:
        return _answer(False, f"{refused}: {exc}", code, clip)
    audit(revisions.db, who(), action, f"{what} in draft {draft.id}")
    return _answer(True, done, code, clip)


def _needed_clip(code: str, clip: str, refused: str):
    """The clip of `code` the phone line needs, for an account that may record that language."""
    if not may_record(code):
        abort(403, refused)
    _, _, items = _language(code)
    item = next((i for i in items if i.clip == clip), None)
    if item is None:
        abort(404, "The phone line does not need this clip.")
    return item


@bp.post("/recordings/<code>/<clip>")
@signed_in()
def record_clip(code: str, clip: str):
    from hotline.staff import audio

    item = _needed_clip(code, clip, "Your account cannot record this language.")
    upload = request.files.get("audio")
    if upload is None:
        return _answer(False, "Not saved: no recording or file came with the form.", code, clip)
    name = (upload.filename or "").rsplit(".", 1)[-1].lower()
    if upload.filename and "." in upload.filename and name not in audio.ACCEPTED:
        return _answer(False, f"Not saved: a .{name} file is not one of {', '.join(audio.ACCEPTED)}.", code, clip)
    try:
        made = audio.convert(upload.read())
    except audio.AudioError as exc:
        return _answer(False, f"Not saved: {exc}.", code, clip)
    sha = console().revisions.put_audio(made.mp3, by=who())
    take = Take(sha, item.words, "recorded", who(), now(), made.seconds)
    return _in_draft(code, clip, lambda files: with_take(files, code, clip, take), "Not saved",
                     "recorded", f"{code} {clip} ({made.seconds:.1f} s)",
                     f"Recorded {clip} ({made.seconds:.1f} s). Listen to it, then approve it.")


@bp.post("/recordings/<code>/<clip>/approve")
@signed_in()
def approve_clip(code: str, clip: str):
    item = _needed_clip(code, clip, "Your account cannot approve recordings of this language.")
    if item.status == clips.STALE:
        return _answer(False, "Not approved: the words changed since this was recorded. Record it again.", code, clip)
    sha = request.form.get("sha256", "")
    return _in_draft(code, clip, lambda files: with_approval(files, code, clip, who(), sha), "Not approved",
                     "approved recording", f"{code} {clip}",
                     f"Approved {clip}. Callers hear it once the draft is published.")


@bp.post("/recordings/<code>/approve")
@signed_in()
def approve_page(code: str):
    """Approve at once the takes of one page that the form showed: each as `clip:sha256`, the
    take listened to. All or none: if one was recorded again or its words changed since the
    page was shown, nothing is approved and the page says which to listen to again."""
    if not may_record(code):
        abort(403, "Your account cannot approve recordings of this language.")
    page = request.form.get("page", "")
    shown = dict(value.partition(":")[::2] for value in request.form.getlist("take"))
    _, _, items = _language(code)
    waiting = {i.clip: i for i in items if i.page == page and i.clip in shown}
    first = next(iter(shown), "")
    if not shown or len(waiting) != len(shown):
        return _answer(False, "Not approved: this page has no such takes waiting. Reload it and listen again.",
                       code, first)
    changed = [clip for clip, item in waiting.items() if item.status != clips.RECORDED]
    if changed:
        return _answer(False, f"Nothing approved: {', '.join(changed)} changed since the page was shown. "
                       "Listen to the takes again.", code, changed[0])

    def approve_all(files: dict[str, str]) -> tuple[str, str]:
        files = dict(files)
        for clip, sha in shown.items():
            name, files[name] = with_approval(files, code, clip, who(), sha)
        return name, files[name]

    return _in_draft(code, first, approve_all, "Nothing approved", "approved recording",
                     f"{code} {', '.join(shown)}",
                     f"Approved the {len(shown)} takes of {page}. Callers hear them once the draft is published.")


@bp.get("/recordings/audio/<sha>.mp3")
@signed_in()
def clip_audio(sha: str):
    if not _SHA.match(sha):
        abort(404)
    data = console().revisions.audio(sha)
    if data is None:
        abort(404)
    return Response(data, mimetype="audio/mpeg")
