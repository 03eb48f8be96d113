"""What can happen in a meeting. The log of these is the meeting; everything else is a projection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import (
    Literal,
    NotRequired,
    TypedDict,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

from retreat.i18n import N_


class EventKind(StrEnum):
    MEETING_OPENED = "meeting_opened"
    PROCESS_STARTED = "process_started"  # a run of the program began: marks downtime after a crash
    CURRENT_CHANGED = "current_changed"
    ITEM_STARTED = "item_started"
    ITEM_PAUSED = "item_paused"
    ITEM_RESUMED = "item_resumed"
    ITEM_ADJUSTED = "item_adjusted"  # limit extended (+) or shortened (-)
    ITEM_ENDED = "item_ended"
    ITEM_SKIPPED = "item_skipped"
    WARNING_REACHED = "warning_reached"
    TIME_UP = "time_up"
    ALARM_REPEATED = "alarm_repeated"
    ALARM_SILENCED = "alarm_silenced"
    POINT_TICKED = "point_ticked"
    NOTE_ADDED = "note_added"
    # Questions from the grassroots (retreat.meeting.qa)
    ASKERS_ORDERED = "askers_ordered"  # the draw order, with its seed
    ASKER_DRAWN = "asker_drawn"
    QUESTION_ASKED = "question_asked"  # starts the answer countdown
    QUESTION_ANSWERED = "question_answered"
    QUESTION_EDITED = "question_edited"
    QUESTION_WITHDRAWN = "question_withdrawn"
    FOLLOWUP_PROGRESS = "followup_progress"
    FOLLOWUP_DONE = "followup_done"
    # The year's tasks (retreat.meeting.ledger): `task` is the id after the session stem,
    # "<vote-id>:<candidate-id>" for a chosen item, "<question number>" for a commitment
    TASK_PROGRESS = "task_progress"  # chosen items only: commitments keep FOLLOWUP_PROGRESS
    TASK_DONE = "task_done"  # chosen items only: commitments keep FOLLOWUP_DONE
    TASK_DUE = "task_due"
    TASK_OWNER = "task_owner"
    # The tasks of the sessions the agenda names as `meeting.previous`, as they stood when this
    # meeting's first item started: the stage's `l` and the minutes read only this snapshot
    PREVIOUS_RECORDED = "previous_recorded"
    # Live votes (retreat.meeting.ballot_box)
    BALLOT_CAST = "ballot_cast"
    BALLOT_UNDONE = "ballot_undone"
    VOTE_CLOSED = "vote_closed"
    RESULT_REVEALED = "result_revealed"  # with the seed any lot used
    TIE_DECIDED = "tie_decided"  # the chair's decision
    RUNOFF_OPENED = "runoff_opened"
    BALLOTS_EXPORTED = "ballots_exported"  # `retreat ballots --before-reveal`, before its reveal
    MEETING_ENDED = "meeting_ended"
    # Run on a day other than `meeting.date`; False: the meeting itself, held on another day.
    # Asked once per session; the minutes of a rehearsal say so.
    REHEARSAL_ANSWERED = "rehearsal_answered"
    MINUTES_APPROVED = "minutes_approved"
    # Participation from phones (retreat.web): codes stored hashed, never in clear
    CODES_ISSUED = "codes_issued"
    PIN_SET = "pin_set"  # the meeting's PIN, for agendas whose phones join with a PIN
    VIEW_TOKEN_SET = "view_token_set"  # the read-only token of the room's views (/timer, /agenda, /stage)
    CODE_REVOKED = "code_revoked"
    BALLOT_REPLACED = "ballot_replaced"  # a phone changed its ballot while the vote is open
    QUESTION_PROPOSED = "question_proposed"  # from a phone: waits for the facilitator
    PROPOSAL_DECIDED = "proposal_decided"  # accepted, merged (into another) or rejected
    # The facilitator's short message to the speaker (keys 1-3), shown until cleared (0) or the next item
    SPEAKER_MESSAGE_SENT = "speaker_message_sent"
    SPEAKER_MESSAGE_CLEARED = "speaker_message_cleared"


@dataclass(frozen=True, slots=True)
class Stamp:
    """When: wall clock (survives restarts), monotonic (exact within one run), and which run."""

    at: float
    mono: float
    run: int

    def seconds_since(self, earlier: Stamp) -> float:
        """Monotonic difference within one run; wall difference across a restart."""
        if self.run == earlier.run:
            return self.mono - earlier.mono
        return self.at - earlier.at


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    stamp: Stamp
    # One of the payloads below, the one PAYLOADS gives for `kind`: checked when appended and
    # when read back, so a reader casts it to that type and trusts it.
    data: Mapping[str, object] = field(default_factory=dict)
    seq: int = 0  # assigned by the store when committed

    @property
    def item(self) -> str | None:
        value = self.data.get("item")
        return value if isinstance(value, str) else None


# --- payloads: what each kind of event carries ---------------------------------------------
# Fields marked NotRequired were added after sessions had been written without them (or are
# only there sometimes); a reader uses `.get` for those and only those. Keys a payload does
# not declare are kept and ignored, as a newer retreat may have written them.


class MeetingOpened(TypedDict):
    agenda: NotRequired[str]  # the agenda file it ran


class ProcessStarted(TypedDict):
    resumed: NotRequired[bool]


class CurrentChanged(TypedDict):
    item: str
    previous: NotRequired[str]


class OnItem(TypedDict):
    """Started, paused, resumed, ended or skipped: only which item."""

    item: str


class ItemAdjusted(TypedDict):
    item: str
    seconds: int  # + extends, - shortens


Countdown = Literal["item", "answer"]


class TimerCrossed(TypedDict):
    """A threshold of a countdown: the item's own, or the answer to question `answer`.

    Sessions written before `timer` existed said "answer" by the presence of `answer` alone;
    `upgrade` fills `timer` in for them as they are read back."""

    item: str
    timer: Countdown
    answer: NotRequired[int | None]  # the question being answered


class TimeUp(TimerCrossed):
    overtime: NotRequired[float]  # how late the tick saw it (seconds)
    count: NotRequired[int]  # the alarm's number: after a long sleep the missed ones are skipped


class AlarmRepeated(TimerCrossed):
    count: int


class PointTicked(TypedDict):
    item: str
    point: int  # index in the item's talking points


class NoteAdded(TypedDict):
    item: str
    text: str


class SpeakerMessage(TypedDict):
    item: str
    key: int  # 1, 2 or 3: which of the meeting's three messages
    text: str  # as shown, in the meeting's language


class AskersOrdered(TypedDict):
    item: str
    order: list[str]
    seed: NotRequired[int | None]  # None: the agenda's listed order
    method: NotRequired[str]


class AskerDrawn(TypedDict):
    item: str
    asker: str  # "" when the draw picked a phone question
    proposal: NotRequired[int | None]  # the phone question it picked
    seed: NotRequired[int | None]  # with `pool`: drawn among representatives and phone questions
    pool: NotRequired[int]


class QuestionAsked(TypedDict):
    item: str
    qid: int
    asker: str
    area: NotRequired[str]
    text: str
    department: str
    proposal: NotRequired[int | None]


class QuestionFields(TypedDict):
    """What an answer records and an edit may change; only the fields present are set."""

    asker: NotRequired[str]
    area: NotRequired[str]
    text: NotRequired[str]
    department: NotRequired[str]
    answerer: NotRequired[str]
    answer: NotRequired[str]
    outcome: NotRequired[str]
    satisfaction: NotRequired[str | None]
    owner: NotRequired[str]
    promise: NotRequired[str]
    due: NotRequired[str]  # ISO date


class QuestionAnswered(QuestionFields):
    item: str
    qid: int
    seconds: NotRequired[float]  # when the answer ended, before it was typed in


class QuestionEdited(TypedDict):
    item: str
    qid: int
    changes: QuestionFields


class OnQuestion(TypedDict):
    """Withdrawn: only which question."""

    item: str
    qid: int


class FollowupProgress(TypedDict):
    item: str
    qid: int
    note: str


class FollowupDone(TypedDict):
    item: str
    qid: int
    note: NotRequired[str]


class TaskProgress(TypedDict):
    task: str
    note: str


class TaskDone(TypedDict):
    task: str
    note: NotRequired[str]


class TaskDue(TypedDict):
    task: str
    due: str  # ISO date


class TaskOwner(TypedDict):
    task: str
    owner: str  # a department id


class PreviousSession(TypedDict):
    """One session named by `meeting.previous`, as read when the snapshot was taken."""

    file: str  # as the agenda names it
    meeting: str  # its meeting's title
    year: int | None  # the year of its meeting's date (or of its first start)


class PreviousTask(TypedDict):
    """One task of a previous session (see retreat.meeting.ledger.Task), as it stood."""

    id: str  # <session-stem>:<vote-id>:<candidate-id> or <session-stem>:<question number>
    kind: Literal["commitment", "project"]
    title: str
    department: str  # the owning department's id in that session's agenda ("" when none)
    owner: str  # its name
    due: str  # ISO date, "" when none was set
    status: Literal["open", "in progress", "done"]
    overdue: bool  # on the day the snapshot was taken
    origin: str  # which question or which vote, in words (in the meeting's language)
    progress: str  # the latest progress note, "" when none
    progress_date: str  # its ISO date
    session: str  # the file of the session it belongs to, as the agenda names it


class PreviousRecorded(TypedDict):
    sessions: list[PreviousSession]
    tasks: list[PreviousTask]


class OnVote(TypedDict):
    """Closed: which vote (`vote` is the item id, or the runoff's key) of which item."""

    item: str
    vote: str


class BallotCast(OnVote):
    ballot: str  # an opaque random id: never who cast it
    ranking: list[str]  # candidate ids, most preferred first
    group: NotRequired[str | None]
    weight: NotRequired[int]
    source: NotRequired[str]  # keyboard, group, phone, file:<name>
    key: NotRequired[str]  # the idempotency key of a phone's submit


class BallotUndone(OnVote):
    ballot: str


class BallotReplaced(OnVote):
    ballot: str
    ranking: list[str]
    key: NotRequired[str]


class ResultRevealed(OnVote):
    scope: str  # "all" or a group id
    seed: int  # what any lot used


class TieDecided(OnVote):
    chosen: list[str]


class RunoffOpened(OnVote):
    parent: str
    candidates: list[str]
    seats: int


class BallotsExported(TypedDict):
    vote: str
    format: NotRequired[str]


class Nothing(TypedDict):
    """The meeting ended: no more to say."""


class RehearsalAnswered(TypedDict):
    rehearsal: bool


class MinutesApproved(TypedDict):
    by: str


class CodesIssued(TypedDict):
    salt: str
    hashes: list[str]  # salted hashes: codes are never stored in clear
    group: NotRequired[str | None]
    rounds: NotRequired[int]  # PBKDF2 rounds of the hashes (written before: 20,000)
    hint_bits: NotRequired[int]  # with `hints`: the bits of each hint
    hints: NotRequired[list[str]]  # per code, a few bits of a fast keyed hash: which batch to slow-hash under


class PinSet(TypedDict):
    pin: str


class ViewTokenSet(TypedDict):
    token: str


class CodeRevoked(TypedDict):
    hash: str


class QuestionProposed(TypedDict):
    pid: int
    text: str
    group: NotRequired[str | None]
    key: NotRequired[str]


class ProposalDecided(TypedDict):
    pid: int
    decision: str  # accepted, merged, rejected
    into: NotRequired[int | None]  # the proposal a merged one joined


PAYLOADS: dict[EventKind, type] = {
    EventKind.MEETING_OPENED: MeetingOpened,
    EventKind.PROCESS_STARTED: ProcessStarted,
    EventKind.CURRENT_CHANGED: CurrentChanged,
    EventKind.ITEM_STARTED: OnItem,
    EventKind.ITEM_PAUSED: OnItem,
    EventKind.ITEM_RESUMED: OnItem,
    EventKind.ITEM_ADJUSTED: ItemAdjusted,
    EventKind.ITEM_ENDED: OnItem,
    EventKind.ITEM_SKIPPED: OnItem,
    EventKind.WARNING_REACHED: TimerCrossed,
    EventKind.TIME_UP: TimeUp,
    EventKind.ALARM_REPEATED: AlarmRepeated,
    EventKind.ALARM_SILENCED: TimerCrossed,
    EventKind.POINT_TICKED: PointTicked,
    EventKind.NOTE_ADDED: NoteAdded,
    EventKind.ASKERS_ORDERED: AskersOrdered,
    EventKind.ASKER_DRAWN: AskerDrawn,
    EventKind.QUESTION_ASKED: QuestionAsked,
    EventKind.QUESTION_ANSWERED: QuestionAnswered,
    EventKind.QUESTION_EDITED: QuestionEdited,
    EventKind.QUESTION_WITHDRAWN: OnQuestion,
    EventKind.FOLLOWUP_PROGRESS: FollowupProgress,
    EventKind.FOLLOWUP_DONE: FollowupDone,
    EventKind.TASK_PROGRESS: TaskProgress,
    EventKind.TASK_DONE: TaskDone,
    EventKind.TASK_DUE: TaskDue,
    EventKind.TASK_OWNER: TaskOwner,
    EventKind.PREVIOUS_RECORDED: PreviousRecorded,
    EventKind.BALLOT_CAST: BallotCast,
    EventKind.BALLOT_UNDONE: BallotUndone,
    EventKind.VOTE_CLOSED: OnVote,
    EventKind.RESULT_REVEALED: ResultRevealed,
    EventKind.TIE_DECIDED: TieDecided,
    EventKind.RUNOFF_OPENED: RunoffOpened,
    EventKind.BALLOTS_EXPORTED: BallotsExported,
    EventKind.MEETING_ENDED: Nothing,
    EventKind.REHEARSAL_ANSWERED: RehearsalAnswered,
    EventKind.MINUTES_APPROVED: MinutesApproved,
    EventKind.CODES_ISSUED: CodesIssued,
    EventKind.PIN_SET: PinSet,
    EventKind.VIEW_TOKEN_SET: ViewTokenSet,
    EventKind.CODE_REVOKED: CodeRevoked,
    EventKind.BALLOT_REPLACED: BallotReplaced,
    EventKind.QUESTION_PROPOSED: QuestionProposed,
    EventKind.PROPOSAL_DECIDED: ProposalDecided,
    EventKind.SPEAKER_MESSAGE_SENT: SpeakerMessage,
    EventKind.SPEAKER_MESSAGE_CLEARED: OnItem,
}

TIMER_EVENTS = frozenset(
    {EventKind.WARNING_REACHED, EventKind.TIME_UP, EventKind.ALARM_REPEATED, EventKind.ALARM_SILENCED}
)


def upgrade(kind: EventKind, data: dict[str, object]) -> dict[str, object]:
    """A payload read back in the shape this version writes (older sessions stay readable)."""
    if kind in TIMER_EVENTS and "timer" not in data:
        data["timer"] = "answer" if "answer" in data else "item"
    return data


# --- checking payloads ---------------------------------------------------------------------
# Compiled from the TypedDicts above once, on first use: replaying a long log checks every
# event, so each field costs one isinstance (a list, one per element).

_Accepts = Callable[[object], bool]
_Field = tuple[str, bool, _Accepts, str]  # name, required, check, what was expected


def problem(kind: EventKind, data: Mapping[str, object]) -> tuple[str, str] | None:
    """(field, what it should be) for the first field of `data` that its kind's payload
    type does not allow, or None when the payload is sound. `expected` is "missing" when a
    required field is absent."""
    return _first_problem(_fields(kind), data)


def _first_problem(fields: tuple[_Field, ...], data: Mapping[str, object]) -> tuple[str, str] | None:
    for name, required, accepts, expected in fields:
        if name in data:
            if not accepts(data[name]):
                return name, expected
        elif required:
            return name, "missing"
    return None


@cache
def _fields(kind: EventKind) -> tuple[_Field, ...]:
    return _shape(PAYLOADS[kind])


def _shape(payload: object) -> tuple[_Field, ...]:
    hints = get_type_hints(payload, include_extras=True)
    fields: list[_Field] = []
    for name, hint in hints.items():
        required = get_origin(hint) is not NotRequired
        inner = hint if required else get_args(hint)[0]
        accepts, expected = _compile(inner)
        fields.append((name, required, accepts, expected))
    return tuple(fields)


# What a field should hold, in words for the message naming a damaged one (translated there).
_EXPECTED: dict[object, str] = {
    str: N_("a text"),
    int: N_("a whole number"),
    float: N_("a number"),
    bool: N_("true or false"),
    str | None: N_("a text or null"),
    int | None: N_("a whole number or null"),
    list[str]: N_("a list of texts"),
}


def _compile(hint: object) -> tuple[_Accepts, str]:
    """A check for values of a payload field's type, and the type in words."""
    if get_origin(hint) is Literal:
        allowed = frozenset(get_args(hint))
        return (lambda v: isinstance(v, str) and v in allowed), " / ".join(sorted(allowed))
    if is_typeddict(hint):
        inner = _shape(hint)
        return (lambda v: isinstance(v, dict) and _first_problem(inner, v) is None), N_("an object of known fields")
    if get_origin(hint) is list and is_typeddict(get_args(hint)[0]):
        each = _shape(get_args(hint)[0])
        return (lambda v: isinstance(v, list) and all(isinstance(x, dict) and _first_problem(each, x) is None
                                                      for x in v)), N_("a list of objects of known fields")
    expected = _EXPECTED.get(hint)
    if expected is None:
        raise TypeError(f"payload field type {hint!r} has no check")
    if hint == list[str]:
        return (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)), expected
    members = get_args(hint) or (hint,)
    types = tuple(t for m in members for t in ((float, int) if m is float else (m,)))
    if int in types and bool not in types:
        # JSON true is not the number 1.
        return (lambda v: isinstance(v, types) and not isinstance(v, bool)), expected
    return (lambda v: isinstance(v, types)), expected
