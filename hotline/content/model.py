"""What a flow, referral and source file may contain.

These pydantic models are the single definition of the file formats: the loader validates
against them (unknown keys, wrong types), and `hotline schema` turns them into the JSON Schema
that editors use to complete and check as staff type. Cross-references (a `goto` naming a
node that does not exist, ...) are checked by the loader, which sees all files at once.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator, model_validator

from hotline.content import phones, plain

# Ids end up in Redis state, gettext contexts and recording file names: keep them plain.
Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Times and days as staff write them ("9am", "17:00", "Monday", "mon-fri"), each read into the
# one form hours.py uses ("09:00", ("mon", ...)); hotline/content/plain.py lists the forms.
# The JSON Schema checks the shape only (editors); which words are days is plain.py's.
Clock = Annotated[str, BeforeValidator(plain.clock), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": r"^\s*(\d{1,2}([:.h]\d{2})?\s*([aApP]\.?[mM]?\.?)?|[Nn]oon|[Mm]idnight)\s*$"},
               {"type": "integer", "minimum": 0, "maximum": 24}],
     "description": "A time: 09:00, 9:30, 5pm, 17:30, noon, or 24:00/midnight for the end of the day"})]
Days = Annotated[tuple[Day, ...], BeforeValidator(plain.days), WithJsonSchema(
    {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
     "description": "Days: [mon, tue], [Monday, Tuesday], mon-fri, weekdays or every day"})]
# A North American number in any common form, shown as staff expect (607-555-0142,
# 1-800-555-0142 for toll-free); impossible numbers refused (hotline/content/phones.py).
# (The schema's pattern is the numbering plan's shape, for editors; libphonenumber decides.)
Phone = Annotated[str, BeforeValidator(lambda value: phones.display(str(value))), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": r"^\s*(\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?[2-9]\d{2}[\s.-]?\d{4}\s*$"},
               {"type": "integer", "minimum": 2002000000, "maximum": 19999999999}],
     "description": "A North American phone number, e.g. 607-555-0142 or 1-800-566-7636"})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class MenuItem(_Strict):
    """One numbered choice: `key` is what the person sends, `goto` the node it opens."""

    key: int = Field(ge=1, le=9, description="The digit the person sends or presses (1-9)")
    label: Text = Field(description="A few words, shown as '1 label' and said as 'label: press 1'")
    goto: Id = Field(description="The node this choice opens (any file)")


# The two rules of Node._says_something, written again for editors: JSON Schema cannot run
# the validator, and without these VS Code would accept a legal node with no sources.
_NODE_RULES = {
    "allOf": [
        {"anyOf": [{"required": ["text"]}, {"required": ["sms", "voice"]}]},
        {
            "if": {"properties": {"legal": {"const": True}}, "required": ["legal"]},
            "then": {"required": ["sources", "reviewed", "reviewer"], "properties": {"sources": {"minItems": 1}}},
        },
    ]
}


class Node(_Strict):
    """One step of a conversation: something said, and optionally a menu."""

    model_config = ConfigDict(json_schema_extra=_NODE_RULES)

    text: Text | None = Field(None, description="What is said on both channels")
    sms: Text | None = Field(None, description="Replaces `text` on SMS only")
    voice: Text | None = Field(None, description="Replaces `text` on the phone line only: no URLs")
    menu: tuple[MenuItem, ...] = Field((), description="Numbered choices; at most 9")
    referrals: tuple[Id, ...] = Field((), description="Referral ids from referrals.yaml, shown after the text")
    next: Id | None = Field(None, description="Go straight on to this node in the same reply")
    legal: bool = Field(False, description="Legal content: needs sources, reviewed and reviewer")
    sources: tuple[SourceId, ...] = Field((), description="Source ids from sources.yaml backing this text")
    reviewed: dt.date | None = Field(None, description="When the text was last checked against its sources")
    reviewer: Text | None = Field(None, description="Who checked it (a role, not a private name)")
    review_note: Text | None = Field(None, description="For the legal reviewer: a doubt or gap to settle; never shown to callers")

    @model_validator(mode="after")
    def _says_something(self) -> "Node":
        if self.text is None and (self.sms is None or self.voice is None):
            raise ValueError("a node needs `text` (or both `sms` and `voice`)")
        if self.legal:
            missing = [name for name in ("sources", "reviewed", "reviewer") if not getattr(self, name)]
            if missing:
                raise ValueError(f"legal content needs {', '.join(missing)}")
        return self


class FlowFile(_Strict):
    """A topic: `flow` names it, `nodes` are its steps."""

    flow: Id
    title: Text
    nodes: dict[Id, Node] = Field(min_length=1)


class Opening(_Strict):
    days: Days
    open: Clock
    close: Clock

    @model_validator(mode="after")
    def _ordered(self) -> "Opening":
        if self.open == "24:00":
            raise ValueError("`open` at midnight: write 00:00 (24:00 and midnight are the end of a day)")
        if self.close <= self.open:
            raise ValueError(f"`close` ({self.close}) must be later than `open` ({self.open}) on the same day; "
                             "hours past midnight go on the next day's line")
        return self


class Hours(_Strict):
    timezone: Literal["America/New_York"] = "America/New_York"
    weekly: tuple[Opening, ...] = Field(min_length=1)


class Referral(_Strict):
    """A place a caller can turn to. Only confirmed details; the rest is named in `unconfirmed`."""

    name: Text
    offers: Text = Field(description="What they offer, in one short plain sentence (translated)")
    phone: Phone | None = None
    website: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = None
    address: Text | None = None
    languages: Literal["all"] | tuple[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(_[A-Za-z]+)?$")], ...] = ()
    cost: Literal["free", "low-cost", "varies", "unknown"] = "unknown"
    area: Text | None = None
    hours: Hours | None = None
    unconfirmed: tuple[Literal["phone", "website", "address", "hours", "languages", "cost", "area"], ...] = ()
    verified: dt.date
    verified_by: Text | None = Field(None, description="The staff member who last called them and confirmed the "
                                                       "details (the console records it); never shown to callers")
    note: Text | None = Field(None, description="For staff; never shown to callers")

    @field_validator("verified")
    @classmethod
    def _not_in_the_future(cls, value: dt.date) -> dt.date:
        # The day someone confirmed the entry: a future date would keep it "fresh" unchecked.
        if value > dt.date.today():
            raise ValueError(f"{value.isoformat()} is in the future; write the day the details were last "
                             "confirmed (today at the latest)")
        return value

    @field_validator("unconfirmed")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a field is named twice")
        return value


class ReferralFile(_Strict):
    referrals: dict[Id, Referral] = Field(min_length=1)


class Source(_Strict):
    org: Text
    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    note: Text | None = Field(None, description="For staff: what is still to confirm about this source")


class SourceFile(_Strict):
    sources: dict[SourceId, Source] = Field(min_length=1)


class CardPoint(_Strict):
    text: Text = Field(description="One short line for the card, summarising `step`")
    step: Id = Field(description="The legal node this line summarises: the card says what the hotline says")


class OfficerSide(_Strict):
    """The card's back, to hand to an officer: always in English, never translated."""

    title: Text = Field(description="The heading of the back, e.g. 'To the officer'")
    lines: tuple[Text, ...] = Field(min_length=1, max_length=6, description="What the holder asserts, one line each")


class Card(_Strict):
    """The pocket card (`hotline card`): the essentials, each line tied to the step it sums up.

    The front is in the holder's language; the back (`officer`) is in English, for the holder
    to show an officer without having to speak, as printed red cards are used."""

    title: Text
    points: tuple[CardPoint, ...] = Field(min_length=1, max_length=6)
    hotline: Text = Field(description="The line above the hotline's own number; use {phone}")
    help: Text = Field(description="The line above the referral numbers")
    referrals: tuple[Id, ...] = Field(min_length=1, max_length=3)
    disclaimer: Text
    show_back: Text = Field(description="On the front: tells the holder to show the English side to an officer")
    officer: OfficerSide


class CardFile(_Strict):
    card: Card


class HotlineFile(_Strict):
    """`hotline.yaml`: the engine's own words and the keywords people can send."""

    messages: dict[Id, Text]
    keywords: dict[Id, tuple[Text, ...]]
