"""The plain-language grade is textstat's Flesch-Kincaid grade, counted without its 3-second load.

hotline/staff/plain_language.py reads the CMU dictionary itself and counts only the words the
pages use; these tests hold it to textstat's own answer, bit for bit, on every page of the
hotline and on words textstat counts by the dictionary, by Pyphen, and as variants.
"""
from __future__ import annotations

from pathlib import Path

import textstat
from textstat.backend.selections import list_words

from hotline.content.loader import load_script
from hotline.staff.plain_language import reading_grade, word_syllables

ROOT = Path(__file__).resolve().parents[1]


def test_every_page_gets_textstats_own_grade():
    script = load_script(ROOT / "flows")
    pages = {node_id: node.sms or node.text for node_id, node in script.nodes.items() if node.sms or node.text}
    assert len(pages) > 40
    ours = {node_id: reading_grade(text) for node_id, text in pages.items()}
    theirs = {node_id: float(textstat.flesch_kincaid_grade(text)) for node_id, text in pages.items()}
    assert ours == theirs
    assert any(grade > 6 for grade in ours.values())  # the pages include some the check warns about


def test_words_in_and_out_of_the_dictionary_count_as_textstat_counts_them():
    # "read" has two pronunciations (the first counts), "immigration" is in the dictionary,
    # "uscis" and "asylee's" are counted by Pyphen, "" and punctuation are no words at all.
    texts = ["read", "immigration", "USCIS", "asylee's", "Call 607-555-0100, now!", "", "...",
             "Hablamos español. We speak Spanish. Nou pale kreyòl.", "ICE at my door"]
    for text in texts:
        assert reading_grade(text) == float(textstat.flesch_kincaid_grade(text)), text
        for word in list_words(text, lowercase=True):  # the words as textstat splits them
            assert word_syllables(word) == textstat.syllable_count(word), word
