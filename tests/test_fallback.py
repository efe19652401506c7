"""`hotline fallback`: static TwiML for the Twilio number's Fallback URL, built from the flows."""
from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from catalogs import spanish
from hotline.staff.cli import main
from hotline.config import ROOT, Settings
from hotline.content.bundle import load_content
from hotline.content.catalogs.strings import node_context


def run(tmp_path, *args, env=None):
    result = CliRunner().invoke(main, ["fallback", str(tmp_path / "out"), *args], env=env)
    return result


def test_writes_sms_and_voice_documents_with_the_essentials_and_numbers(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert "sms.xml" in result.output and "SMS segments" in result.output
    settings = Settings.from_env({}, dev=True)
    book = load_content(settings.flows_dir, settings.translations_dir, settings.languages).languages.book("en")

    sms = ET.parse(tmp_path / "out" / "sms.xml").getroot()
    assert sms.tag == "Response" and [m.tag for m in sms] == ["Message"]
    text = sms[0].text
    assert text.startswith(book.message("unavailable"))
    assert book.text("door_say", "sms") in text and book.text("arrested", "sms") in text
    assert "1-800-566-7636" in text and "1-800-898-7180" in text
    assert "212-725-6422" not in text  # a number the directory marks unconfirmed stays out

    voice = ET.parse(tmp_path / "out" / "voice.xml").getroot()
    assert [v.tag for v in voice][-1] == "Hangup"
    says = [v for v in voice if v.tag == "Say"]
    assert says and all(v.get("language") == "en-US" for v in says)
    spoken = " ".join(v.text for v in says)
    assert "1, 8 0 0, 5 6 6, 7 6 3 6" in spoken and "http" not in spoken
    assert book.text("door_say", "voice") in spoken


def test_the_texts_come_from_the_flows_not_from_copies(tmp_path):
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", flows)
    door = (flows / "door.yaml").read_text()
    (flows / "door.yaml").write_text(door.replace('say: "I do not consent to entry."', 'say: "Not without a judge\'s warrant."'))
    result = run(tmp_path, env={"HOTLINE_FLOWS_DIR": str(flows)})
    assert result.exit_code == 0, result.output
    assert "Not without a judge's warrant." in (tmp_path / "out" / "sms.xml").read_text()


def test_other_served_languages_get_their_own_documents(tmp_path):
    translations = spanish(tmp_path / "translations", {
        node_context("door", "door_say", "text"): 'Mantenga la puerta cerrada y diga: "No doy permiso para entrar."'})
    result = run(tmp_path, env={"HOTLINE_TRANSLATIONS_DIR": str(translations), "HOTLINE_LANGUAGES": "en,es"})
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["sms-es.xml", "sms.xml", "voice-es.xml", "voice.xml"]
    assert "No doy permiso para entrar" in (out / "sms-es.xml").read_text()
    assert "No doy permiso" not in (out / "sms.xml").read_text()
    assert 'language="es-US"' in (out / "voice-es.xml").read_text()


def test_chosen_nodes_and_unknown_ones(tmp_path):
    result = run(tmp_path, "--node", "street")
    assert result.exit_code == 0, result.output
    assert "Am I free to go?" in (tmp_path / "out" / "sms.xml").read_text()
    result = run(tmp_path, "--node", "no_such_node")
    assert result.exit_code == 2 and "no_such_node" in result.output
