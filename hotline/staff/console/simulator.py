"""The console's simulator: the draft as a person would get it, by text or by phone.

Each preview is played again from its first message on every request, on a switchboard of
its own with an embedded in-process store: it never reads or writes a real caller's session,
and nothing of it is kept. The text line runs as `hotline chat` runs it (the switchboard and
hotline/channels/sms), the phone line through the real voice routes, driven by
hotline/staff/phone_chat.py as `hotline chat --voice` drives them.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field

from hotline.channels import sms
from hotline.channels.sms.segments import cost
from hotline.config import Settings
from hotline.content.bundle import Content
from hotline.content.revisions import ByFiles, materialize
from hotline.session.store import MemoryStore
from hotline.session.switchboard import RateLimits, Switchboard
from hotline.staff import phone_chat
from hotline.staff.preview import preview_content, start_in

# A number no caller has: the simulator's pretend phone (hashed like any other, then forgotten).
PREVIEW_NUMBER = "+15550100000"
MAX_TURNS = 30


@dataclass
class Reply:
    sent: str
    text: str
    messages: int
    segments: int
    encoding: str


@dataclass
class Step:
    pressed: str
    heard: list[str] = field(default_factory=list)


class Simulator:
    """Preview content and preview apps, one per draft (the last few), built once."""

    def __init__(self, settings: Settings, keep: int = 3):
        self.settings = settings
        self.keep = keep
        # Loading a draft takes a moment and staff preview the same draft turn after turn.
        self.content = ByFiles(self._load, keep)
        self._app = ByFiles(self._build_app, keep)

    def _draft_settings(self, files: dict[str, str]) -> Settings:
        root = materialize(files)
        return dataclasses.replace(self.settings, flows_dir=root / "flows", translations_dir=root / "translations",
                                   database_url=None, console=False, watch=False, reload_signal=None,
                                   redis_url=None, dev=True, auth_token=None)

    def _load(self, files: dict[str, str]) -> tuple[Settings, Content]:
        settings = self._draft_settings(files)
        return settings, preview_content(settings)

    def text(self, files: dict[str, str], lang: str, messages: list[str], now: dt.datetime) -> list[Reply]:
        settings, content = self.content(files)
        board = Switchboard(content, MemoryStore(settings.state_ttl, settings.lang_ttl),
                            secrets.token_bytes(32), RateLimits(per_caller=10_000, per_line=10_000))
        start_in(board, settings, PREVIEW_NUMBER, lang, content=content)
        replies = []
        for message in messages[-MAX_TURNS:]:
            answer = board.turn(PREVIEW_NUMBER, message, channel="sms")
            text = sms.reply_text(board.content, answer.turn, now) if not answer.silent else ""
            parts = sms.split(text) if text else []
            spent = [cost(part) for part in parts]
            replies.append(Reply(message, text, len(parts), sum(c.segments for c in spent),
                                 "UCS-2" if any(c.encoding == "UCS-2" for c in spent) else "GSM-7"))
        return replies

    def _build_app(self, files: dict[str, str]):
        from hotline.web.app import create_app

        settings = self._draft_settings(files)
        return create_app({**{f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)},
                           "TESTING": True, "HOTLINE_TEXT_SENDER": _Kept()})

    def call(self, files: dict[str, str], lang: str, keys: list[str]) -> list[Step]:
        """The call as a transcript: what is heard before each key, and the key pressed."""
        settings, content = self.content(files)
        app = self._app(files)
        board = app.extensions["hotline"]
        # A store of this call's own: the preview app is shared by staff previewing the same draft.
        board = Switchboard(content, MemoryStore(settings.state_ttl, settings.lang_ttl), secrets.token_bytes(32))
        start_in(board, settings, PREVIEW_NUMBER, lang, content=content)
        client = app.test_client()
        steps = [Step("(the call starts)")]
        pending = list(keys[-MAX_TURNS:])

        def post(url: str, form: dict) -> bytes:
            with _serving(app, board):
                return client.post(url, data=form).data

        def ask(prompt: str) -> str:
            if not pending:
                raise EOFError
            key = pending.pop(0)
            steps.append(Step(f"pressed {key}" if key else "(silence)"))
            return key

        try:
            phone_chat.run(post, PREVIEW_NUMBER, ask, echo=lambda line: steps[-1].heard.append(line))
        except EOFError:
            pass
        return steps


class _Kept:
    """Texts the phone line would send during a preview are not sent."""

    def send(self, to: str, body: str) -> None:
        pass


class _serving:
    """Lets one request of the shared preview app use this call's own switchboard."""

    _lock = threading.Lock()

    def __init__(self, app, board):
        self.app, self.board = app, board

    def __enter__(self):
        self._lock.acquire()
        self.saved = self.app.extensions["hotline"]
        self.app.extensions["hotline"] = self.board

    def __exit__(self, *exc):
        self.app.extensions["hotline"] = self.saved
        self._lock.release()
