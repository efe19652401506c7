"""The conversation engine: (content, state, what the person sent) -> (what to send back, new state).

Pure: no Flask, Redis or Twilio here, no clock, no files. The same function serves the SMS
line, the phone line and the terminal simulator; the channels decide how a reply looks or
sounds. A test proves the imports stay clean.

The rules, in the order they apply:
  first contact          -> a panic word ("ICE", "migra", "redada", each language's own) goes
                            straight to the urgent page, with how to choose a language;
                            otherwise the welcome in the language the first message is in (a
                            greeting, keyword or language name; else its letters), the short
                            list when the script is shared (Arabic, Dari, Pashto; Ukrainian,
                            Russian), every language when there is nothing to go on, each list
                            after a few words of the most urgent advice; a remembered language
                            skips the list; the language keyword asks for it
  a panic word           -> the urgent page, at any time
  a node that vanished   -> a short notice + the main menu (a reload removed it)
  0 / MENU               -> main menu
  BACK / #               -> the menu before this one
  HELP                   -> the help node
  LANGUAGE               -> the language menu (the keyword works in every language); a
                            choice returns the caller to where they were, in the new language
  * (repeat)             -> the current node again
  a menu key             -> the node it opens, then on through its `next` chain
  anything else          -> a one-line hint and the current menu again: never a dead end
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Union

from hotline.core import contract
from hotline.core.languages import ENGLISH
from hotline.core.words import Words

if TYPE_CHECKING:  # only for the annotations: the engine reads a Content, it never loads one
    from hotline.content.bundle import Content

# How many menus BACK remembers. Bounded so the stored state stays a few dozen bytes.
BACK_DEPTH = 6
# The language menu is not a node in the scripts; this marks it in the state. Candidates
# (when a first message's script was ambiguous) follow the colon.
LANGUAGE_MENU = "@lang"


@dataclass(frozen=True)
class State:
    """Where a caller is. `lang` is stored apart from the rest: it is remembered far longer."""

    node: str | None = None
    back: tuple[str, ...] = ()
    lang: str | None = None


@dataclass(frozen=True)
class Show:
    """Say a node: its text, then its referrals and its menu."""

    node: str


@dataclass(frozen=True)
class Choices:
    """Just a node's menu, without its text again: the cheap re-prompt after a wrong key."""

    node: str


@dataclass(frozen=True)
class Notice:
    """Say one of the hotline's own messages (flows/hotline.yaml)."""

    message: str


@dataclass(frozen=True)
class ChooseLanguage:
    """Offer these languages, each named in itself; key 1 is the first."""

    codes: tuple[str, ...]


Output = Union[Show, Choices, Notice, ChooseLanguage]


@dataclass(frozen=True)
class Turn:
    outputs: tuple[Output, ...]
    state: State

    @property
    def waits_for_choice(self) -> bool:
        """True when the last thing said asks for a key (a menu or the language list)."""
        return any(isinstance(o, (Show, Choices, ChooseLanguage)) for o in self.outputs)


def step(content: Content, state: State, words: Words) -> Turn:
    return _Step(content, state).answer(words)


class _Step:
    def __init__(self, content: Content, state: State):
        self.content = content
        self.script = content.script
        self.state = state
        languages = content.languages
        if state.lang is not None and state.lang not in languages.books:
            # A language that is no longer served: fall back rather than fail.
            self.state = state = replace(state, lang=None)
        self.book = languages.book(state.lang)

    def answer(self, words: Words) -> Turn:
        said = words.said
        state = self.state
        if state.node is None:
            return self.first_contact(words)
        if state.node.startswith(LANGUAGE_MENU):
            return self.at_language_menu(words)
        if state.node not in self.script.nodes:
            return self.go(contract.MAIN_MENU, back=(), before=(Notice("moved"),))
        command = self.book.commands.get(said)
        if said == "0" or command == "menu":
            return self.go(contract.MAIN_MENU, back=())
        if said == "#" or command == "back":
            back = state.back
            return self.go(back[-1], back=back[:-1]) if back else self.go(contract.MAIN_MENU, back=())
        if command == "help":
            return self.go(contract.HELP, back=self.pushed())
        if command == "language" and len(self.content.languages.codes) > 1:
            return self.offer_languages(self.content.languages.codes, back=self.pushed())
        if command == contract.URGENT and self.has_urgent:
            return self.go(contract.URGENT, back=self.pushed())
        if said == "*":
            return self.go(state.node, back=state.back)
        node = self.script.nodes[state.node]
        if said.isdigit():
            for item in node.menu:
                if str(item.key) == said:
                    return self.go(item.goto, back=self.pushed())
        # Not a choice we know: one line of help, then the same place again.
        hint = "hint" if node.menu else "leaf_hint"
        outputs = (Notice(hint), Choices(state.node)) if node.menu else (Notice(hint),)
        return Turn(outputs, state)

    # --- moves -----------------------------------------------------------------------

    def pushed(self) -> tuple[str, ...]:
        back = self.state.back + (self.state.node,) if self.state.node else self.state.back
        return back[-BACK_DEPTH:]

    def go(self, node_id: str, back: tuple[str, ...], before: tuple[Output, ...] = (), lang: str | None = None) -> Turn:
        """Show `node_id` and follow its `next` chain; the caller ends up at the last node."""
        outputs = list(before)
        nodes = self.script.nodes
        while True:
            outputs.append(Show(node_id))
            following = nodes[node_id].next
            if following is None:
                break
            node_id = following
        if not nodes[node_id].menu:
            outputs.append(Notice("leaf_hint"))
        if node_id == contract.MAIN_MENU:
            back = ()
        return Turn(tuple(outputs), State(node=node_id, back=back, lang=lang or self.state.lang))

    def offer_languages(self, codes: tuple[str, ...], back: tuple[str, ...]) -> Turn:
        all_codes = self.content.languages.codes
        marker = LANGUAGE_MENU if codes == all_codes else f"{LANGUAGE_MENU}:{','.join(codes)}"
        return Turn((ChooseLanguage(codes),), State(node=marker, back=back, lang=self.state.lang))

    # --- first contact and language choice ---------------------------------------------

    def first_contact(self, words: Words) -> Turn:
        languages = self.content.languages
        urgent = self.has_urgent and languages.is_urgent(words)
        if len(languages.codes) == 1:
            return self.go(contract.URGENT if urgent else contract.WELCOME, back=())
        if self.book.commands.get(words.said) == "language":  # "LANGUAGE", "IDIOMA", ... asks for the list
            return self.offer_languages(languages.codes, back=())
        detected = languages.detect(words)
        if urgent:
            # "ICE", "la migra", "redada": the few steps that matter most, at once, in the
            # language we know or can tell (else English), and how to choose another.
            # English panic words work in every language, so "la migra" may match English and
            # Spanish: the one other language is the caller's.
            others = tuple(code for code in detected if code != ENGLISH)
            lang = self.state.lang or (detected[0] if len(detected) == 1 else others[0] if len(others) == 1 else None)
            turn = self.go(contract.URGENT, back=(), lang=lang)
            return Turn(turn.outputs + (Notice("language_hint"),), turn.state)
        if self.state.lang is not None:  # remembered from an earlier conversation
            return self.go(contract.WELCOME, back=())
        if len(detected) == 1:
            return self.choose(detected[0])
        listed = self.offer_languages(detected or languages.codes, back=())
        if self.has_urgent:
            # A first text the line cannot place ("1", "help me", a name): never a bare list.
            return Turn((Notice("urgent_first"),) + listed.outputs, listed.state)
        return listed

    @property
    def has_urgent(self) -> bool:
        """The scripts have the urgent page, its panic words and the first-reply messages."""
        return self.content.script.has_urgent

    def at_language_menu(self, words: Words) -> Turn:
        said = words.said
        languages = self.content.languages
        _, _, listed = self.state.node.partition(":")
        codes = tuple(c for c in (listed.split(",") if listed else languages.codes) if c in languages.books)
        if said.isdigit() and 1 <= int(said) <= len(codes):
            return self.choose(codes[int(said) - 1])
        command = self.book.commands.get(said)
        if command == "language":
            return self.offer_languages(languages.codes, back=self.state.back)
        if self.state.lang is not None:
            # They already have a language and opened this list with LANGUAGE: the usual
            # commands still work here, in their language, and BACK means "never mind".
            if said == "0" or command == "menu":
                return self.go(contract.MAIN_MENU, back=())
            if said == "#" or command == "back":
                return self.resume(self.state.lang)
            if command == "help":
                return self.go(contract.HELP, back=self.state.back)
        # Not a number on the list: a language's name, greeting or script can still choose.
        detected = languages.detect(words)
        if len(detected) == 1:
            return self.choose(detected[0])
        # A short list that did not fit (Urdu is Arabic script too): now offer every language.
        return self.offer_languages(detected or languages.codes, back=self.state.back)

    def choose(self, code: str) -> Turn:
        """Speak `code` from now on: back where the caller was, or the welcome on first contact."""
        return _Step(self.content, replace(self.state, lang=code)).resume(code)

    def resume(self, lang: str | None) -> Turn:
        """Leave the language list for the place it was opened from (the welcome if none)."""
        back = self.state.back
        if not back:
            return self.go(contract.WELCOME, back=(), lang=lang)
        if back[-1] not in self.script.nodes:  # removed by a reload while the list was open
            return self.go(contract.MAIN_MENU, back=(), before=(Notice("moved"),), lang=lang)
        return self.go(back[-1], back=back[:-1], lang=lang)
