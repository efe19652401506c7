"""Revisions in the staff database, on SQLite and PostgreSQL: import, export, drafts, the
live revision every worker serves, and the commands."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from console_db import database, database_url  # noqa: F401  (fixtures)
from conftest import ROOT
from hotline.content.bundle import load_content
from hotline.content.diff import diff
from hotline.content.editing import nodes_of, set_node
from hotline.content.revisions import RevisionError, Revisions, collect
from hotline.errors import ScriptError

FLOWS, TRANSLATIONS = ROOT / "flows", ROOT / "translations"


@pytest.fixture
def revisions(database):
    revisions = Revisions(database)
    revisions.ensure_live(FLOWS, TRANSLATIONS)
    return revisions


def test_the_schema_is_migrated_to_the_newest_version(database):
    tables = set(inspect(database.engine).get_table_names())
    assert {"accounts", "revisions", "live", "drafts", "reviews", "audit", "throttle", "alembic_version"} <= tables


def test_the_migrations_build_exactly_the_schema_the_models_describe(database):
    """Alembic's own comparison (what `alembic check` runs): the tables the migrations made
    differ in nothing, on SQLite and PostgreSQL, from the models the code reads and writes."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from hotline.content.db.models import Base

    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], differences


def test_the_first_start_imports_the_shipped_content_as_the_version_healthz_shows(revisions):
    shipped = load_content(FLOWS, TRANSLATIONS)
    assert revisions.live_id() == shipped.version
    live = revisions.live()
    assert live.files["flows/door.yaml"] == (FLOWS / "door.yaml").read_text(encoding="utf-8")
    assert "translations/es/LC_MESSAGES/messages.po" in live.files
    # the same files are the same revision: importing again adds nothing
    assert revisions.import_dir(FLOWS, TRANSLATIONS, by="t").id == shipped.version
    assert len(revisions.history()) == 1


def test_export_writes_the_files_back_byte_for_byte(revisions, tmp_path):
    revisions.export(revisions.live_id(), tmp_path)
    for path in FLOWS.glob("*.yaml"):
        assert (tmp_path / "flows" / path.name).read_bytes() == path.read_bytes()
    assert collect(tmp_path / "flows", tmp_path / "translations") == revisions.live().files


def test_a_draft_edit_changes_one_node_and_keeps_the_rest_of_the_file(revisions):
    draft = revisions.draft(by="editor1")
    before = draft.files["flows/door.yaml"]
    after = set_node(before, "door_say", {"text": "Keep the door closed. Say: I do not consent to entry."})
    draft = revisions.save(draft.id, "flows/door.yaml", after, by="editor1")
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert changed == ["    text: 'Keep the door closed. Say: I do not consent to entry.'"] or len(changed) <= 2
    assert nodes_of(draft.files)["door_warrant"] == nodes_of(revisions.live().files)["door_warrant"]
    changes = diff(revisions.live().files, draft.files)
    assert [(c.kind, c.key, c.how, list(c.fields)) for c in changes] == [("node", "door_say", "changed", ["text"])]
    new = revisions.add(draft.files, by="admin1", parent=revisions.live_id())
    assert new.id != revisions.live_id()
    revisions.make_live(new.id, by="admin1")
    assert revisions.live_id() == new.id
    assert revisions.get(new.id).parent_id is not None


def test_content_that_does_not_load_never_becomes_a_revision(revisions):
    draft = revisions.draft(by="editor1")
    broken = set_node(draft.files["flows/door.yaml"], "door", {"menu": [{"key": 1, "label": "x", "goto": "nowhere"}]})
    with pytest.raises(ScriptError):
        revisions.add({**draft.files, "flows/door.yaml": broken}, by="admin1")
    with pytest.raises(RevisionError):
        revisions.make_live("000000000000", by="admin1")
    with pytest.raises(RevisionError):
        revisions.save(draft.id, "../etc/passwd", "x", by="editor1")


def test_every_worker_takes_the_live_revision_from_its_publisher(make_app, database_url):
    app = make_app(database_url=database_url)
    board, publisher = app.extensions["hotline"], app.extensions["hotline_publisher"]
    revisions = app.extensions["hotline_revisions"]
    assert publisher.poll_live() is None  # the live one is being served
    draft = revisions.draft(by="t")
    text = set_node(draft.files["flows/main.yaml"], "welcome", {"text": "Welcome to the test hotline."})
    new = revisions.add({**draft.files, "flows/main.yaml": text}, by="t")
    revisions.make_live(new.id, by="t")
    assert publisher.poll_live() is True
    assert board.content.version == new.id
    assert app.test_client().get("/healthz").json["version"] == new.id


def test_import_export_and_staff_add_commands(database_url, tmp_path, monkeypatch):
    from hotline.staff.cli import main

    monkeypatch.setenv("HOTLINE_DATABASE_URL", database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert load_content(FLOWS, TRANSLATIONS).version in result.output
    result = runner.invoke(main, ["export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "flows" / "door.yaml").read_bytes() == (FLOWS / "door.yaml").read_bytes()
    assert (tmp_path / "out" / "flows" / "SOURCES.md").read_text() == (FLOWS / "SOURCES.md").read_text()
    broken = tmp_path / "broken" / "flows"
    broken.mkdir(parents=True)
    (broken / "main.yaml").write_text("flow: main\ntitle: x\nnodes:\n  main:\n    text: hi\n    next: nowhere\n")
    result = runner.invoke(main, ["import", str(broken.parent)])
    assert result.exit_code == 2 and "error" in result.output
    # a legal step changed in the files without a new review date is refused
    edited = tmp_path / "out" / "flows" / "door.yaml"
    edited.write_text(set_node(edited.read_text(), "door_say", {"text": "Say nothing at all."}))
    result = runner.invoke(main, ["import", str(tmp_path / "out")])
    assert result.exit_code == 2 and "door_say" in result.output
    edited.write_text(set_node(edited.read_text(), "door_say", {"reviewed": dt.date.today(), "reviewer": "A New York immigration attorney (test)"}))
    result = runner.invoke(main, ["import", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["staff", "add", "alice", "--role", "admin"], input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "secret:" in result.output  # an admin always gets a second factor
    result = runner.invoke(main, ["staff", "add", "bob", "--role", "editor"], input="short\n")
    assert result.exit_code == 2 and "12 characters" in result.output


def test_a_live_revision_this_version_cannot_serve_leaves_the_shipped_files_serving(make_app, database_url, caplog):
    """An upgrade whose code needs a message the live revision (published under the older
    version) lacks: the hotline still starts, on the files it ships with, and says why."""
    from conftest import Twilio, message_text
    from hotline.content.db import open_database
    from hotline.content.db.models import Revision, utcnow

    revisions = Revisions(open_database(database_url))
    revisions.ensure_live(FLOWS, TRANSLATIONS)
    files = revisions.live().files
    older = {**files, "flows/hotline.yaml": files["flows/hotline.yaml"].replace("voice_whisper:", "voice_whisper_was:")}
    with revisions.db.session() as session, session.begin():  # as the older version stored it
        session.add(Revision(id="0ldversion00", files=older, parent_id=None, created_by="admin1", note="",
                             created_at=utcnow()))
    revisions.make_live("0ldversion00", by="admin1")
    with caplog.at_level("ERROR"):
        app = make_app(database_url=database_url)
    assert app.extensions["hotline"].content.version == load_content(FLOWS, TRANSLATIONS).version
    assert "cannot be served by this version" in caplog.text and "voice_whisper" in caplog.text
    publisher = app.extensions["hotline_publisher"]
    assert publisher.poll_live() in (False, None)  # refused now, or already by its own thread
    assert publisher.last_rejected and publisher.last_rejected["findings"] == 2
    assert publisher.poll_live() is None  # not tried again every few seconds
    assert app.extensions["hotline"].content.version == load_content(FLOWS, TRANSLATIONS).version
    reply = Twilio(app.test_client()).sms("+16075550177", "hi")
    assert reply.status_code == 200 and message_text(reply)
