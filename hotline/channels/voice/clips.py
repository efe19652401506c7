"""What each recorded language's clips must say, and which of them the phone line may play.

`needed` lists every clip the phone line needs in a language (speech.clips_needed, plus the
language menu's own entry), each with the exact words to record: the words the phone line
itself would say (phone numbers digit by digit, a choice said whole, "For <label>, press 1"),
taken from that language's catalog. A take (hotline/content/recordings.py) remembers the words
it was recorded from; when the catalog's words change, the take is stale and is not played.
"""
from __future__ import annotations

from dataclasses import dataclass

from hotline.channels.voice import spoken
from hotline.channels.voice.speech import clip_id, clips_needed, language_context, menu_key
from hotline.content.bundle import Content
from hotline.content.catalogs.strings import label_context, message_context, node_context, referral_context
from hotline.content.recordings import Take

# Messages said as a whole choice on a menu (key 0), as compose() builds them.
_CHOICE_MESSAGES = {"main_menu_choice": "0", "voice_volunteer_choice": "0"}

MISSING, RECORDED, APPROVED, STALE = "missing", "recorded", "approved", "stale"


@dataclass(frozen=True)
class Needed:
    context: str  # "door:door:text"
    clip: str  # its clip id, the file name: "door__door__text"
    words: str  # what to say
    page: str  # where it is heard: a node id, "messages", "referrals" or "language menu"
    take: Take | None = None  # the draft's recording of it, if any

    @property
    def status(self) -> str:
        if self.take is None:
            return MISSING
        if self.take.text != self.words:
            return STALE
        return APPROVED if self.take.approved else RECORDED


def words(content: Content, code: str) -> dict[str, tuple[str, str]]:
    """{context: (words to say, page)} for every clip `code` needs, in script order."""
    book = content.languages.book(code)
    script = content.script
    found: dict[str, tuple[str, str]] = {}
    for node_id, node in script.nodes.items():
        flow = script.flow_of(node_id)
        found[node_context(flow, node_id, "voice" if node.voice else "text")] = (spoken(book.text(node_id, "voice")), node_id)
        for item in node.menu:
            label = book.labels[(node_id, item.key)]
            found[label_context(flow, node_id, item.key)] = (spoken(book.message("voice_press", label=label, key=str(item.key))),
                                                             node_id)
    for message_id, key in _CHOICE_MESSAGES.items():
        found[message_context(message_id)] = (spoken(book.message("voice_press", label=book.message(message_id), key=key)),
                                              "messages")
    for referral_id, referral in script.referrals.items():
        lines = [referral.name, book.offers[referral_id]]
        if referral.phone:
            lines.append(book.message("referral_phone", phone=referral.phone))
        found[referral_context(referral_id)] = (spoken("\n".join(lines)), "referrals")
    language = book.language.native_name
    found[language_context(code)] = (spoken(book.message("voice_press", label=language, key=menu_key(code))),
                                     "language menu")
    return found


def needed(content: Content, code: str, volunteers: bool = True, referrals: tuple[str, ...] = (),
           takes: dict[str, Take] | None = None) -> list[Needed]:
    """Every clip `code` needs, with its words and (from `takes`, else the content's own) its take."""
    said = words(content, code)
    takes = content.takes.get(code, {}) if takes is None else takes
    result = []
    for context in clips_needed(content, volunteers, referrals) + [language_context(code)]:
        if context in said:
            text, page = said[context]
        else:  # one of the hotline's messages, said as it is
            text, page = spoken(content.languages.book(code).message(context.split(":", 1)[1])), "messages"
        clip = clip_id(context)
        result.append(Needed(context, clip, text, page, takes.get(clip)))
    return result


def playable(content: Content, volunteers: bool = True, referrals: tuple[str, ...] = ()) -> frozenset[tuple[str, str]]:
    """(language, clip id) of every approved take in the content that still says its words."""
    found = set()
    for code in content.takes:
        if code not in content.languages.codes:
            continue
        for item in needed(content, code, volunteers, referrals):
            if item.status == APPROVED:
                found.add((code, item.clip))
    return frozenset(found)


def coverage(items: list[Needed]) -> dict[str, int]:
    counts = {"needed": len(items), MISSING: 0, RECORDED: 0, APPROVED: 0, STALE: 0}
    for item in items:
        counts[item.status] += 1
    return counts
