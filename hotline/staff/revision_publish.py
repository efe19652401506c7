"""Publishing a draft, rolling back, legal review: the rules the console and the commands share.

Publish runs `hotline check` itself (run_check, on the draft's files as the loader reads them)
and refuses on any error; a legal node changed since the live revision must carry a reviewer's
sign-off of exactly the text being published. The catalogs published are the draft's updated
from its English, as `hotline translations update` updates them (catalog_edit.refreshed): a
string whose English changed is fuzzy in the revision (callers hear the English until it is
translated again), never served against English it no longer matches; the console warns
which languages that leaves behind (catalog_edit.behind_english) but does not refuse.
What is published is one row in the database;
every worker picks it up by itself (hotline/session/publishing.py).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hotline.core.languages import LANGUAGES
from hotline.content.db.models import Review, utcnow
from hotline.content.editing import node_digest, nodes_of, signed_off
from hotline.content.revisions import ByFiles, Revision, Revisions, materialize
from hotline.errors import HotlineError
from hotline.staff.accounts import CAN_PUBLISH, CAN_REVIEW, audit
from hotline.staff.check import run_check
from hotline.staff.findings import Report


class Refused(HotlineError):
    def __init__(self, message: str, report: Report | None = None, unreviewed: list[str] | None = None):
        super().__init__(message)
        self.report = report
        self.unreviewed = unreviewed or []


def check_files(files: dict[str, str], languages: tuple[str, ...] = LANGUAGES, today: dt.date | None = None) -> Report:
    """`hotline check` of a set of files, as of `today` (referral freshness is judged against
    the date, so a console left open overnight checks again in the morning). A check takes a
    second or more and staff pages ask it of the same draft again and again: the last few are
    remembered by files, languages and day, for every console in this process. The Report
    returned is shared: read it, do not add to it."""
    return _checked(files, tuple(languages), today or dt.date.today())


def _check(files: dict[str, str], languages: tuple[str, ...], today: dt.date) -> Report:
    root = materialize(files)
    return run_check(root / "flows", root / "translations", languages, today=today)


_checked = ByFiles(_check, keep=8)


def needing_review(revisions: Revisions, draft) -> list[str]:
    """Legal nodes of the draft whose reviewed content differs from the live revision's and
    that no reviewer has signed off as they now read."""
    live = revisions.live()
    before = nodes_of(live.files) if live else {}
    now = nodes_of(draft.files)
    with revisions.db.session() as session:
        signed = {(r.node_id, r.digest) for r in session.scalars(select(Review).where(Review.draft_id == draft.id))}
    waiting = []
    for node_id, (_, node) in now.items():
        if not node.get("legal"):
            continue
        digest = node_digest(node)
        if node_id in before and node_digest(before[node_id][1]) == digest:
            continue
        if (node_id, digest) not in signed:
            waiting.append(node_id)
    return sorted(waiting)


def unreviewed_in_files(revisions: Revisions, files: dict[str, str]) -> list[str]:
    """For a folder imported from git: legal nodes whose words changed from the live revision
    but whose `reviewed` and `reviewer` did not (the review happened in git, and says so in the file)."""
    live = revisions.live()
    before = nodes_of(live.files) if live else {}
    waiting = []
    for node_id, (_, node) in nodes_of(files).items():
        old = before.get(node_id, (None, None))[1]
        if not node.get("legal") or old is None or node_digest(old) == node_digest(node):
            continue
        if (str(node.get("reviewed")), node.get("reviewer")) == (str(old.get("reviewed")), old.get("reviewer")):
            waiting.append(node_id)
    return sorted(waiting)


def sign_off(revisions: Revisions, draft, node_id: str, reviewer: str, role: str, today: dt.date | None = None):
    """A reviewer signs off a legal node: their account and today's date become its `reviewer`
    and `reviewed`, and the sign-off covers the node exactly as it reads now."""
    if role not in CAN_REVIEW:
        raise Refused("only a reviewer can sign off legal content")
    nodes = nodes_of(draft.files)
    if node_id not in nodes or not nodes[node_id][1].get("legal"):
        raise Refused(f"{node_id} is not a legal node of this draft")
    name, node = nodes[node_id]
    draft = revisions.save(draft.id, name, signed_off(draft.files[name], node_id, reviewer, today or dt.date.today()),
                           by=reviewer)
    digest = node_digest(nodes_of(draft.files)[node_id][1])
    with revisions.db.session() as session, session.begin():
        session.add(Review(draft_id=draft.id, node_id=node_id, digest=digest, reviewer=reviewer, at=utcnow()))
    audit(revisions.db, reviewer, "legal sign-off", f"{node_id} in draft {draft.id}")
    return draft


def publish(revisions: Revisions, draft, who: str, role: str, note: str = "",
            languages: tuple[str, ...] = LANGUAGES) -> Revision:
    if role not in CAN_PUBLISH:
        raise Refused("only an admin can publish")
    from hotline.staff import catalog_edit

    try:
        behind = catalog_edit.behind_english(draft.files, languages)
        files = catalog_edit.refreshed(draft.files, languages)
    except HotlineError:
        behind, files = [], draft.files  # English that does not load: the check refuses it below
    report = check_files(files, languages)
    if report.count("error"):
        raise Refused(f"the draft has {report.count('error')} error(s); nothing was published", report=report)
    unreviewed = needing_review(revisions, draft)
    if unreviewed:
        raise Refused("legal content changed without a reviewer's sign-off: " + ", ".join(unreviewed),
                      unreviewed=unreviewed)
    was = revisions.live_id()
    revision = revisions.add(files, by=who, note=note, parent=was)
    revisions.make_live(revision.id, by=who)
    revisions.close(draft.id)
    audit(revisions.db, who, "published", f"revision {revision.id} (was {was})" + (f": {note}" if note else "")
          + (f"; catalogs updated from the English, left behind: {catalog_edit.describe_behind(behind)}" if behind else ""))
    return revision


def rollback(revisions: Revisions, revision_id: str, who: str, role: str) -> None:
    if role not in CAN_PUBLISH:
        raise Refused("only an admin can roll back")
    was = revisions.live_id()
    revisions.make_live(revisions.get(revision_id).id, by=who)
    audit(revisions.db, who, "rolled back", f"to revision {revision_id} (was {was})")
