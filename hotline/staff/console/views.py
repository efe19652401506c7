"""The console's pages. Each does one thing a staff member asks for, in plain words."""
from __future__ import annotations

import datetime as dt
import functools

from flask import (Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template,
                   request, url_for)

from hotline.channels.sms.segments import cost
from hotline.content.diff import diff
from hotline.content.editing import NODE_TEXT_FIELDS, nodes_of, set_node
from hotline.content.revisions import RevisionError, Revisions, load_files
from hotline.content.yamlsource import plain_load
from hotline.errors import HotlineError
from hotline.staff.accounts import (CAN_EDIT, CAN_PUBLISH, CAN_REVIEW, AccountError, Accounts, audit,
                                    audit_csv, audit_entries)
from hotline.staff.console import security
from hotline.staff.console.simulator import Simulator
from hotline.staff.revision_publish import Refused, check_files, needing_review, publish, rollback, sign_off
from hotline.staff.sms_budget import SMS_BUDGET

bp = Blueprint("console", __name__, url_prefix="/staff", template_folder="templates", static_folder="static")


class Console:
    def __init__(self, settings, revisions: Revisions):
        self.settings = settings
        self.revisions = revisions
        self.accounts = Accounts(revisions.db, settings.secret + b":staff addresses", settings.password_cost)
        self.simulator = Simulator(settings)

    def report(self, files: dict[str, str]):
        """`hotline check` of these files (remembered: revision_publish.check_files)."""
        return check_files(files, self.settings.languages)


def setup(app) -> None:
    settings = app.config["HOTLINE_SETTINGS"]
    security.configure(app, settings)
    app.extensions["hotline_console"] = Console(settings, app.extensions["hotline_revisions"])


def console() -> Console:
    return current_app.extensions["hotline_console"]


@bp.before_request
def _before():
    security.check_csrf()
    g.account = None
    account_id = security.current_account_id()
    if account_id is not None:
        from hotline.content.db.models import Account

        with console().revisions.db.session() as session:
            account = session.get(Account, account_id)
        g.account = account if account is not None and account.active else None


@bp.after_request
def _after(response):
    return security.headers(response, diagram=request.endpoint == "console.diagram", dev=console().settings.dev)


def signed_in(roles: set[str] | None = None):
    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.account is None:
                return redirect(url_for("console.signin", next=request.path))
            if roles is not None and g.account.role not in roles:
                abort(403, "Your role cannot do this.")
            return view(*args, **kwargs)
        wrapped.roles = roles  # who may open it (None: anyone signed in), for the pages' links and their test
        return wrapped
    return decorate


def who() -> str:
    return g.account.username


@bp.app_template_filter("when")
def _when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M UTC")


@bp.context_processor
def _globals():
    return {"account": g.get("account"), "can_publish": g.get("account") is not None and g.account.role in CAN_PUBLISH,
            "can_review": g.get("account") is not None and g.account.role in CAN_REVIEW,
            "can_edit": g.get("account") is not None and g.account.role in CAN_EDIT}


# ---- signing in -----------------------------------------------------------------------

@bp.route("/signin", methods=["GET", "POST"])
def signin():
    error = None
    if request.method == "POST":
        try:
            account = console().accounts.sign_in(request.form.get("username", "").strip(),
                                                 request.form.get("password", ""), request.form.get("code", ""),
                                                 request.remote_addr or "?")
        except AccountError as exc:
            error = str(exc)
        else:
            security.start_session(account.id)
            target = request.args.get("next", "")
            # Only a path inside the console: never an address elsewhere (an open redirect).
            return redirect(target if target.startswith("/staff/") and "//" not in target else url_for("console.home"))
    return render_template("console/signin.html", error=error), (401 if error else 200)


@bp.post("/signout")
def signout():
    from flask import session

    if g.account is not None:
        audit(console().revisions.db, who(), "signed out")
    session.clear()
    return redirect(url_for("console.signin"))


# ---- the draft ------------------------------------------------------------------------

def _draft():
    return console().revisions.draft(by=who())


def _node_findings(report, files, node_id):
    """The check's findings about one node: those on its lines of its file (the loader's
    places say where each node starts)."""
    nodes = nodes_of(files)
    if node_id not in nodes:
        return []
    name = nodes[node_id][0]
    try:
        script = load_files(files, console().settings.languages).script
    except HotlineError:
        return [f for f in report.findings if f.file == name]
    mine = script.places.get(node_id)
    starts = sorted(p.line for n, p in script.places.items() if p.file == mine.file)
    end = next((line for line in starts if line > mine.line), 10 ** 9)
    return [f for f in report.findings if f.file == name and mine.line <= f.line < end]


@bp.get("/")
@signed_in()
def home():
    revisions = console().revisions
    live = revisions.live()
    draft = revisions.open_draft()
    changes = diff(live.files, draft.files) if draft else []
    report = console().report(draft.files) if draft and changes else None
    waiting = needing_review(revisions, draft) if draft else []
    referral_ids = sorted((plain_load((draft or live).files.get("flows/referrals.yaml", "")) or {})
                          .get("referrals", {}))
    flows: dict[str, list[str]] = {}
    for node_id, (name, _) in nodes_of((draft or live).files).items():
        flows.setdefault(name.removeprefix("flows/").removesuffix(".yaml"), []).append(node_id)
    from hotline.staff.console.translators import behind

    return render_template("console/home.html", live=live, draft=draft, changes=changes, report=report,
                           waiting=waiting, flows=flows, referral_ids=referral_ids, served=current_app.extensions["hotline"].content.version,
                           behind=behind(draft.files) if draft and changes else [])


@bp.route("/nodes/<node_id>", methods=["GET", "POST"])
@signed_in(CAN_EDIT)
def node(node_id: str):
    draft = _draft()
    nodes = nodes_of(draft.files)
    if node_id not in nodes:
        abort(404, f"There is no node {node_id} in the draft.")
    name, current = nodes[node_id]
    if request.method == "POST":
        values = {field: request.form.get(field, "").strip() or None for field in NODE_TEXT_FIELDS}
        values["review_note"] = request.form.get("review_note", "").strip() or None
        menu = []
        for i in range(1, 10):
            label, goto = request.form.get(f"menu_label_{i}", "").strip(), request.form.get(f"menu_goto_{i}", "")
            if label and goto:
                menu.append({"key": len(menu) + 1, "label": label, "goto": goto})
        values["menu"] = menu
        values["referrals"] = request.form.getlist("referrals")
        values["sources"] = request.form.getlist("sources")
        save_in_draft(draft, name, lambda: set_node(draft.files[name], node_id, values), "edited", f"node {node_id}",
                      f"Saved {node_id} in the draft. Nothing changes for callers until it is published.")
        return redirect(url_for("console.node", node_id=node_id))
    report = console().report(draft.files)
    findings = _node_findings(report, draft.files, node_id)
    live_files = console().revisions.live().files
    script = _script_or_none(live_files)
    kind = "content" if current.get("legal") or current.get("referrals") or not current.get("menu") else "menu"
    costs = {field: _cost(current.get(field) or "", kind) for field in ("text", "sms")}
    return render_template("console/node.html", node_id=node_id, node=current, file=name, draft=draft,
                           findings=findings, all_nodes=sorted(nodes), kind=kind, costs=costs,
                           referrals=sorted(script.referrals) if script else [],
                           sources=sorted(script.sources) if script else [])


def save_in_draft(draft, name: str, edit, action: str, what: str, done: str) -> bool:
    """Write one file of the draft as `edit()` returns it, audited; a refusal is flashed in plain
    words and nothing is written. The node, referral and upkeep forms all save this way."""
    try:
        console().revisions.save(draft.id, name, edit(), by=who())
    except (HotlineError, KeyError, ValueError) as exc:
        flash(f"Not saved: {exc}", "error")
        return False
    audit(console().revisions.db, who(), action, f"{what} in draft {draft.id}")
    flash(done, "ok")
    return True


def _script_or_none(files):
    try:
        return load_files(files, console().settings.languages).script
    except HotlineError:
        return None


def _cost(text: str, kind: str) -> dict:
    text = " ".join(text.split())
    spent = cost(text)
    limit = SMS_BUDGET.limit(kind, spent.encoding)
    most = getattr(SMS_BUDGET, "characters", None) or 10 ** 6
    return {"characters": len(text), "segments": spent.segments, "encoding": spent.encoding,
            "forced_by": "".join(spent.forced_ucs2_by), "limit": limit, "most": most,
            "over": spent.segments > limit or len(text) > most}


@bp.post("/cost")
@signed_in()
def sms_cost():
    """What a text costs as SMS, as it is typed (the page asks, the hotline's own count answers)."""
    return jsonify(_cost(request.form.get("text", ""), request.form.get("kind", "content")))


@bp.get("/check")
@signed_in()
def check_page():
    draft = console().revisions.open_draft()
    files = (draft or console().revisions.live()).files
    return render_template("console/check.html", report=console().report(files), draft=draft)


@bp.post("/draft/discard")
@signed_in(CAN_EDIT)
def discard():
    draft = console().revisions.open_draft()
    if draft:
        console().revisions.close(draft.id)
        audit(console().revisions.db, who(), "discarded draft", f"draft {draft.id}")
    return redirect(url_for("console.home"))


@bp.route("/referrals/<referral_id>", methods=["GET", "POST"])
@signed_in(CAN_EDIT)
def referral(referral_id: str):
    from hotline.content.editing import set_referral
    from hotline.staff.console import referrals as rules

    draft = _draft()
    name = "flows/referrals.yaml"
    entries = (plain_load(draft.files.get(name, "")) or {}).get("referrals", {})
    if referral_id not in entries:
        abort(404, f"There is no referral {referral_id} in the draft.")
    entry = entries[referral_id]
    problems: dict[str, list[str]] = {}
    form = entry
    if request.method == "POST":
        phone, phone_problem = rules.checked_phone(request.form.get("phone", ""))
        if phone_problem:
            problems["phone"] = [phone_problem]
        days = {day: (request.form.get(f"open_{day}", "").strip(), request.form.get(f"close_{day}", "").strip())
                for day in rules.DAYS}
        hours, hour_problems = rules.hours_from_grid(days)
        if hour_problems:
            problems["hours"] = hour_problems
        values = {key: request.form.get(key, "").strip() or None
                  for key in ("name", "offers", "website", "address", "area", "note")}
        verified = request.form.get("verified", "").strip()
        try:
            values["verified"] = dt.date.fromisoformat(verified)
        except ValueError:
            problems["verified"] = ["Write the date it was last checked by phone like 2026-12-01."]
        else:  # a new date is someone's call: theirs is the name recorded with it
            values["verified_by"] = who() if str(values["verified"]) != str(entry.get("verified")) else entry.get("verified_by")
        values["phone"] = phone
        if "hours" not in problems and not rules.several_a_day(entry.get("hours")):
            values["hours"] = hours
        if not problems and save_in_draft(draft, name, lambda: set_referral(draft.files[name], referral_id, values),
                                          "edited", f"referral {referral_id}", f"Saved {referral_id} in the draft."):
            return redirect(url_for("console.referral", referral_id=referral_id))
        form = {**entry, **{k: v for k, v in values.items() if k != "hours"}, "phone": request.form.get("phone", "")}
    report = console().report(draft.files)
    findings = [f for f in report.findings if f.file == name and referral_id in f.reason]
    return render_template("console/referral.html", referral_id=referral_id, entry=form, problems=problems,
                           findings=findings, days=rules.DAYS, day_names=rules.DAY_NAMES,
                           grid=rules.grid(entry.get("hours")), several=rules.several_a_day(entry.get("hours")))


# ---- preview --------------------------------------------------------------------------

@bp.route("/preview", methods=["GET", "POST"])
@signed_in()
def preview():
    draft = console().revisions.open_draft()
    files = (draft or console().revisions.live()).files
    settings, content = console().simulator.content(files)
    lang = request.values.get("lang", "en")
    if lang not in content.languages.codes:
        lang = "en"
    channel = request.values.get("channel", "sms")
    said = [m for m in request.form.getlist("said") if m.strip()][-30:]
    if request.method == "POST" and request.form.get("message", "").strip():
        said.append(request.form["message"].strip()[:160])
    if request.form.get("restart"):
        said = []
    now = dt.datetime.now(dt.timezone.utc)
    replies = console().simulator.text(files, lang, said, now) if channel == "sms" else []
    steps = console().simulator.call(files, lang, said) if channel == "voice" else []
    return render_template("console/preview.html", lang=lang, channel=channel, said=said, replies=replies,
                           steps=steps, languages=content.languages.codes, draft=draft)


@bp.get("/diagram")
@signed_in()
def diagram():
    from hotline.staff.graph import diagrams, mermaid

    draft = console().revisions.open_draft()
    files = (draft or console().revisions.live()).files
    _, content = console().simulator.content(files)
    flows = diagrams(content, "en", dt.date.today())
    chosen = request.args.get("flow") or (flows[0].flow if flows else "")
    picked = next((d for d in flows if d.flow == chosen), flows[0])
    return render_template("console/diagram.html", flows=flows, picked=picked, source=mermaid(picked))


# ---- review, publish, rollback ---------------------------------------------------------

@bp.get("/review")
@signed_in()
def review():
    revisions = console().revisions
    draft = revisions.open_draft()
    waiting = needing_review(revisions, draft) if draft else []
    changes = {c.key: c for c in diff(revisions.live().files, draft.files) if c.kind == "node"} if draft else {}
    nodes = nodes_of(draft.files) if draft else {}
    return render_template("console/review.html", draft=draft, waiting=waiting, changes=changes, nodes=nodes)


@bp.post("/review/<node_id>")
@signed_in(CAN_REVIEW)
def sign(node_id: str):
    revisions = console().revisions
    draft = revisions.open_draft()
    if draft is None:
        abort(404, "There is no draft to review.")
    try:
        sign_off(revisions, draft, node_id, who(), g.account.role)
    except Refused as exc:
        flash(str(exc), "error")
    else:
        flash(f"Signed off {node_id}: reviewer {who()}, {dt.date.today().isoformat()}.", "ok")
    return redirect(url_for("console.review"))


@bp.post("/publish")
@signed_in(CAN_PUBLISH)
def publish_draft():
    revisions = console().revisions
    draft = revisions.open_draft()
    if draft is None:
        flash("There is no draft to publish.", "error")
        return redirect(url_for("console.home"))
    from hotline.staff.console.translators import behind, behind_markup

    left_behind = behind(draft.files)  # a warning, not a refusal: publish updates the catalogs itself
    try:
        revision = publish(revisions, draft, who(), g.account.role, request.form.get("note", "").strip()[:500],
                           console().settings.languages)
    except Refused as exc:
        flash(f"Not published: {exc}.", "error")
        if exc.report is not None:
            return render_template("console/check.html", report=exc.report, draft=draft), 409
        return redirect(url_for("console.review") if exc.unreviewed else url_for("console.home"))
    flash(f"Published revision {revision.id}. Every worker serves it within "
          f"{console().settings.live_interval:g} seconds.", "ok")
    if left_behind:
        flash(behind_markup(left_behind), "warning")
    return redirect(url_for("console.revisions_page"))


@bp.get("/revisions")
@signed_in()
def revisions_page():
    revisions = console().revisions
    return render_template("console/revisions.html", history=revisions.history(), live=revisions.live_id(),
                           served=current_app.extensions["hotline"].content.version)


USAGE_DAYS = (7, 30, 90, 400)


@bp.get("/usage")
@signed_in()
def usage():
    """The usage statistics (hotline/session/stats.py): suppressed counts, charts drawn as SVG
    on the server (no script, nothing fetched from anywhere)."""
    from hotline.errors import StoreUnavailable
    from hotline.session import stats

    days = request.args.get("days", 30, type=int)
    days = days if days in USAGE_DAYS else 30
    charts, table, unavailable = [], None, None
    try:
        table = stats.usage_table(current_app.extensions["hotline"].store, days)
    except StoreUnavailable as exc:
        unavailable = str(exc)
    else:
        charts = [stats.svg_chart(table, kind) for kind in ("new conversations", "page", "outcome")]
    return render_template("console/usage.html", table=table, charts=charts, days=days, choices=USAGE_DAYS,
                           threshold=stats.THRESHOLD, unavailable=unavailable, outcomes=stats.OUTCOMES)


@bp.get("/diff")
@signed_in()
def diff_page():
    revisions = console().revisions
    a, b = request.args.get("a", ""), request.args.get("b", "draft")
    try:
        before = revisions.get(a) if a else revisions.live()
        if b == "draft":
            draft = revisions.open_draft()
            after_files, after_name = (draft.files if draft else before.files), "the draft"
        else:
            after_files, after_name = revisions.get(b).files, f"revision {b}"
    except RevisionError as exc:
        abort(404, str(exc))
    return render_template("console/diff.html", changes=diff(before.files, after_files), before=before.id,
                           after=after_name)


@bp.post("/rollback/<revision_id>")
@signed_in(CAN_PUBLISH)
def rollback_to(revision_id: str):
    try:
        rollback(console().revisions, revision_id, who(), g.account.role)
    except (Refused, RevisionError) as exc:
        flash(f"Not rolled back: {exc}", "error")
    else:
        flash(f"Revision {revision_id} is live again. Every worker serves it within "
              f"{console().settings.live_interval:g} seconds.", "ok")
    return redirect(url_for("console.revisions_page"))


# ---- the audit log and accounts ---------------------------------------------------------

@bp.get("/audit")
@signed_in(CAN_PUBLISH)
def audit_page():
    return render_template("console/audit.html", entries=audit_entries(console().revisions.db))


@bp.get("/audit.csv")
@signed_in(CAN_PUBLISH)
def audit_export():
    audit(console().revisions.db, who(), "exported audit log")
    return Response(audit_csv(console().revisions.db), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=hotline-audit.csv"})


@bp.get("/accounts")
@signed_in(CAN_PUBLISH)
def accounts_page():
    return render_template("console/accounts.html", accounts=console().accounts.all())


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
def _error(exc):
    return render_template("console/error.html", error=exc), exc.code
