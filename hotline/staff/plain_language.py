"""Plain language: every English page at or below a US grade 6 reading level.

People read these pages afraid, often in a second language, on a small screen. The grade is
the Flesch-Kincaid grade of the page's SMS text, measured with textstat (a maintained
readability library); a page above the limit is a warning that names its grade and what to
do. Organisation names and legal terms a person may need to recognise raise the grade: keep
them, in quotes, beside plain words, and accept the warning where nothing simpler is true.
"""
from __future__ import annotations

from hotline.content.script import Script
from hotline.staff.findings import CheckFinding
from hotline.staff.limits import CheckLimits

# Fewer words than this say too little for a readability formula to mean anything.
MIN_WORDS = 12


def reading_grade(text: str) -> float:
    import textstat

    return float(textstat.flesch_kincaid_grade(text))


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
