"""The pocket card: the essentials of the hotline, printed wallet-sized, in any served language.

Every line comes from the scripts and catalogs (flows/card.yaml, the referral directory), so
the card can never say something the hotline does not. Two pages of 85.6 x 54 mm (a credit
card): the rights on the front, the numbers on the back. Print at "actual size".

A card with a missing glyph prints as empty boxes, which a reader in a hurry cannot use, so
before drawing every character is checked against the fonts' character maps, and a gap is an
error that names the characters, not a bad card.
"""
from __future__ import annotations

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

    def characters(self) -> set[str]:
        words = [self.title, *self.points, self.hotline, self.help, self.disclaimer]
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
    from fontTools.ttLib import TTCollection, TTFont

    covered: set[int] = set()
    for regular, _ in fonts_for(text.lang, fonts_dir):
        fonts = TTCollection(str(regular)).fonts if regular.suffix == ".ttc" else [TTFont(str(regular))]
        for font in fonts[:1]:
            covered |= set(font.getBestCmap())
    # Directional marks are invisible format characters: nothing to draw.
    return {ch for ch in text.characters() if ord(ch) not in covered and ch not in "\u200e\u200f\u2066\u2067\u2068\u2069"}


def render_pdf(text: CardText, fonts_dir: Path | None = None) -> bytes:
    """The card as a PDF; `fonts_dir` (HOTLINE_FONTS_DIR in the settings) is searched first."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    gaps = missing_glyphs(text, fonts_dir)
    if gaps:
        raise CardError(f"the fonts for '{text.lang}' cannot draw: {' '.join(sorted(gaps))} "
                        f"({', '.join(f'U+{ord(c):04X}' for c in sorted(gaps))})")
    pdf = FPDF(unit="mm", format=(CARD_W, CARD_H))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    families = []
    for i, (regular, bold) in enumerate(fonts_for(text.lang, fonts_dir)):
        family = f"card{i}"
        pdf.add_font(family, "", str(regular))
        pdf.add_font(family, "B", str(bold))
        families.append(family)
    pdf.set_fallback_fonts(families[1:])
    # HarfBuzz shaping joins Arabic letters and orders mixed-direction lines correctly.
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if text.rtl else "ltr")
    align = "R" if text.rtl else "L"
    width = CARD_W - 2 * MARGIN

    pdf.add_page()
    pdf.set_fill_color(178, 34, 34)
    pdf.rect(0, 0, CARD_W, 9.5, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(families[0], "B", 11)
    pdf.set_xy(MARGIN, 1.5)
    pdf.cell(width, 6.5, text.title, align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN, 12)
    pdf.set_font(families[0], "", 8.4)
    for point in text.points:
        # The bullet comes first in logical order; in a right-to-left paragraph that is the right.
        pdf.multi_cell(width, 4.1, f"\u2022 {point}", align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1.4)

    pdf.add_page()
    pdf.set_xy(MARGIN, MARGIN)
    pdf.set_font(families[0], "B", 8.5)
    pdf.multi_cell(width, 4.2, text.hotline, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(families[0], "", 7.6)
    pdf.multi_cell(width, 3.7, text.help, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for name, phone in text.contacts:
        pdf.set_font(families[-1], "B", 8.5)
        pdf.multi_cell(width, 4.2, phone, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(families[-1], "", 7)
        pdf.multi_cell(width, 3.4, name, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(MARGIN, CARD_H - MARGIN - 4)
    pdf.set_font(families[0], "", 6.2)
    pdf.multi_cell(width, 3, text.disclaimer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
