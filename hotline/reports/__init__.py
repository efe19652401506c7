"""Verified reports: a resident reports enforcement activity, trained responders check it, and
only a verified sighting is told to everyone who contacts the hotline.

    settings.py  who the responders are and when they are on shift; confirmations, lifetimes
    seal.py      the key (HKDF from HOTLINE_SECRET_KEY) and Fernet: a report's words at rest
    box.py       what is kept of a report in Redis (or the embedded store), each key with a TTL
    intake.py    the short guided report, question by question (pure: no I/O)
    relay.py     the one SMS a responder gets per report, or a digest when many arrive at once
    alerts.py    verified alerts: how they are kept on the read round trip, and how they read
    service.py   Reports: what the switchboard calls

Layering: the session layer calls this package; it imports only channels, content and core
(and the root errors and config). The reporter's number never enters it: the switchboard
hands over the caller's pseudonym-keyed snapshot and gets back outputs and a store change.
"""
