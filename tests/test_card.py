"""The pocket card: made from the scripts and catalogs, and every glyph present."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from hotline.errors import CardError
from hotline.staff.card import CardText, card_text, missing_glyphs, render_pdf
from hotline.config import Settings
from hotline.content.bundle import load_content

NUMBER = "607-555-0199"  # 555-01xx: reserved for fiction, never a real line


@pytest.fixture(scope="module")
def content():
    settings = Settings.from_env({}, dev=True)
    return load_content(settings.flows_dir, settings.translations_dir, settings.languages)


@pytest.fixture(scope="module")
def card_pdf(content):
    """Each language's card as `hotline card` makes it, rendered once for this module's tests
    (a render embeds the fonts: seconds for Chinese)."""
    made: dict[str, bytes] = {}

    def pdf(lang: str) -> bytes:
        if lang not in made:
            made[lang] = render_pdf(card_text(content, lang, NUMBER))
        return made[lang]

    return pdf


def test_the_card_text_comes_from_the_scripts(content):
    text = card_text(content, "en", NUMBER)
    assert text.title == content.script.card.title
    assert text.hotline.endswith(NUMBER)
    assert ("NYS Office for New Americans Hotline", "1-800-566-7636") in text.contacts


def test_an_unknown_language_is_a_clear_error(content):
    with pytest.raises(CardError, match="not a served language"):
        card_text(content, "xx", NUMBER)


def test_a_missing_glyph_is_caught_before_drawing():
    text = CardText("en", False, "Title", ("Amharic: ሰላም",), "x", "y", (("n", "1"),), "z")
    assert missing_glyphs(text) == {"ሰ", "ላ", "ም"}
    with pytest.raises(CardError, match="cannot draw"):
        render_pdf(text)


@pytest.mark.parametrize("lang", ["en", "es", "ar", "fa_AF", "ps", "uk", "zh_Hans"])
def test_the_card_renders_two_wallet_sized_pages(content, card_pdf, lang, tmp_path):
    """In a Latin, a Cyrillic, three Arabic-script and a Chinese language: every glyph drawn."""
    text = card_text(content, lang, NUMBER)
    if lang != "en":  # really translated, not English fallbacks
        assert text.title != content.script.card.title and text.points[0] != content.script.card.points[0].text
    assert missing_glyphs(text) == set()
    pdf = card_pdf(lang)
    path = tmp_path / f"card-{lang}.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\n", info)
    assert "242.65 x 153.07 pts" in info  # 85.6 x 54 mm
    # The text is really in the PDF (embedded font, extractable), not boxes.
    extracted = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "1-800-566-7636" in extracted and NUMBER in extracted


def test_poppler_is_there_for_the_card_tests():
    assert shutil.which("pdfinfo") and shutil.which("pdftotext")


def page_text(path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("lang", ["es", "ar", "zh_Hans"])
def test_the_front_is_in_the_holders_language_and_the_back_in_english_for_an_officer(content, card_pdf, lang, tmp_path):
    text = card_text(content, lang, NUMBER)
    path = tmp_path / "card.pdf"
    path.write_bytes(card_pdf(lang))
    front, back = page_text(path, 1), page_text(path, 2)
    officer = content.script.card.officer
    assert text.show_back != content.script.card.show_back  # translated: it tells the holder what the back is for
    assert NUMBER in front and "1-800-566-7636" in front
    flat_back = " ".join(back.split())
    assert officer.title in flat_back
    for line in officer.lines:  # every statement, in English, whatever the front's language
        assert " ".join(line.split()) in flat_back, line
    assert not any("\u0600" <= ch <= "\u06ff" or "\u4e00" <= ch <= "\u9fff" for ch in back)


def bullet_boxes(path) -> list[tuple[float, float]]:
    """(xMin, xMax) in points of every bullet drawn on the front."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [(float(a), float(b)) for a, b, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
            if word.startswith("\u2022") or word.endswith("\u2022")]


@pytest.mark.parametrize("lang,rtl", [("en", False), ("uk", False), ("ar", True), ("fa_AF", True), ("ps", True)])
def test_bullets_stand_where_a_reader_starts_a_line(content, card_pdf, lang, rtl, tmp_path):
    """Left to right: bullets at the left margin. Right to left: right-aligned, bullets at the right."""
    path = tmp_path / "card.pdf"
    path.write_bytes(card_pdf(lang))
    boxes = bullet_boxes(path)
    assert len(boxes) == len(content.script.card.points), boxes
    width, margin = 242.65, 4.0 / 25.4 * 72  # points
    for x_min, x_max in boxes:
        if rtl:
            assert x_max > width - margin - 8, (lang, x_min, x_max)
        else:
            assert x_min < margin + 8, (lang, x_min, x_max)
