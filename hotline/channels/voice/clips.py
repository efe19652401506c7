"""What each recorded language's clips must say, and which of them the phone line may play.

`needed` lists every clip the phone line needs in a language (speech.clips_needed, plus the
language menu's own entry), each with the exact words to record: the words the phone line
itself would say (phone numbers digit by digit, a choice said whole, "For <label>, press 1"),
taken from that language's catalog. A take (hotline/content/recordings.py) remembers the words
it was recorded from; when the catalog's words change, the take is stale and is not played.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hotline.channels.voice import readable_aloud
from hotline.channels.voice.speech import Recordings, clip_id, clips_needed, language_context, menu_key
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
        found[node_context(flow, node_id, "voice" if node.voice else "text")] = (readable_aloud(book.text(node_id, "voice")), node_id)
        for item in node.menu:
            label = book.labels[(node_id, item.key)]
            found[label_context(flow, node_id, item.key)] = (readable_aloud(book.message("voice_press", label=label, key=str(item.key))),
                                                             node_id)
    for message_id, key in _CHOICE_MESSAGES.items():
        found[message_context(message_id)] = (readable_aloud(book.message("voice_press", label=book.message(message_id), key=key)),
                                              "messages")
    for referral_id, referral in script.referrals.items():
        lines = [referral.name, book.offers[referral_id]]
        if referral.phone:
            lines.append(book.message("referral_phone", phone=referral.phone))
        found[referral_context(referral_id)] = (readable_aloud("\n".join(lines)), "referrals")
    language = book.language.native_name
    found[language_context(code)] = (readable_aloud(book.message("voice_press", label=language, key=menu_key(code))),
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
            text, page = readable_aloud(content.languages.book(code).message(context.split(":", 1)[1])), "messages"
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


@dataclass(frozen=True)
class Shelf(Recordings):
    """What the phone line may play: the recordings folder's clips, and the revision's approved
    takes that still say their words (those first: they are what staff published)."""

    revision: Path | None = None
    approved: frozenset[tuple[str, str]] = frozenset()
    versions: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, folder: Path, content: Content, volunteers: bool = True, referrals: tuple[str, ...] = ()) -> "Shelf":
        approved = playable(content, volunteers, referrals) if content.audio_dir is not None else frozenset()
        versions = {(code, clip): content.takes[code][clip].sha256[:12] for code, clip in approved}
        return cls(folder, content.audio_dir, approved, versions)

    def path(self, code: str, context: str) -> Path:
        if self.revision is not None and (code, clip_id(context)) in self.approved:
            return self.revision / code / f"{clip_id(context)}.mp3"
        return super().path(code, context)

    def has(self, code: str, context: str) -> bool:
        return (code, clip_id(context)) in self.approved or super().has(code, context)

    def shelf(self) -> frozenset[tuple[str, str]]:
        return super().shelf() | self.approved

    def version(self, code: str, clip: str) -> str | None:
        """The take's hash (its first 12 digits) for a revision's clip, None for the folder's:
        in the clip's URL, so Twilio never plays a cached older take."""
        return self.versions.get((code, clip))
