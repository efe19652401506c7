"""Recordings belong to revisions (SQLite and PostgreSQL): the audio kept once by its hash, a
manifest per language in the draft, a revision's id covering both, and the clips written
where the phone line serves them when a worker loads the revision."""
from __future__ import annotations

import hashlib

import pytest

from console_db import database, database_url  # noqa: F401  (fixtures)
from conftest import ROOT
from hotline.channels.voice import clips
from hotline.content.bundle import load_content
from hotline.core.languages import LANGUAGES
from hotline.content.recordings import RecordingsError, Take, manifests, now, with_approval, with_take
from hotline.content.revisions import RevisionError, Revisions, RevisionSource, load_files
from test_recordings_audio import tone, wav_bytes
from hotline.staff import audio

FLOWS, TRANSLATIONS = ROOT / "flows", ROOT / "translations"


@pytest.fixture
def revisions(database):
    revisions = Revisions(database)
    revisions.ensure_live(FLOWS, TRANSLATIONS)
    return revisions


@pytest.fixture(scope="module")
def mp3():
    return audio.convert(wav_bytes(tone())).mp3


def record(revisions, draft, code, clip, mp3, words, by="nadia"):
    sha = revisions.put_audio(mp3, by=by)
    name, text = with_take(draft.files, code, clip, Take(sha, words, "recorded", by, now(), 1.2))
    return revisions.save(draft.id, name, text, by=by), sha


def test_a_recorded_and_approved_clip_travels_with_its_revision(revisions, mp3):
    live = revisions.live()
    content = load_files(live.files)
    item = next(n for n in clips.needed(content, "fa_AF") if n.clip == "door__door__text")
    assert item.status == clips.MISSING

    draft = revisions.draft(by="nadia")
    draft, sha = record(revisions, draft, "fa_AF", item.clip, mp3, item.words)
    assert sha == hashlib.sha256(mp3).hexdigest()
    assert revisions.put_audio(mp3, by="again") == sha  # the same take is stored once
    takes = manifests(draft.files)["fa_AF"]
    assert takes[item.clip].status == "recorded"
    assert clips.playable(load_files(draft.files)) == frozenset()  # recorded, not yet approved

    name, text = with_approval(draft.files, "fa_AF", item.clip, by="nadia", sha256=sha)
    draft = revisions.save(draft.id, name, text, by="nadia")
    revision = revisions.add(draft.files, by="admin", parent=live.id)
    assert revision.id != live.id  # the recordings are part of what the id covers
    revisions.make_live(revision.id, by="admin")

    served = RevisionSource(revisions, LANGUAGES).load()
    assert served.version == revision.id
    assert clips.playable(served) == {("fa_AF", "door__door__text")}
    played = served.audio_dir / "fa_AF" / "door__door__text.mp3"
    assert played.read_bytes() == mp3
    # What the phone line may play: the revision's approved take, and the recordings folder's.
    shelf = clips.Shelf.of(ROOT / "recordings", served)
    assert ("fa_AF", "door__door__text") in shelf.shelf()
    assert shelf.path("fa_AF", "door:door:text") == played and shelf.has("fa_AF", "door:door:text")
    assert shelf.version("fa_AF", "door__door__text") == sha[:12]
    assert not shelf.has("ps", "door:door:text")

    # A rollback serves the older revision: no clip.
    revisions.make_live(live.id, by="admin")
    older = RevisionSource(revisions, LANGUAGES).load()
    assert older.version == live.id and clips.playable(older) == frozenset()


def test_a_clip_whose_words_changed_is_stale_and_not_played(revisions, mp3):
    draft = revisions.draft(by="nadia")
    draft, sha = record(revisions, draft, "fa_AF", "door__door__text", mp3, "words the catalog no longer has")
    name, text = with_approval(draft.files, "fa_AF", "door__door__text", by="nadia", sha256=sha)
    draft = revisions.save(draft.id, name, text, by="nadia")
    content = load_files(draft.files)
    item = next(n for n in clips.needed(content, "fa_AF") if n.clip == "door__door__text")
    assert item.status == clips.STALE
    assert clips.playable(content) == frozenset()


def test_approval_is_of_the_take_listened_to(revisions, mp3):
    draft = revisions.draft(by="nadia")
    draft, sha = record(revisions, draft, "fa_AF", "door__door__text", mp3, "x")
    with pytest.raises(RecordingsError, match="recorded again"):
        with_approval(draft.files, "fa_AF", "door__door__text", by="nadia", sha256="0" * 64)
    with pytest.raises(RecordingsError, match="no recording"):
        with_approval(draft.files, "ps", "door__door__text", by="nadia", sha256=sha)


def test_a_manifest_naming_audio_that_is_not_stored_never_becomes_a_revision(revisions):
    draft = revisions.draft(by="nadia")
    name, text = with_take(draft.files, "fa_AF", "door__door__text", Take("a" * 64, "x", "approved", "n", now()))
    draft = revisions.save(draft.id, name, text, by="nadia")
    with pytest.raises(RevisionError, match="not stored"):
        revisions.add(draft.files, by="admin")


def test_a_broken_manifest_is_refused_and_other_files_are_not_content(revisions):
    draft = revisions.draft(by="nadia")
    draft = revisions.save(draft.id, "recordings/fa_AF.json", "{not json", by="nadia")
    with pytest.raises(RecordingsError, match="not a recordings manifest"):
        load_files(draft.files)
    with pytest.raises(RevisionError):
        revisions.save(draft.id, "recordings/fa_AF/door.mp3", "x", by="nadia")


def test_export_writes_the_clips_beside_the_manifest(revisions, mp3, tmp_path):
    draft = revisions.draft(by="nadia")
    draft, sha = record(revisions, draft, "ps", "messages__voice_goodbye", mp3, "x")
    revision = revisions.add(draft.files, by="admin")
    revisions.export(revision.id, tmp_path)
    assert (tmp_path / "recordings" / "ps" / "messages__voice_goodbye.mp3").read_bytes() == mp3
    assert (tmp_path / "recordings" / "ps.json").is_file()
    # ... and importing the export brings them back, into another database as into this one.
    assert revisions.import_dir(tmp_path / "flows", tmp_path / "translations", by="t").id == revision.id
    (tmp_path / "recordings" / "ps" / "messages__voice_goodbye.mp3").write_bytes(b"not it")
    with pytest.raises(RevisionError, match="is not the recording"):
        revisions.import_dir(tmp_path / "flows", tmp_path / "translations", by="t")


def test_a_checkout_without_manifests_keeps_its_version():
    content = load_content(FLOWS, TRANSLATIONS, recordings_dir=ROOT / "recordings")
    assert content.version == load_content(FLOWS, TRANSLATIONS).version
    assert content.takes == {} and content.audio_dir is None
