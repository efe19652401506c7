"""The pocket card: the essentials of the hotline, printed wallet-sized, in any served language.

Every line comes from the scripts and catalogs (flows/card.yaml, the referral directory), so
the card can never say something the hotline does not. Two pages of 85.6 x 54 mm (a credit
card), for double-sided printing: the front in the holder's language (the rights, the
hotline's and the referral numbers, and "show the other side to an officer"); the back in
English, for the holder to hand to an officer without having to speak, as the printed red
cards of immigrant-rights groups are used. Print at "actual size", both sides.

A card with a missing glyph prints as empty boxes, which a reader in a hurry cannot use, so
before drawing every character is checked against the fonts' character maps, and a gap is an
error that names the characters, not a bad card.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from hotline.content.bundle import Content
from hotline.errors import CardError
from hotline.content.catalogs.strings import card_context

CARD_W, CARD_H, MARGIN = 85.6, 54.0, 4.0

# Fonts from Debian's fonts-noto-core and fonts-wqy-microhei (installed by .ci/run).
FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/wqy", "/usr/share/fonts/opentype/noto")
LATIN = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")  # Latin and Cyrillic
ARABIC = ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")  # Arabic, Dari, Pashto letters
CHINESE = ("wqy-microhei.ttc", "wqy-microhei.ttc")



@dataclass(frozen=True)
class CardText:
    """What goes on the card, in one language."""

    lang: str
    rtl: bool
    title: str
    points: tuple[str, ...]
    hotline: str
    help: str
    contacts: tuple[tuple[str, str], ...]  # (name, phone)
    disclaimer: str
    show_back: str = ""
    officer_title: str = ""  # the back: English, whatever the front's language
    officer_lines: tuple[str, ...] = ()

    def characters(self) -> set[str]:
        words = [self.title, *self.points, self.hotline, self.help, self.disclaimer, self.show_back,
                 self.officer_title, *self.officer_lines]
        words += [part for contact in self.contacts for part in contact]
        return {ch for text in words for ch in text if not ch.isspace()}


def card_text(content: Content, lang: str, hotline_number: str) -> CardText:
    script = content.script
    if script.card is None:
        raise CardError("there is no card.yaml in the flows folder")
    if lang not in content.languages.books:
        raise CardError(f"'{lang}' is not a served language (served: {', '.join(content.languages.codes)})")
    book = content.languages.book(lang)
    card = script.card
    return CardText(
        lang=lang,
        rtl=book.language.rtl,
        title=book.phrase(card_context("title"), card.title),
        points=tuple(book.phrase(card_context(f"point:{i}"), p.text) for i, p in enumerate(card.points, start=1)),
        # In right-to-left text a left-to-right isolate keeps the number's groups in order
        # (without it the card printed 0199-555-607).
        hotline=book.phrase(card_context("hotline"), card.hotline).format(
            phone=f"\u2066{hotline_number}\u2069" if book.language.rtl else hotline_number),
        help=book.phrase(card_context("help"), card.help),
        contacts=tuple((script.referrals[r].name, script.referrals[r].phone or "") for r in card.referrals),
        disclaimer=book.phrase(card_context("disclaimer"), card.disclaimer),
        show_back=book.phrase(card_context("show_back"), card.show_back),
        officer_title=card.officer.title,
        officer_lines=card.officer.lines,
    )


def _find_font(name: str, fonts_dir: Path | None) -> Path:
    dirs = [str(fonts_dir)] if fonts_dir else []
    for folder in dirs + list(FONT_DIRS):
        path = Path(folder) / name
        if path.exists():
            return path
    raise CardError(f"font {name} not found in {', '.join(dirs + list(FONT_DIRS))}; "
                    "install Debian's fonts-noto-core and fonts-wqy-microhei (or set HOTLINE_FONTS_DIR)")


def fonts_for(lang: str, fonts_dir: Path | None = None) -> list[tuple[Path, Path]]:
    """(regular, bold) pairs: the language's own script first, then Latin for names and numbers."""
    if lang.startswith("zh"):
        own = CHINESE
    elif lang in ("ar", "fa_AF", "ps"):
        own = ARABIC
    else:
        own = LATIN
    pairs = [(_find_font(own[0], fonts_dir), _find_font(own[1], fonts_dir))]
    if own is not LATIN:
        pairs.append((_find_font(LATIN[0], fonts_dir), _find_font(LATIN[1], fonts_dir)))
    return pairs


def missing_glyphs(text: CardText, fonts_dir: Path | None = None) -> set[str]:
    """Characters that no font in this language's list can draw."""
    covered: set[int] = set()
    for regular, _ in fonts_for(text.lang, fonts_dir):
        covered |= _drawable(regular, regular.stat().st_mtime_ns)
    # Directional marks are invisible format characters: nothing to draw.
    return {ch for ch in text.characters() if ord(ch) not in covered and ch not in "\u200e\u200f\u2066\u2067\u2068\u2069"}


def render_pdf(text: CardText, fonts_dir: Path | None = None) -> bytes:
    """The card as a PDF; `fonts_dir` (HOTLINE_FONTS_DIR in the settings) is searched first."""
    gaps = missing_glyphs(text, fonts_dir)
    if gaps:
        raise CardError(f"the fonts for '{text.lang}' cannot draw: {' '.join(sorted(gaps))} "
                        f"({', '.join(f'U+{ord(c):04X}' for c in sorted(gaps))})")
    fonts = fonts_for(text.lang, fonts_dir)
    # The front holds the most text: the largest size at which all of it fits on the card.
    # Smaller type never reaches further down, so the sizes are halved like a sorted list: at
    # most three layouts for seven sizes (each layout embeds the fonts again, a CJK font's 5 MB).
    low, high = 0, len(FRONT_SIZES) - 1  # FRONT_SIZES[high] is used when nothing larger fits
    fitted = None
    while low <= high:
        middle = (low + high) // 2
        pdf, reached = _card(text, fonts, FRONT_SIZES[middle])
        if reached <= CARD_H - MARGIN / 2:
            fitted, high = pdf, middle - 1
        else:
            low = middle + 1
    # Nothing fitted: every look moved `low` up, so the last layout made is the smallest size's.
    return fitted if fitted is not None else pdf


@functools.lru_cache(maxsize=16)
def _drawable(path: Path, _mtime_ns: int) -> frozenset[int]:
    """The code points a font file can draw (the first font of a .ttc collection); read once
    per file version: a CJK font takes a second to parse."""
    from fontTools.ttLib import TTCollection, TTFont

    font = TTCollection(str(path)).fonts[0] if path.suffix == ".ttc" else TTFont(str(path))
    return frozenset(font.getBestCmap())


# Body text sizes (points) tried for the front, largest first.
FRONT_SIZES = (8.4, 8.0, 7.6, 7.2, 6.8, 6.4, 6.0)


def _card(text: CardText, fonts: list[tuple[Path, Path]], size: float):
    """The two pages with the front's body text at `size`; and how far down the front reached."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(unit="mm", format=(CARD_W, CARD_H))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    families = []
    for i, (regular, bold) in enumerate(fonts):
        family = f"card{i}"
        pdf.add_font(family, "", str(regular))
        pdf.add_font(family, "B", str(bold))
        families.append(family)
    pdf.set_fallback_fonts(families[1:])
    # HarfBuzz shaping joins Arabic letters and orders mixed-direction lines correctly.
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if text.rtl else "ltr")
    align = "R" if text.rtl else "L"
    width = CARD_W - 2 * MARGIN
    line = size * 0.49  # mm per line of body text

    # The front, in the holder's language.
    pdf.add_page()
    pdf.set_fill_color(178, 34, 34)
    pdf.rect(0, 0, CARD_W, 9.5, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(families[0], "B", 11)
    pdf.set_xy(MARGIN, 1.5)
    pdf.cell(width, 6.5, text.title, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN, 11.5)
    pdf.set_font(families[0], "", size)
    for point in text.points:
        # The bullet comes first in logical order; in a right-to-left paragraph that is the right.
        pdf.multi_cell(width, line, f"\u2022 {point}", align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(0.8)
    pdf.ln(0.6)
    pdf.set_font(families[0], "B", size)
    pdf.multi_cell(width, line, text.hotline, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(families[0], "", size)
    pdf.multi_cell(width, line, text.help, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for name, phone in text.contacts:
        # A number and its name on one line: "1-800-566-7636  NYS Office for New Americans Hotline".
        pdf.multi_cell(width, line, f"{phone}  {name}" if not text.rtl else f"{name}  \u2066{phone}\u2069",
                       align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.6)
    pdf.set_font(families[0], "B", size)
    pdf.multi_cell(width, line, text.show_back, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(families[0], "", max(size - 2, 5.5))
    pdf.multi_cell(width, line * 0.8, text.disclaimer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    reached = pdf.get_y()

    # The back, in English for the officer: left to right whatever the front's language.
    pdf.add_page()
    latin = families[-1]
    pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
    pdf.set_fill_color(178, 34, 34)
    pdf.rect(0, 0, CARD_W, 9.5, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(latin, "B", 11)
    pdf.set_xy(MARGIN, 1.5)
    pdf.cell(width, 6.5, text.officer_title, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN, 12)
    pdf.set_font(latin, "", 8)
    for statement in text.officer_lines:
        pdf.multi_cell(width, 3.9, statement, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.1)
    return bytes(pdf.output()), reached
