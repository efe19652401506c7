"""What the code expects the scripts to provide.

The engine and the channels look up these node ids, message ids and keyword ids by name, so
the loader checks that they exist, and that every message uses only the placeholders the
code fills in (a stray `{name}` would otherwise fail in the middle of a conversation).
"""
from __future__ import annotations

import string

WELCOME = "welcome"
MAIN_MENU = "main_menu"
HELP = "help"
REQUIRED_NODES = (WELCOME, MAIN_MENU, HELP)

# message id -> the placeholders the code fills in. Every id here must be in hotline.yaml.
MESSAGES: dict[str, frozenset[str]] = {
    "hint": frozenset(),
    "leaf_hint": frozenset(),
    "main_menu_choice": frozenset(),
    "moved": frozenset(),
    "unavailable": frozenset(),
    "referral_phone": frozenset({"phone"}),
    "referral_website": frozenset({"website"}),
    "referral_free": frozenset(),
    "referral_open_now": frozenset({"time"}),
    "referral_opens_today": frozenset({"time"}),
    "referral_opens_on": frozenset({"day", "time"}),
    "referral_languages_all": frozenset(),
    "voice_press": frozenset({"label", "key"}),
    "voice_keys": frozenset(),
    "voice_no_input": frozenset(),
    "voice_goodbye": frozenset(),
    "voice_change_language": frozenset(),
    "voice_volunteer_choice": frozenset(),
    "voice_volunteer_connecting": frozenset(),
    "voice_volunteer_closed": frozenset(),
    "voice_volunteer_no_answer": frozenset(),
    "voice_voicemail": frozenset(),
    "voice_voicemail_thanks": frozenset(),
    "voice_sms_offer": frozenset({"language", "key"}),
    "voice_sms_sent": frozenset(),
    "voice_more_choice": frozenset(),
    "voice_speech": frozenset(),
    "voice_speech_hint": frozenset(),
    "voice_time_warning": frozenset(),
    "voice_ona": frozenset(),
    "voice_ona_connecting": frozenset(),
    "voice_whisper": frozenset({"language"}),
    "voice_voicemail_waiting": frozenset(),
    "line_info": frozenset({"operator"}),  # {operator}: the `operator` message, who runs the line
    "forgotten": frozenset(),
    "too_fast": frozenset(),
    "media": frozenset(),
}

# Optional messages: the days of the week, filled in as {day}. hotline.yaml lists them so that
# translators see them (Babel's locale data has none for Haitian Creole); where a file does
# not, these English names are the source text. Monday first, as datetime.weekday() counts.
DAY_MESSAGES: dict[str, str] = {
    "day_mon": "Monday", "day_tue": "Tuesday", "day_wed": "Wednesday", "day_thu": "Thursday",
    "day_fri": "Friday", "day_sat": "Saturday", "day_sun": "Sunday",
}

# The report loop's messages and keywords (hotline/reports): placeholders are checked like the
# rest, but a script may leave them all out; it then has no report loop, and the hotline
# refuses to start with responders configured (hotline/reports/service.py, check_content).
REPORT_MESSAGES: dict[str, frozenset[str]] = {
    "report_start": frozenset(),
    "report_what": frozenset(),
    "report_where": frozenset(),
    "report_when": frozenset(),
    "report_taken": frozenset(),
    "report_thanks": frozenset(),
    "report_closed": frozenset(),
    "report_cancelled": frozenset(),
    "report_limit": frozenset(),
    "alert": frozenset({"time", "description"}),
    "alerts_none": frozenset(),
    "report_relay": frozenset({"code", "time", "language", "what", "where", "when", "taken"}),
    "report_digest": frozenset({"count"}),
    "report_confirmed": frozenset({"code", "count", "needed"}),
    "report_verified": frozenset({"code", "hours"}),
    "report_refuted": frozenset({"code"}),
    "report_unknown": frozenset({"code"}),
    "voice_report_connecting": frozenset(),
}
REPORT_KEYWORDS = ("report", "alerts", "skip", "confirm", "false")

# keyword id -> what it does. The words themselves are in hotline.yaml (and translated).
KEYWORDS = ("menu", "back", "help", "language", "greeting", "forget")

# Optional, together: the words people text in a panic ("ICE", "migra", "raid", "redada", and
# each language's own), the page they go straight to, and the first reply to a first text the
# line cannot place (the most urgent advice in a few words, then the language list). Without
# them a first text the line cannot place gets the language list alone.
URGENT = "urgent"
OPTIONAL_KEYWORDS = (URGENT,)
FIRST_MESSAGES: dict[str, str] = {
    "urgent_first": "",  # its text is the flow's: hotline.yaml gives it
    "language_hint": "",
}


def placeholders(text: str) -> set[str]:
    """The `{names}` in a message, as str.format sees them."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:  # an unbalanced brace: report it as a placeholder nobody fills
        return {"<unbalanced brace>"}
