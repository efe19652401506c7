"""Tools for the people who keep the hotline's content right: check, preview, diagrams, schema.

    check.py        `hotline check`: every finding about the scripts and catalogs, as a Report
    findings.py     Finding and Report: what the check found, grouped, with file and line
    limits.py       the budgets and ages the check holds content to (one place)
    translations.py per-language completeness, fuzzy and stale entries, review status
    smscost.py      every reply rendered as SMS and measured in segments
    voiceready.py   per language: text-to-speech or recordings
    freshness.py    legal reviews and referral checks that are getting old
    structure.py    menus, loops and unreachable parts
    report_text.py  the grouped, coloured text a staff member reads
    preview.py      any language, either channel, exactly as a person gets it
    graph.py        the flows as Mermaid and Graphviz diagrams
    schema.py       JSON Schema for editors, generated from the flow models
    commands.py     the click commands, registered on `hotline`

Nothing here runs while the hotline serves callers; hotline/publishing.py (reloads) does.
"""
