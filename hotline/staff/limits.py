"""The limits `hotline check` holds the content to. One place: the check, its command-line
options and the tests all read these defaults, so nobody has to keep two numbers in step.

The SMS budget is not repeated here: `sms` is hotline/staff/sms_budget.py's SmsBudget, the one the
test suite and `hotline translations status` measure against too.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from hotline.staff.sms_budget import SMS_BUDGET, SmsBudget


@dataclass(frozen=True)
class CheckLimits:
    # SMS segments a reply may cost, by kind (content or menu) and encoding (GSM-7 or UCS-2).
    sms: SmsBudget = SMS_BUDGET
    # Days before a legal node's `reviewed` date counts as overdue for another review.
    review_days: int = 180
    # Days before a referral's `verified` date counts as overdue for another call.
    verified_days: int = 90
    # Choices a menu may offer. A keypad has nine digits besides 0, which is the main menu;
    # set it lower to be warned about menus too long to hear on the phone.
    menu_options: int = 9
    # The US school grade (Flesch-Kincaid) an English page should read at, at most.
    reading_grade: int = 6

    def as_json(self) -> dict[str, Any]:
        """Flat, as --json has always printed them: content_segments and menu_segments are the
        GSM-7 budget, ucs2_content_segments and ucs2_menu_segments the UCS-2 one."""
        flat = {f.name: getattr(self.sms, f.name) for f in fields(self.sms)}
        flat.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "sms"})
        return flat


DEFAULT_LIMITS = CheckLimits()

# The keypad's hard limit: more choices than this cannot be served at all.
KEYPAD_DIGITS = 9
