"""The meeting state machine: commands in, events out; events applied make the state.

`decide` never changes state and never reads a clock (the caller passes a Stamp);
`apply` is the only way state changes, so replaying a log rebuilds exactly the live state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

from retreat.agenda import Agenda, Item
from retreat.errors import CommandRefused
from retreat.i18n import _
from retreat.meeting import ballot_box, ledger, phone_codes, qa
from retreat.meeting.events import (
    TIMER_EVENTS,
    AlarmRepeated,
    BallotsExported,
    CurrentChanged,
    Event,
    EventKind,
    ItemAdjusted,
    MinutesApproved,
    NoteAdded,
    OnItem,
    PointTicked,
    PreviousRecorded,
    RehearsalAnswered,
    SpeakerMessage,
    Stamp,
    TimerCrossed,
    TimeUp,
    ViewTokenSet,
)
from retreat.meeting.timer import Due, Timer


class Cmd(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    TOGGLE = "toggle"  # the space bar: start, pause or resume, whichever makes sense
    ADJUST = "adjust"  # value: seconds, + extends, - shortens
    NEXT = "next"
    PREVIOUS = "previous"
    SKIP = "skip"
    GOTO = "goto"  # value: item id
    END = "end"  # end the current item, stay on it
    SILENCE = "silence"
    TICK_POINT = "tick_point"  # value: point index, or None for the next unticked one
    NOTE = "note"  # value: text
    TICK = "tick"  # time has passed: fire due thresholds
    END_MEETING = "end_meeting"
    REHEARSAL = "rehearsal"  # value: True a rehearsal, False the meeting itself (held on another day)
    APPROVE = "approve"  # value: who approves the minutes
    # Questions from the grassroots: values are dicts (see retreat.meeting.qa)
    DRAW = "draw"  # value: seed for the first draw of a random order
    ASK = "ask"  # {text, department, asker?, area?}: starts the answer countdown
    ANSWER = "answer"  # {answerer, answer, outcome, satisfaction, owner?, promise?, due?, qid?}
    EDIT_QUESTION = "edit_question"  # {qid, field: new value, ...}
    WITHDRAW_QUESTION = "withdraw_question"  # value: qid
    FOLLOWUP_PROGRESS = "followup_progress"  # {qid, note}
    FOLLOWUP_DONE = "followup_done"  # {qid, note?}
    # The year's tasks (see retreat.meeting.ledger): `task` is the id after the session stem
    TASK_PROGRESS = "task_progress"  # {task, note}: a chosen item's progress
    TASK_DONE = "task_done"  # {task, note?}: a chosen item completed
    TASK_DUE = "task_due"  # {task, due}
    TASK_OWNER = "task_owner"  # {task, owner: department id or name}
    # {sessions, tasks}: the previous sessions' tasks (ledger.snapshot), sent by the shell just
    # before the meeting's first start; once per meeting
    RECORD_PREVIOUS = "record_previous"
    # Live votes: on the current vote item (or the runoff it opened); see retreat.meeting.ballot_box
    CAST = "cast"  # {ballot: opaque id, ranking: "3 7 1" or [ids], group?}
    UNDO_BALLOT = "undo_ballot"
    IMPORT_BALLOTS = "import_ballots"  # {rows: [(ranking, weight, group)], ids: [...], source}
    REVEAL = "reveal"  # {scope: "all" or a group id, seed}
    CHAIR_DECIDES = "chair_decides"  # value: chosen candidate ids or titles
    OPEN_RUNOFF = "open_runoff"
    EXPORT_BALLOTS = "export_ballots"  # {vote: key, format}: ballots taken out before the reveal
    # Participation from phones (retreat.web)
    REPLACE_BALLOT = "replace_ballot"  # {ballot, ranking, key?}: a phone changes its own ballot
    ISSUE_CODES = "issue_codes"  # {salt, hashes, group?}
    REVOKE_CODE = "revoke_code"  # value: the code's stored hash
    SET_PIN = "set_pin"  # value: six digits; once per meeting, agendas with `join: pin`
    PROPOSE_QUESTION = "propose_question"  # {text, group?, key?}
    DECIDE_PROPOSAL = "decide_proposal"  # {pid, decision: accepted|merged|rejected, into?}
    MESSAGE = "message"  # value: 1, 2 or 3 shows that message to the speaker, 0 clears it
    SET_VIEW_TOKEN = "set_view_token"  # value: the views' read-only token (>= 64 bits); once per meeting


# What may still be recorded after the meeting has ended: the record, not the meeting.
AFTER_THE_MEETING = frozenset(
    {Cmd.APPROVE, Cmd.NOTE, Cmd.TICK, Cmd.EDIT_QUESTION, Cmd.WITHDRAW_QUESTION, Cmd.FOLLOWUP_PROGRESS,
     Cmd.FOLLOWUP_DONE, Cmd.REVOKE_CODE, Cmd.EXPORT_BALLOTS, Cmd.TASK_PROGRESS, Cmd.TASK_DONE, Cmd.TASK_DUE,
     Cmd.TASK_OWNER, Cmd.SET_VIEW_TOKEN}
)


# What a command carries: a number, a text or a flag (see the comments on Cmd), candidate ids
# (CHAIR_DECIDES), or the fields of a form (Q&A, votes, phones), which the deciding function
# reads and checks one by one: they come from a keyboard or a phone, not from the log.
CommandValue = None | bool | int | float | str | Sequence[str] | Mapping[str, object]


@dataclass(frozen=True)
class Command:
    kind: Cmd
    value: CommandValue = None

    def fields(self) -> dict[str, object]:
        """The form a command carries; empty when it carries none."""
        return dict(self.value) if isinstance(self.value, Mapping) else {}

    def number(self) -> int:
        if isinstance(self.value, int | float | str):
            return int(self.value)
        raise TypeError(f"{self.kind.value} needs a number, not {self.value!r}")


def command_value(value: object) -> CommandValue:
    """A value from the screen or a phone, as one a Command can carry (or a TypeError: a bug)."""
    if value is None or isinstance(value, bool | int | float | str | Sequence | Mapping):
        return value
    raise TypeError(f"a command cannot carry {value!r}")


class Status(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    SKIPPED = "skipped"


@dataclass
class ItemState:
    item: Item
    timer: Timer
    status: Status = Status.PENDING
    started_at: float | None = None  # wall clock of the first start
    ended_at: float | None = None  # wall clock of the last end
    pauses: int = 0
    ticked: list[int] = field(default_factory=list)
    notes: list[tuple[float, str]] = field(default_factory=list)
    messages: int = 0  # messages sent to the speaker during this item

    @property
    def active(self) -> bool:
        return self.status in (Status.RUNNING, Status.PAUSED)


@dataclass
class MeetingState:
    agenda: Agenda
    items: list[ItemState]
    current: int = 0
    opened_at: float | None = None
    ended_at: float | None = None
    runs: list[Stamp] = field(default_factory=list)
    # (last event before a restart, the restart), wall clock: the program's death lies between.
    downtime: list[tuple[float, float]] = field(default_factory=list)
    approvals: list[tuple[str, float]] = field(default_factory=list)
    rehearsal: bool | None = None  # None: not asked or not answered (see retreat.meeting.schedule.off_day)
    rehearsal_at: float | None = None  # wall clock of the answer
    last: Stamp | None = None
    events: int = 0
    qa: qa.QAState = field(default_factory=qa.QAState)
    votes: dict[str, ballot_box.VoteState] = field(default_factory=dict)
    codes: phone_codes.CodeBook = field(default_factory=phone_codes.CodeBook)  # phone join codes, hashed
    early_exports: list[tuple[str, float]] = field(default_factory=list)  # (vote key, wall clock): before its reveal
    tasks: dict[str, ledger.TaskLog] = field(default_factory=dict)  # by task key: updates after the meeting
    speaker_message: str | None = None  # shown to the speaker until cleared or the next item
    # The tasks of the sessions named by `meeting.previous` as they stood at the first start
    # (None: no snapshot was recorded); what the stage's `l` and the minutes show
    previous_tasks: tuple[ledger.Task, ...] | None = None
    previous_sessions: tuple[ledger.PastSession, ...] = ()
    view_token: str | None = None  # read-only token of the room's views (/timer?v=...), set once

    def vote(self) -> ballot_box.VoteState:
        """The vote the current item is taking: its own, or the runoff its tie went to."""
        item = self.item.item
        if item.kind != "vote":
            raise CommandRefused(_("the current item is not a vote"))
        vote = self.votes.get(item.id) or ballot_box.new_vote(self.agenda, item)
        while vote.runoff is not None and vote.runoff in self.votes:
            vote = self.votes[vote.runoff]
        return vote
    _positions: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def item(self) -> ItemState:
        return self.items[self.current]

    def index(self, item_id: str) -> int:
        if not self._positions:
            self._positions.update((s.item.id, i) for i, s in enumerate(self.items))
        try:
            return self._positions[item_id]
        except KeyError:
            raise CommandRefused(_('there is no item "{id}" in this agenda').format(id=item_id)) from None

    def by_id(self, item_id: str | None) -> ItemState:
        return self.items[self.index(item_id or "")]

    def seconds_until_due(self, now: Stamp) -> float | None:
        """Seconds to the next threshold of the running item or of the answer being given."""
        dues = [t.seconds_until_due(now) for t in self.running_timers()]
        known = [d for d in dues if d is not None]
        return min(known) if known else None

    def running_timers(self) -> list[Timer]:
        timers = [self.item.timer]
        if self.qa.answer_timer is not None:
            timers.append(self.qa.answer_timer)
        return timers


def initial_state(agenda: Agenda) -> MeetingState:
    return MeetingState(
        agenda=agenda,
        items=[
            ItemState(item=item, timer=Timer(item.limit, item.warning, item.alarm_repeat))
            for item in agenda.items
        ],
    )


def _event(kind: EventKind, stamp: Stamp, data: Mapping[str, object] | None = None) -> Event:
    """`data` is the payload PAYLOADS declares for `kind`, built with that TypedDict."""
    return Event(kind=kind, stamp=stamp, data=data if data is not None else {})


# --- deciding ------------------------------------------------------------------------


def decide(state: MeetingState, command: Command, now: Stamp) -> list[Event]:
    """The events a command causes; raises CommandRefused when it makes no sense now."""
    if state.ended_at is not None and command.kind not in AFTER_THE_MEETING:
        raise CommandRefused(_("the meeting has ended"))
    handler = _HANDLERS[command.kind]
    return handler(state, command, now)


def _start(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    current = state.item
    if current.status is Status.RUNNING:
        raise CommandRefused(_("{title} is already running").format(title=current.item.title))
    if current.status is Status.PAUSED:
        return [_event(EventKind.ITEM_RESUMED, now, OnItem(item=current.item.id))]
    return [_event(EventKind.ITEM_STARTED, now, OnItem(item=current.item.id))]


def _pause(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is not Status.RUNNING:
        raise CommandRefused(_("nothing is running to pause"))
    return [_event(EventKind.ITEM_PAUSED, now, OnItem(item=state.item.item.id))]


def _resume(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is not Status.PAUSED:
        raise CommandRefused(_("nothing is paused to resume"))
    return [_event(EventKind.ITEM_RESUMED, now, OnItem(item=state.item.item.id))]


def _toggle(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is Status.RUNNING:
        return _pause(state, cmd, now)
    return _start(state, cmd, now)


def _adjust(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    seconds = cmd.number()
    timer = state.item.timer
    if seconds == 0:
        raise CommandRefused(_("an adjustment of zero changes nothing"))
    if timer.limit + seconds <= 0:
        raise CommandRefused(_("the limit cannot be shortened below zero"))
    return [_event(EventKind.ITEM_ADJUSTED, now, ItemAdjusted(item=state.item.item.id, seconds=seconds))]


def _close_current(state: MeetingState, now: Stamp) -> list[Event]:
    if state.item.active:
        return [_event(EventKind.ITEM_ENDED, now, OnItem(item=state.item.item.id))]
    return []


def _move(state: MeetingState, target: int, now: Stamp) -> list[Event]:
    return [
        _event(
            EventKind.CURRENT_CHANGED,
            now,
            CurrentChanged(item=state.items[target].item.id, previous=state.item.item.id),
        )
    ]


def _next(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    events = _close_current(state, now)
    if state.current + 1 >= len(state.items):
        return [*events, _event(EventKind.MEETING_ENDED, now)]
    return events + _move(state, state.current + 1, now)


def _previous(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    if state.current == 0:
        raise CommandRefused(_("this is the first item"))
    return _close_current(state, now) + _move(state, state.current - 1, now)


def _skip(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is not Status.PENDING:
        return _next(state, cmd, now)
    skipped = [_event(EventKind.ITEM_SKIPPED, now, OnItem(item=state.item.item.id))]
    if state.current + 1 >= len(state.items):
        return [*skipped, _event(EventKind.MEETING_ENDED, now)]
    return skipped + _move(state, state.current + 1, now)


def _goto(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    target = state.index(str(cmd.value))
    if target == state.current:
        return []
    return _close_current(state, now) + _move(state, target, now)


def _end(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    events = _close_current(state, now)
    if not events:
        raise CommandRefused(_("{title} is not running").format(title=state.item.item.title))
    return events


def _silence(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    timer = state.item.timer
    if timer.time_up and not timer.silenced:
        return [_event(EventKind.ALARM_SILENCED, now, _item_timer(state))]
    answer = state.qa.answer_timer
    if answer is not None and answer.time_up and not answer.silenced:
        return [_event(EventKind.ALARM_SILENCED, now, _answer_timer(state))]
    raise CommandRefused(_("no alarm is sounding"))


def _tick_point(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    current = state.item
    points = current.item.points
    if cmd.value is None:
        open_points = [i for i in range(len(points)) if i not in current.ticked]
        if not open_points:
            raise CommandRefused(_("every talking point is already ticked"))
        index = open_points[0]
    else:
        index = cmd.number()
        if not 0 <= index < len(points):
            raise CommandRefused(_("there is no talking point {n}").format(n=index + 1))
        if index in current.ticked:
            raise CommandRefused(_("talking point {n} is already ticked").format(n=index + 1))
    return [_event(EventKind.POINT_TICKED, now, PointTicked(item=current.item.id, point=index))]


def _note(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    text = str(cmd.value or "").strip()
    if not text:
        raise CommandRefused(_("an empty note was not recorded"))
    return [_event(EventKind.NOTE_ADDED, now, NoteAdded(item=state.item.item.id, text=text))]


def _message(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    key = cmd.number()
    item = state.item.item.id
    if key == 0:
        if state.speaker_message is None:
            raise CommandRefused(_("no message is shown to the speaker"))
        return [_event(EventKind.SPEAKER_MESSAGE_CLEARED, now, OnItem(item=item))]
    messages = state.agenda.messages
    if not 1 <= key <= len(messages):
        raise CommandRefused(_("there is no message {n}").format(n=key))
    text = messages[key - 1]
    return [_event(EventKind.SPEAKER_MESSAGE_SENT, now, SpeakerMessage(item=item, key=key, text=text))]


def _tick(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    """Fire every threshold the running item (and the answer being given) has crossed by `now`."""
    events = _due_events(state.item.timer, now, _item_timer(state))
    if state.qa.answer_timer is not None:
        events += _due_events(state.qa.answer_timer, now, _answer_timer(state))
    return events


def _item_timer(state: MeetingState) -> TimerCrossed:
    return TimerCrossed(item=state.item.item.id, timer="item")


def _answer_timer(state: MeetingState) -> TimerCrossed:
    data = TimerCrossed(item=state.item.item.id, timer="answer")
    if state.qa.answering is not None:
        data["answer"] = state.qa.answering
    return data


def _due_events(timer: Timer, now: Stamp, data: TimerCrossed) -> list[Event]:
    if not timer.running:
        return []
    elapsed = timer.elapsed(now)
    events: list[Event] = []
    due = timer.next_due()
    if due and due[0] is Due.WARNING and elapsed >= due[1]:
        events.append(_event(EventKind.WARNING_REACHED, now, data))
    # After a long sleep only the latest alarm is due: the count skips the ones missed.
    count = int((elapsed - timer.limit) // timer.alarm_repeat) + 1 if timer.alarm_repeat > 0 else 1
    if not timer.time_up and elapsed >= timer.limit:
        up: TimeUp = {**data, "overtime": round(elapsed - timer.limit, 3), "count": count}
        events.append(_event(EventKind.TIME_UP, now, up))
    elif timer.time_up and not timer.silenced and timer.alarm_repeat > 0 and count > timer.alarms:
        repeated: AlarmRepeated = {**data, "count": count}
        events.append(_event(EventKind.ALARM_REPEATED, now, repeated))
    return events


def _draw(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    seed = None if cmd.value is None else cmd.number()
    return qa.decide_draw(state.agenda, state.qa, state.item.item, seed, now)


def _ask(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_ask(state.agenda, state.qa, state.item.item, cmd.fields(), now)


def _answer(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_answer(state.agenda, state.qa, cmd.fields(), now)


def _edit_question(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_edit(state.agenda, state.qa, cmd.fields(), now)


def _withdraw_question(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_withdraw(state.qa, cmd.value, now)


def _followup_progress(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_followup(state.qa, cmd.fields(), False, now)


def _followup_done(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_followup(state.qa, cmd.fields(), True, now)


def _task(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    kind = EventKind(cmd.kind.value)
    return ledger.decide(state.agenda, state.votes, state.qa, state.tasks, kind, cmd.fields(), now)


def _record_previous(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    started = any(s.started_at is not None for s in state.items)
    return ledger.decide_previous(state.previous_tasks is not None, started, cmd.fields(), now)


def _cast(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return ballot_box.decide_cast(state.agenda, state.vote(), cmd.fields(), now)


def _undo_ballot(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    return ballot_box.decide_undo(state.vote(), now)


def _import_ballots(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return ballot_box.decide_import(state.agenda, state.vote(), cmd.fields(), now)


def _reveal(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    value = cmd.fields()
    seed = value.get("seed", 0)
    if not isinstance(seed, int | str):
        raise TypeError(f"a reveal's seed is a number, not {seed!r}")
    return ballot_box.decide_reveal(state.vote(), str(value.get("scope", "all")), int(seed), now)


def _chair_decides(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return ballot_box.decide_chair(state.vote(), [str(c) for c in cmd.value or []] if isinstance(cmd.value, Sequence) else [], now)


def _open_runoff(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    return ballot_box.decide_runoff(state.vote(), now)


def _export_ballots(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    """An export of a vote's ballots is recorded while its result is still hidden; a revealed
    vote's ballots are public, so exporting them records nothing."""
    value = cmd.fields()
    key = str(value.get("vote", ""))
    vote = state.votes.get(key)
    if vote is None:
        item = next((s.item for s in state.items if s.item.id == key and s.item.kind == "vote"), None)
        if item is None:
            raise CommandRefused(_('"{vote}" is not a vote of this meeting').format(vote=key))
        vote = ballot_box.new_vote(state.agenda, item)
    if vote.seed is not None:
        return []
    return [_event(EventKind.BALLOTS_EXPORTED, now, BallotsExported(vote=key, format=str(value.get("format", ""))))]


def _replace_ballot(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return ballot_box.decide_replace(state.vote(), cmd.fields(), now)


def _issue_codes(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return phone_codes.decide_codes(state.agenda, cmd.fields(), now)


def _set_pin(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return phone_codes.decide_pin(state.agenda, state.codes, str(cmd.value or ""), now)


VIEW_TOKEN_MIN = 11  # URL-safe base64 characters: 66 bits, the least a view token carries
_URLSAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _set_view_token(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    if state.view_token is not None:
        raise CommandRefused(_("this meeting already has its view token"))
    token = str(cmd.value or "")
    if len(token) < VIEW_TOKEN_MIN or not set(token) <= _URLSAFE:
        raise CommandRefused(_("a view token is at least {n} URL-safe characters").format(n=VIEW_TOKEN_MIN))
    return [_event(EventKind.VIEW_TOKEN_SET, now, ViewTokenSet(token=token))]


def _revoke_code(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return phone_codes.decide_revoke(state.codes, str(cmd.value or ""), now)


def _propose_question(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_propose(state.qa, cmd.fields(), now)


def _decide_proposal(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    return qa.decide_proposal(state.qa, cmd.fields(), now)


def _end_meeting(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    return [*_close_current(state, now), _event(EventKind.MEETING_ENDED, now)]


def _rehearsal(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    if state.rehearsal is not None:
        raise CommandRefused(_("whether this is a rehearsal has already been answered"))
    return [_event(EventKind.REHEARSAL_ANSWERED, now, RehearsalAnswered(rehearsal=bool(cmd.value)))]


def _approve(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    by = str(cmd.value or "").strip()
    if not by:
        raise CommandRefused(_("say who approves the minutes (--by NAME)"))
    return [_event(EventKind.MINUTES_APPROVED, now, MinutesApproved(by=by))]


_HANDLERS = {
    Cmd.START: _start,
    Cmd.PAUSE: _pause,
    Cmd.RESUME: _resume,
    Cmd.TOGGLE: _toggle,
    Cmd.ADJUST: _adjust,
    Cmd.NEXT: _next,
    Cmd.PREVIOUS: _previous,
    Cmd.SKIP: _skip,
    Cmd.GOTO: _goto,
    Cmd.END: _end,
    Cmd.SILENCE: _silence,
    Cmd.TICK_POINT: _tick_point,
    Cmd.NOTE: _note,
    Cmd.TICK: _tick,
    Cmd.END_MEETING: _end_meeting,
    Cmd.APPROVE: _approve,
    Cmd.REHEARSAL: _rehearsal,
    Cmd.DRAW: _draw,
    Cmd.ASK: _ask,
    Cmd.ANSWER: _answer,
    Cmd.EDIT_QUESTION: _edit_question,
    Cmd.WITHDRAW_QUESTION: _withdraw_question,
    Cmd.FOLLOWUP_PROGRESS: _followup_progress,
    Cmd.FOLLOWUP_DONE: _followup_done,
    Cmd.TASK_PROGRESS: _task,
    Cmd.TASK_DONE: _task,
    Cmd.TASK_DUE: _task,
    Cmd.TASK_OWNER: _task,
    Cmd.RECORD_PREVIOUS: _record_previous,
    Cmd.CAST: _cast,
    Cmd.UNDO_BALLOT: _undo_ballot,
    Cmd.IMPORT_BALLOTS: _import_ballots,
    Cmd.REVEAL: _reveal,
    Cmd.CHAIR_DECIDES: _chair_decides,
    Cmd.OPEN_RUNOFF: _open_runoff,
    Cmd.EXPORT_BALLOTS: _export_ballots,
    Cmd.REPLACE_BALLOT: _replace_ballot,
    Cmd.ISSUE_CODES: _issue_codes,
    Cmd.REVOKE_CODE: _revoke_code,
    Cmd.SET_PIN: _set_pin,
    Cmd.PROPOSE_QUESTION: _propose_question,
    Cmd.DECIDE_PROPOSAL: _decide_proposal,
    Cmd.MESSAGE: _message,
    Cmd.SET_VIEW_TOKEN: _set_view_token,
}

_QA_EVENTS = frozenset(
    {EventKind.ASKERS_ORDERED, EventKind.ASKER_DRAWN, EventKind.QUESTION_ASKED, EventKind.QUESTION_ANSWERED,
     EventKind.QUESTION_EDITED, EventKind.QUESTION_WITHDRAWN, EventKind.FOLLOWUP_PROGRESS,
     EventKind.FOLLOWUP_DONE}
)


# --- applying ------------------------------------------------------------------------


def apply(state: MeetingState, event: Event) -> None:
    """Fold one event into the state; unknown kinds from newer versions are kept but ignored."""
    state.events += 1
    stamp = event.stamp
    kind = event.kind
    if kind is EventKind.MEETING_OPENED:
        state.opened_at = stamp.at
    elif kind is EventKind.PROCESS_STARTED:
        # Only a meeting under way can be interrupted: a session made the day before (to
        # print phone codes) and resumed in the morning was not "down" overnight.
        under_way = any(s.started_at is not None for s in state.items) and state.ended_at is None
        if state.runs and state.last is not None and under_way:
            state.downtime.append((state.last.at, stamp.at))
        state.runs.append(stamp)
    elif kind is EventKind.CURRENT_CHANGED:
        state.current = state.index(str(event.item))
        state.speaker_message = None  # a message is for the item it was sent in
    elif kind is EventKind.MEETING_ENDED:
        state.ended_at = stamp.at
        state.speaker_message = None
    elif kind is EventKind.SPEAKER_MESSAGE_SENT:
        state.speaker_message = cast(SpeakerMessage, event.data)["text"]
        state.by_id(event.item).messages += 1
    elif kind is EventKind.SPEAKER_MESSAGE_CLEARED:
        state.speaker_message = None
    elif kind is EventKind.VIEW_TOKEN_SET:
        state.view_token = cast(ViewTokenSet, event.data)["token"]
        return  # not a moment of the meeting: its last moment (its durations, its downtime) is unchanged
    elif kind is EventKind.MINUTES_APPROVED:
        state.approvals.append((cast(MinutesApproved, event.data)["by"], stamp.at))
    elif kind is EventKind.REHEARSAL_ANSWERED:
        state.rehearsal, state.rehearsal_at = cast(RehearsalAnswered, event.data)["rehearsal"], stamp.at
    elif kind is EventKind.BALLOTS_EXPORTED:
        state.early_exports.append((cast(BallotsExported, event.data)["vote"], stamp.at))
        return  # done from another terminal: the meeting's own last moment (its end, its durations) is unchanged
    elif kind in _QA_EVENTS:
        qa.apply(state.qa, state.agenda, event)
    elif kind in ledger.TASK_EVENTS:
        ledger.apply(state.tasks, event)
        return  # recorded after the meeting: its last moment is unchanged
    elif kind is EventKind.PREVIOUS_RECORDED:
        state.previous_sessions, state.previous_tasks = ledger.apply_previous(cast(PreviousRecorded, event.data))
    elif kind in ballot_box.VOTE_EVENTS:
        ballot_box.apply(state.votes, state.agenda, event)
    elif kind in phone_codes.CODE_EVENTS:
        phone_codes.apply_codes(state.codes, event)
    elif kind in qa.PROPOSAL_EVENTS:
        qa.apply_proposal(state.qa, event)
    elif (kind in TIMER_EVENTS and cast(TimerCrossed, event.data)["timer"] == "answer"
          and state.qa.answer_timer is not None):
        _apply_timer(state.qa.answer_timer, event)
    elif event.item is not None:
        target = state.by_id(event.item)
        _apply_item(target, event)
        if state.qa.answer_timer is not None and target is state.item:
            _follow_item(state.qa.answer_timer, event)
    state.last = stamp


def _apply_item(target: ItemState, event: Event) -> None:
    kind, stamp, timer = event.kind, event.stamp, target.timer
    if kind in (EventKind.ITEM_STARTED, EventKind.ITEM_RESUMED):
        if target.started_at is None:
            target.started_at = stamp.at
        timer.start(stamp)
        target.status = Status.RUNNING
    elif kind is EventKind.ITEM_PAUSED:
        timer.stop(stamp)
        target.pauses += 1
        target.status = Status.PAUSED
    elif kind is EventKind.ITEM_ENDED:
        timer.stop(stamp)
        target.ended_at = stamp.at
        target.status = Status.DONE
    elif kind is EventKind.ITEM_SKIPPED:
        target.status = Status.SKIPPED
    elif kind is EventKind.ITEM_ADJUSTED:
        timer.adjust(cast(ItemAdjusted, event.data)["seconds"], stamp)
    elif kind in TIMER_EVENTS:
        _apply_timer(timer, event)
    elif kind is EventKind.POINT_TICKED:
        target.ticked.append(cast(PointTicked, event.data)["point"])
    elif kind is EventKind.NOTE_ADDED:
        target.notes.append((stamp.at, cast(NoteAdded, event.data)["text"]))


def _apply_timer(timer: Timer, event: Event) -> None:
    kind = event.kind
    if kind is EventKind.WARNING_REACHED:
        timer.warned = True
    elif kind is EventKind.TIME_UP:
        timer.warned = timer.time_up = True
        timer.alarms = cast(TimeUp, event.data).get("count", 1)
    elif kind is EventKind.ALARM_REPEATED:
        timer.alarms = cast(AlarmRepeated, event.data)["count"]
    elif kind is EventKind.ALARM_SILENCED:
        timer.silenced = True


def _follow_item(answer: Timer, event: Event) -> None:
    """The answer countdown pauses, resumes and ends with its Q&A item."""
    if event.kind in (EventKind.ITEM_PAUSED, EventKind.ITEM_ENDED):
        answer.stop(event.stamp)
    elif event.kind in (EventKind.ITEM_STARTED, EventKind.ITEM_RESUMED):
        answer.start(event.stamp)
