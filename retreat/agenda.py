"""The agenda: YAML -> validated, typed `Agenda` (what is planned; the log says what happened).

Format `version: 1`. Later versions add fields compatibly. Every error names file, line,
column and field (see `agenda_yaml`), and unknown keys get a "did you mean" hint.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from retreat import agenda_yaml
from retreat.durations import DurationError, format_duration, parse_duration
from retreat.errors import AgendaError, AgendaErrors
from retreat.i18n import N_, _, translator

FORMAT_VERSION = 1
KINDS = ("report", "remarks", "qa", "vote", "break", "discussion")
# What each kind is called on the stage and in the minutes (translated where shown).
KIND_LABELS = {
    "report": N_("Work report"),
    "remarks": N_("Leader's remarks"),
    "qa": N_("Questions from the grassroots"),
    "vote": N_("Recommendation vote"),
    "break": N_("Break"),
    "discussion": N_("Discussion"),
}
VOTE_METHODS = ("borda", "stv", "irv", "schulze", "ranked_pairs", "approval", "plurality")
DEFAULT_LIMITS = {"report": 7 * 60, "remarks": 5 * 60}
DEFAULT_WARNING = 60
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


class _ItemSpec(_Spec):
    id: Ident | None = None
    title: Text
    presenter: str = ""
    department: str | None = None
    limit: Duration | None = None
    warning: Duration | None = None
    alarm_repeat: Duration | None = None
    notes: str = Field("", description="Planned description shown to the room and in the minutes.")


class ReportSpec(_ItemSpec):
    kind: Literal["report"]
    points: list[Text] | None = Field(None, description="Talking points; default: the four of every report.")


class RemarksSpec(_ItemSpec):
    kind: Literal["remarks"]
    points: list[Text] = []


class Answerer(_Spec):
    department: str
    name: str = ""


class QASpec(_ItemSpec):
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


class VoteSpec(_ItemSpec):
    kind: Literal["vote"]
    candidates: list[Candidate] = Field(min_length=1)
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


class BreakSpec(_ItemSpec):
    kind: Literal["break"]
    title: Text = "break"


class DiscussionSpec(_ItemSpec):
    kind: Literal["discussion"]
    points: list[Text] = []


ItemSpec = Annotated[
    ReportSpec | RemarksSpec | QASpec | VoteSpec | BreakSpec | DiscussionSpec,
    Field(discriminator="kind"),
]
_SPEC_OF_KIND: dict[str, type[_ItemSpec]] = {
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


@dataclass(frozen=True)
class Item:
    """One planned item with every default resolved."""

    position: int
    id: str
    kind: str
    title: str
    presenter: str
    department: str
    limit: int
    warning: int
    alarm_repeat: int
    points: tuple[str, ...]
    notes: str
    spec: _ItemSpec = field(repr=False)


@dataclass(frozen=True)
class Agenda:
    meeting: MeetingSpec
    departments: tuple[Department, ...]
    participants: tuple[Person, ...]
    representatives: tuple[Representative, ...]
    groups: tuple[Group, ...]
    items: tuple[Item, ...]
    text: str
    file: str

    @property
    def language(self) -> str:
        return self.meeting.language

    @property
    def planned_total(self) -> int:
        return sum(item.limit for item in self.items)

    def index_of(self, item_id: str) -> int:
        for i, item in enumerate(self.items):
            if item.id == item_id:
                return i
        raise KeyError(item_id)

    def department_name(self, ref: str | None) -> str:
        for dep in self.departments:
            if ref in (dep.id, dep.name):
                return dep.name
        return ref or ""


def load(path: Path | str) -> Agenda:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AgendaError(_("no such file"), file=str(path)) from None
    except IsADirectoryError:
        raise AgendaError(_("this is a folder, not an agenda file"), file=str(path)) from None
    except OSError as e:
        raise AgendaError(_("cannot read the file: {reason}").format(reason=e.strerror), file=str(path)) from None
    return loads(raw, str(path))


def loads(raw: bytes | str, file: str = "<agenda>") -> Agenda:
    text = agenda_yaml.read_text(raw.encode("utf-8") if isinstance(raw, str) else raw, file)
    located = agenda_yaml.parse(text, file)
    if not isinstance(located.data, dict):
        raise located.error(
            (), _("the file holds {what}; an agenda is a mapping that starts with `version: 1`").format(
                what=_describe(located.data)
            )
        )
    _check_version(located)
    try:
        spec = AgendaSpec.model_validate(located.data)
    except ValidationError as e:
        raise AgendaErrors([_pydantic_error(located, err) for err in e.errors()]) from None
    return _resolve(spec, located, text)


def _describe(data: object) -> str:
    if isinstance(data, list):
        return _("a list")
    if isinstance(data, str):
        return _("a single text")
    return _("a single value")


def _check_version(located: agenda_yaml.Located) -> None:
    version = located.data.get("version")
    if version is None:
        raise located.error((), _("missing; write `version: 1` as the first line of the agenda"))._with_field(
            ("version",)
        )
    if version != FORMAT_VERSION:
        if isinstance(version, int) and version > FORMAT_VERSION:
            message = _("this agenda is in format version {v}, but this retreat reads version 1; install a newer retreat")
        else:
            message = _("{v} is not a known format version; write `version: 1`")
            if isinstance(version, str):
                message = _("{v} is text, not a format version; write `version: 1` without quotes")
        shown = f'"{version}"' if isinstance(version, str) else str(version)
        raise located.error(("version",), message.format(v=shown))


_TYPE_MESSAGES: dict[str, str] = {
    "string_type": N_("expected text"),
    "int_type": N_("expected a whole number"),
    "int_parsing": N_("expected a whole number"),
    "int_from_float": N_("expected a whole number"),
    "list_type": N_("expected a list (lines starting with -)"),
    "model_type": N_("expected a mapping (key: value lines)"),
    "model_attributes_type": N_("expected a mapping (key: value lines)"),
    "dict_type": N_("expected a mapping (key: value lines)"),
    "date_type": N_('"{input}" is not a date; write it like 2026-01-08'),
    "date_parsing": N_('"{input}" is not a date; write it like 2026-01-08'),
    "date_from_datetime_parsing": N_('"{input}" is not a date; write it like 2026-01-08'),
    "date_from_datetime_inexact": N_('"{input}" is not a date; write it like 2026-01-08'),
    "time_type": N_('"{input}" is not a time of day; write it like 08:30'),
    "time_parsing": N_('"{input}" is not a time of day; write it like 08:30'),
    "string_too_short": N_("must not be empty"),
    "too_short": N_("must not be empty"),
    "greater_than_equal": N_("{input} is too small; give at least {ge}"),
}


def _pydantic_error(located: agenda_yaml.Located, err: Any) -> AgendaError:
    loc = tuple(err["loc"])
    kind = err["type"]
    # A discriminated union puts the tag in the path (items, 3, "report", "limit"); drop it.
    path = tuple(p for i, p in enumerate(loc) if not (i > 0 and isinstance(loc[i - 1], int) and p in KINDS))
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(located, path[:-1])
        near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
        known = _("; known keys: {keys}").format(keys=", ".join(allowed)) if not near else ""
        return located.error(path, _('unknown key "{key}"').format(key=key) + hint + known, at_key=True)
    if kind == "union_tag_invalid":
        value = err["input"].get("kind") if isinstance(err["input"], dict) else None
        return located.error(
            (*path, "kind"),
            _('"{value}" is not a kind of item; use one of: {kinds}').format(value=value, kinds=", ".join(KINDS)),
        )
    if kind == "union_tag_not_found":
        return located.error(
            path, _('missing; add "kind:" with one of: {kinds}').format(kinds=", ".join(KINDS))
        )._with_field((*path, "kind"))
    if kind == "literal_error":
        # pydantic says "'a', 'b' or 'c'"; a secretary reads a plain list better.
        expected = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        near = difflib.get_close_matches(str(err["input"]), expected, n=1, cutoff=0.6)
        hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
        return located.error(
            path,
            _('"{value}" is not one of: {expected}').format(value=err["input"], expected=", ".join(expected))
            + hint,
        )
    if kind == "missing":
        return located.error(path[:-1], _missing_message(path))._with_field(path)
    if kind == "too_short" and path and path[-1] in _EMPTY_LIST_MESSAGES:
        return located.error(path, _(_EMPTY_LIST_MESSAGES[str(path[-1])]))
    if kind in _TYPE_MESSAGES:
        message = _(_TYPE_MESSAGES[kind]).format(input=err.get("input"), **err.get("ctx", {}))
        return located.error(path, message)
    return located.error(path, str(err["msg"]).removeprefix("Value error, "))


_EMPTY_LIST_MESSAGES: dict[str, str] = {
    "candidates": N_("a vote needs at least one candidate; list them, each with a title"),
    "items": N_("an agenda needs at least one item"),
}


def _missing_message(path: tuple[str | int, ...]) -> str:
    key = str(path[-1])
    if key in ("title", "name"):
        return _('missing; add "{key}: ..."').format(key=key)
    if key == "candidates":
        return _('missing; a vote lists its candidates under "candidates:", each with a title')
    if key == "items":
        return _('missing; list the agenda items under "items:"')
    if key == "meeting":
        return _('missing; describe the meeting under "meeting:" (at least its title)')
    return _('missing; add "{key}:"').format(key=key)


def _allowed_keys(located: agenda_yaml.Located, path: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = AgendaSpec
    data: Any = located.data
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int):
            data = data[part]
        else:
            data = None
        if isinstance(part, str):
            annotation = model.model_fields[part].annotation if part in model.model_fields else None
            model = _model_in(annotation) or model
        if isinstance(data, dict) and "kind" in data and data.get("kind") in _SPEC_OF_KIND:
            model = _SPEC_OF_KIND[data["kind"]]
    return [name for name in model.model_fields if name != "kind" or model in _SPEC_OF_KIND.values()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def default_points(lang: str) -> tuple[str, ...]:
    t = translator(lang).gettext
    return (
        t("Last year's work and results"),
        t("How to read this year's situation"),
        t("What will be done this year"),
        t("Existing problems, and benchmarking against the targets"),
    )


def _resolve(spec: AgendaSpec, located: agenda_yaml.Located, text: str) -> Agenda:
    errors: list[AgendaError] = []
    tr: Callable[[str], str] = translator(spec.meeting.language).gettext
    items: list[Item] = []
    seen: dict[str, int] = {}
    departments = {d.id for d in spec.departments} | {d.name for d in spec.departments}
    _check_unique(located, ("departments",), [d.id for d in spec.departments], errors)
    _check_unique(located, ("groups",), [g.id for g in spec.groups], errors)
    for i, it in enumerate(spec.items):
        item_id = it.id or f"item-{i + 1}"
        if item_id in seen:
            errors.append(
                located.error(
                    ("items", i, "id"),
                    _('"{id}" is already the id of item {n}; ids must be unique').format(id=item_id, n=seen[item_id] + 1),
                )
            )
        seen.setdefault(item_id, i)
        if it.department and departments and it.department not in departments:
            near = difflib.get_close_matches(it.department, sorted(departments), n=1)
            hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
            errors.append(
                located.error(
                    ("items", i, "department"),
                    _('"{dep}" is not one of the departments listed under `departments`').format(dep=it.department)
                    + hint,
                )
            )
        limit = it.limit or DEFAULT_LIMITS.get(it.kind)
        if limit is None:
            errors.append(
                located.error(
                    ("items", i),
                    _('a {kind} item needs a time limit, e.g. "limit: 20m"').format(kind=it.kind),
                )._with_field(("items", i, "limit"))
            )
            continue
        warning = _warning(it, spec.meeting, limit)
        if it.warning is not None and it.warning >= limit:
            errors.append(
                located.error(
                    ("items", i, "warning"),
                    _("a warning {w} before the end is not shorter than the limit of {l}; "
                      "give a shorter warning, e.g. {hint}").format(
                        w=format_duration(it.warning),
                        l=format_duration(limit),
                        hint=format_duration(DEFAULT_WARNING if limit > 120 else limit // 2),
                    ),
                )
            )
        if isinstance(it, VoteSpec):
            _check_vote(located, i, it, spec, errors)
        if isinstance(it, QASpec):
            _check_qa(located, i, it, spec, departments, errors)
        points: tuple[str, ...] = ()
        if isinstance(it, ReportSpec):
            points = tuple(it.points) if it.points is not None else default_points(spec.meeting.language)
        elif isinstance(it, RemarksSpec | DiscussionSpec):
            points = tuple(it.points)
        title = tr("Break") if isinstance(it, BreakSpec) and it.title == "break" else it.title
        items.append(
            Item(
                position=i + 1,
                id=item_id,
                kind=it.kind,
                title=title,
                presenter=it.presenter,
                department=it.department or "",
                limit=limit,
                warning=warning,
                alarm_repeat=it.alarm_repeat or spec.meeting.alarm_repeat,
                points=points,
                notes=it.notes,
                spec=it,
            )
        )
    if errors:
        raise AgendaErrors(errors)
    return Agenda(
        meeting=spec.meeting,
        departments=tuple(spec.departments),
        participants=tuple(spec.participants),
        representatives=tuple(spec.representatives),
        groups=tuple(spec.groups),
        items=tuple(items),
        text=text,
        file=located.file,
    )


def _warning(it: _ItemSpec, meeting: MeetingSpec, limit: int) -> int:
    if it.warning is not None:
        return it.warning
    if meeting.warning is not None and meeting.warning < limit:
        return meeting.warning
    return DEFAULT_WARNING if limit > 120 else limit // 2


def _check_unique(
    located: agenda_yaml.Located, path: tuple[str | int, ...], ids: list[str], errors: list[AgendaError]
) -> None:
    seen: set[str] = set()
    for n, ident in enumerate(ids):
        if ident in seen:
            errors.append(
                located.error((*path, n, "id"), _('"{id}" is used twice; ids must be unique').format(id=ident))
            )
        seen.add(ident)


def _check_vote(
    located: agenda_yaml.Located, i: int, it: VoteSpec, spec: AgendaSpec, errors: list[AgendaError]
) -> None:
    ids = candidate_ids(it)
    _check_unique(located, ("items", i, "candidates"), ids, errors)
    group_ids = {g.id for g in spec.groups}
    for n, gid in enumerate(it.groups or []):
        if gid not in group_ids:
            errors.append(
                located.error(
                    ("items", i, "groups", n),
                    _('"{id}" is not one of the working groups listed under `groups`').format(id=gid),
                )
            )
    if it.group_vote and not (it.groups or spec.groups):
        errors.append(
            located.error(("items", i, "group_vote"), _("groups vote as groups, but no working groups are listed"))
        )
    if it.seats > len(it.candidates):
        errors.append(
            located.error(
                ("items", i, "seats"),
                _("{seats} seats but only {n} candidates; lower the seats or add candidates").format(
                    seats=it.seats, n=len(it.candidates)
                ),
            )
        )


def _check_qa(
    located: agenda_yaml.Located,
    i: int,
    it: QASpec,
    spec: AgendaSpec,
    departments: set[str],
    errors: list[AgendaError],
) -> None:
    known = [r.name for r in spec.representatives]
    for n, ref in enumerate(it.representatives or []):
        if isinstance(ref, str) and ref not in known:
            near = difflib.get_close_matches(ref, known, n=1)
            hint = _(' (did you mean "{near}"?)').format(near=near[0]) if near else ""
            errors.append(
                located.error(
                    ("items", i, "representatives", n),
                    _('"{name}" is not listed under `representatives`; list them there or give '
                      "{{name: ..., area: ...}} here").format(name=ref)
                    + hint,
                )
            )
    for n, answerer in enumerate(it.answerers):
        if departments and answerer.department not in departments:
            errors.append(
                located.error(
                    ("items", i, "answerers", n, "department"),
                    _('"{dep}" is not one of the departments listed under `departments`').format(
                        dep=answerer.department
                    ),
                )
            )
    warning = it.answer_warning
    if warning is not None and warning >= it.answer_limit:
        errors.append(
            located.error(
                ("items", i, "answer_warning"),
                _("a warning {w} before the end is not shorter than the limit of {l}; give a shorter "
                  "warning, e.g. {hint}").format(
                    w=format_duration(warning), l=format_duration(it.answer_limit),
                    hint=format_duration(max(1, it.answer_limit // 2)),
                ),
            )
        )


def qa_representatives(agenda: Agenda, item: Item) -> list[Representative]:
    """Who may be drawn in a Q&A item, in the listed order."""
    spec = item.spec
    if not isinstance(spec, QASpec) or spec.representatives is None:
        return list(agenda.representatives)
    by_name = {r.name: r for r in agenda.representatives}
    return [by_name[r] if isinstance(r, str) else r for r in spec.representatives]


def qa_answer_timing(item: Item) -> tuple[int, int, int]:
    """(limit, warning, alarm repeat) of each answer in a Q&A item."""
    spec = item.spec
    if not isinstance(spec, QASpec):
        raise ValueError(f"{item.id} is not a Q&A item")
    limit = spec.answer_limit
    warning = spec.answer_warning
    if warning is None:
        warning = DEFAULT_WARNING if limit > 120 else limit // 2
    return limit, warning, item.alarm_repeat


def candidate_ids(spec: VoteSpec) -> list[str]:
    return [c.id or f"c{n + 1}" for n, c in enumerate(spec.candidates)]


def json_schema() -> dict[str, Any]:
    schema = AgendaSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "retreat agenda, version 1"
    return schema
