"""The agenda file's format (`version: 1`) as pydantic models: what a secretary may write.

`retreat schema` prints these models as a JSON Schema for editor completion, so a field's
description here is what the editor shows. Later versions add fields compatibly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from retreat.durations import DurationError, parse_duration
from retreat.i18n import _

FORMAT_VERSION = 1
VOTE_METHODS = ("borda", "stv", "irv", "schulze", "ranked_pairs", "approval", "plurality")
DEFAULT_ALARM_REPEAT = 30
DURATION_HINT = "7m, 90s, 1h30m or 7分钟"
_ID = re.compile(r"^[^\s:,]+$")


def _duration(value: object) -> int:
    try:
        return parse_duration(value)
    except DurationError as e:
        reason = str(e)
        if reason == "zero":
            raise PydanticCustomError(
                "duration",
                _('"{value}" is zero; give a time longer than that (use {hint})'),
                {"value": value, "hint": DURATION_HINT},
            ) from None
        if reason == "negative":
            raise PydanticCustomError(
                "duration",
                _('"{value}" is negative; give a positive time (use {hint})'),
                {"value": value, "hint": DURATION_HINT},
            ) from None
        if reason == "bare number":
            raise PydanticCustomError(
                "duration",
                _("{value} is a bare number; say the unit (use {hint})"),
                {"value": value, "hint": DURATION_HINT},
            ) from None
        raise PydanticCustomError(
            "duration",
            _('"{value}" is not a duration (use {hint})'),
            {"value": value, "hint": DURATION_HINT},
        ) from None


def _ident(value: object) -> object:
    if isinstance(value, bool) or isinstance(value, int | float) or (
        isinstance(value, str) and value.strip().isdigit()
    ):
        raise PydanticCustomError(
            "numeric_id",
            _("{shown} is a plain number; ids must contain a letter, because a number always "
              "means a position (e.g. item-{value})"),
            {"value": str(value).strip(), "shown": f'"{value}"' if isinstance(value, str) else str(value)},
        )
    if isinstance(value, str) and not _ID.match(value.strip()):
        raise PydanticCustomError(
            "bad_id", _('"{value}" is not a usable id (no spaces, colons or commas)'), {"value": value}
        )
    return value.strip() if isinstance(value, str) else value


def _clock_time(value: object) -> object:
    """Accept 9:30 as well as 09:30 (and 9.30 is refused by pydantic as it should be)."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d:\d\d(:\d\d)?\s*", value):
        return "0" + value.strip()
    return value


Duration = Annotated[
    int,
    BeforeValidator(_duration),
    WithJsonSchema(
        {
            "type": "string",
            # The look-ahead refuses the empty string, which both alternatives would match.
            "pattern": r"^(?=.*\d)\s*(\d+h)?(\d+m)?(\d+s)?\s*$|^(?=.*\d)\s*(\d+(小时|时))?(\d+(分钟|分))?(\d+秒)?\s*$",
            "examples": ["7m", "90s", "1h30m", "7分钟", "30秒"],
            "description": "A duration: 90s, 7m, 1h, 5m30s, 1h30m, 30秒, 7分钟, 1小时.",
        }
    ),
]
Ident = Annotated[
    str,
    BeforeValidator(_ident),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[^\s:,]*[^\s:,0-9][^\s:,]*$",
            "description": "An id: no spaces, colons or commas, and not a plain number.",
        }
    ),
]
Text = Annotated[str, Field(min_length=1)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class MeetingSpec(_Spec):
    title: Text
    date: dt.date | None = None
    start: Annotated[dt.time | None, BeforeValidator(_clock_time)] = Field(
        None, description="Planned start, e.g. 08:30."
    )
    venue: str = ""
    chair: str = ""
    organiser: str = ""
    recorder: str = Field("", description="The secretary who keeps the minutes.")
    language: Literal["zh-CN", "en"] = "zh-CN"
    warning: Duration | None = Field(None, description="Default warning before the end of an item.")
    alarm_repeat: Duration = DEFAULT_ALARM_REPEAT
    messages: list[Text] | None = Field(
        None,
        description="The three short messages keys 1, 2 and 3 on the stage send to the speaker "
        "(0 clears it), e.g. [请抓紧时间, 请总结, 时间到，请结束]; the defaults are these, in the meeting's language.",
    )
    previous: list[Text] = Field(
        [],
        description="Earlier sessions whose tasks this meeting reports against (去年工作完成情况), e.g. "
        "[2025年度工作务虚会.retreat]; paths relative to the agenda file. Their tasks are recorded in this "
        "session when the first item starts; `l` shows a department's during its report, and the minutes list them.",
    )
    join: Literal["codes", "pin"] = Field(
        "codes",
        description="How phones join (retreat run --participate): codes = one-time codes from `retreat codes`, "
        "one ballot per code and vote; pin = anyone who types the meeting's PIN shown on the screen, "
        "one ballot per phone and vote.",
    )


class Department(_Spec):
    id: Ident
    name: Text
    head: str = ""


class Person(_Spec):
    name: Text
    role: str = ""
    department: str | None = None
    group: str | None = None


class Representative(_Spec):
    name: Text
    area: str = Field("", description="Residential area or affiliation.")


class Group(_Spec):
    id: Ident
    name: Text
    members: list[str] = []


class Candidate(_Spec):
    id: Ident | None = None
    title: Text
    department: str | None = None
    description: str = ""


def _candidate_text(value: object) -> object:
    """`candidates: [社区食堂, 社区客厅]`: a plain text is a candidate with that title."""
    if isinstance(value, str):
        return {"title": value}
    return value


CandidateEntry = Annotated[Candidate, BeforeValidator(_candidate_text)]


class CandidatesFile(_Spec):
    """Candidates read from a spreadsheet (.xlsx) or a .csv, relative to the agenda file."""

    file: Text = Field(description="A .xlsx or .csv file, relative to the agenda file.")
    sheet: str | None = Field(None, description="The sheet of a .xlsx (default: the first).")


class BaseItemSpec(_Spec):
    id: Ident | None = None
    title: Text
    presenter: str = ""
    department: str | None = None
    limit: Duration | None = None
    warning: Duration | None = None
    alarm_repeat: Duration | None = None
    notes: str = Field("", description="Planned description shown to the room and in the minutes.")


class ReportSpec(BaseItemSpec):
    kind: Literal["report"]
    points: list[Text] | None = Field(None, description="Talking points; default: the four of every report.")


class RemarksSpec(BaseItemSpec):
    kind: Literal["remarks"]
    points: list[Text] = []


class Answerer(_Spec):
    department: str
    name: str = ""


class QASpec(BaseItemSpec):
    kind: Literal["qa"]
    representatives: list[Representative | str] | None = Field(
        None,
        description="Who may be drawn to ask: names from the top-level `representatives`, or "
        "{name, area}; default: all of them.",
    )
    answerers: list[Answerer] = Field(
        [], description="The departments that answer on the spot, and who answers for each."
    )
    answer_limit: Duration = Field(3 * 60, description="Time for each answer (default 3m).")
    answer_warning: Duration | None = None
    draw: Literal["random", "listed"] = Field(
        "random", description="Draw order of askers: random (seeded, recorded) or as listed."
    )


class VoteSpec(BaseItemSpec):
    kind: Literal["vote"]
    candidates: list[CandidateEntry] = Field(
        min_length=1,
        description="Each a {title, department, description} or a plain title; or {file: 候选项目.xlsx} "
        "(or .csv) with a column 项目名称/title, and optionally 申报部门/department, 说明/notes, 编号/id.",
    )
    seats: int = Field(1, ge=1)
    method: Literal["borda", "stv", "irv", "schulze", "ranked_pairs", "approval", "plurality"] = "borda"
    ranks: int | None = Field(None, ge=1, description="How many candidates a ballot may rank (default: seats).")
    groups: list[str] | None = Field(
        None, description="Ids of the working groups that vote (default: all groups of the meeting)."
    )
    group_vote: bool = Field(
        False, description="Groups vote as groups: one agreed ranking per group, weighted by its members."
    )
    tie: Literal["lot", "runoff", "chair"] = Field(
        "lot", description="A tie at the last seat: by lot (seed shown), a runoff among the tied, or the chair."
    )
    quota: Literal["droop", "hagenbach-bischoff"] = "droop"


class BreakSpec(BaseItemSpec):
    kind: Literal["break"]
    title: Text = "break"


class DiscussionSpec(BaseItemSpec):
    kind: Literal["discussion"]
    points: list[Text] = []


ItemSpec = Annotated[
    ReportSpec | RemarksSpec | QASpec | VoteSpec | BreakSpec | DiscussionSpec,
    Field(discriminator="kind"),
]
SPEC_OF_KIND: dict[str, type[BaseItemSpec]] = {
    "report": ReportSpec,
    "remarks": RemarksSpec,
    "qa": QASpec,
    "vote": VoteSpec,
    "break": BreakSpec,
    "discussion": DiscussionSpec,
}


class AgendaSpec(_Spec):
    """The file as written."""

    version: int = Field(json_schema_extra={"const": FORMAT_VERSION})
    meeting: MeetingSpec
    departments: list[Department] = []
    participants: list[Person] = []
    representatives: list[Representative] = []
    groups: list[Group] = []
    items: list[ItemSpec] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    schema = AgendaSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "retreat agenda, version 1"
    # What pydantic cannot say of `candidates`: a plain title is a candidate too, and a
    # {file:} mapping is read from a spreadsheet before validation (agenda/sheets.py).
    schema["$defs"]["CandidatesFile"] = CandidatesFile.model_json_schema()
    prop = schema["$defs"]["VoteSpec"]["properties"]["candidates"]
    listed = {
        "type": "array",
        "minItems": 1,
        "items": {"anyOf": [{"$ref": "#/$defs/Candidate"}, {"type": "string", "minLength": 1}]},
    }
    prop.pop("type", None), prop.pop("items", None), prop.pop("minItems", None)
    prop["anyOf"] = [listed, {"$ref": "#/$defs/CandidatesFile"}]
    return schema
