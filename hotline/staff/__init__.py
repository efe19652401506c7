"""Tools for the people who keep the hotline's content right: check, preview, diagrams, schema.

    check.py        `hotline check`: every finding about the scripts and catalogs, as a Report
    findings.py     Finding and Report: what the check found, grouped, with file and line
    limits.py       the SMS budget (hotline/staff/sms_budget.py's), ages and menu size the check uses
    translations.py per-language completeness, fuzzy and stale entries, review status
    smscost.py      replies over the SMS budget (measured by hotline/staff/sms_budget.py), placed
    voiceready.py   per language: text-to-speech or recordings
    freshness.py    legal reviews and referral checks that are getting old
    structure.py    menus, loops and unreachable parts
    report_text.py  the grouped, coloured text a staff member reads
    preview.py      any language, either channel, exactly as a person gets it
    graph.py        the flows as Mermaid and Graphviz diagrams
    schema.py       JSON Schema for editors, generated from the flow models
    commands.py     the click commands, registered on `hotline`
    console/        the staff console at /staff/ (a blueprint of the hotline's own app)
    accounts.py     staff accounts: argon2id, TOTP, sign-in throttling, the audit log
    publish.py      publish a draft (checked, legal sign-off), roll back
    db_commands.py  `hotline import`, `export` and `staff add`

Nothing here runs in a caller's turn; hotline/session/publishing.py (reloads) does. The console
serves staff, in the same processes when HOTLINE_CONSOLE is on.
"""
