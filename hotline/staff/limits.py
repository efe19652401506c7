"""The limits `hotline check` holds the content to. One place: the check, its command-line
options and the tests all read these defaults, so nobody has to keep two numbers in step.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # SMS segments a reply may cost (flows/README.md: "a text in 4, a menu in 3").
    content_segments: int = 4
    menu_segments: int = 3
    # Days before a legal node's `reviewed` date counts as overdue for another review.
    review_days: int = 180
    # Days before a referral's `verified` date counts as overdue for another call.
    verified_days: int = 90
    # Choices a menu may offer. A keypad has nine digits besides 0, which is the main menu;
    # set it lower to be warned about menus too long to hear on the phone.
    menu_options: int = 9


DEFAULT_LIMITS = Limits()

# The keypad's hard limit: more choices than this cannot be served at all.
KEYPAD_DIGITS = 9
