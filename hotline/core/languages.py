"""The languages the hotline can serve, by locale code, in the order callers see them.

Codes are Babel's: Dari is `fa_AF` (Babel has no `prs`), Simplified Chinese `zh_Hans`.
Which of them a running hotline serves is a setting (HOTLINE_LANGUAGES); whether each is
offered also depends on its catalog (hotline.content.catalogs.languages).
"""
from __future__ import annotations

ENGLISH = "en"  # the source language: every string is written in it first
# The order callers see on the language menu. English first: it is the source language.
LANGUAGES = ("en", "es", "uk", "ru", "ar", "fa_AF", "ps", "ht", "zh_Hans")
