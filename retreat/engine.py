"""The meeting state machine: commands in, events out; events applied make the state.

`decide` never changes state and never reads a clock (the caller passes a Stamp);
`apply` is the only way state changes, so replaying a log rebuilds exactly the live state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from retreat.agenda import Agenda, Item
from retreat.errors import CommandRefused
from retreat.events import Event, EventKind, Stamp
from retreat.i18n import _
from retreat.timer import Due, Timer


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
    APPROVE = "approve"  # value: who approves the minutes


@dataclass(frozen=True)
class Command:
    kind: Cmd
    value: Any = None


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
    last: Stamp | None = None
    events: int = 0
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
        return self.item.timer.seconds_until_due(now)


def initial_state(agenda: Agenda) -> MeetingState:
    return MeetingState(
        agenda=agenda,
        items=[
            ItemState(item=item, timer=Timer(item.limit, item.warning, item.alarm_repeat))
            for item in agenda.items
        ],
    )


def _event(kind: EventKind, stamp: Stamp, **data: Any) -> Event:
    return Event(kind=kind, stamp=stamp, data=data)


# --- deciding ------------------------------------------------------------------------


def decide(state: MeetingState, command: Command, now: Stamp) -> list[Event]:
    """The events a command causes; raises CommandRefused when it makes no sense now."""
    if state.ended_at is not None and command.kind not in (Cmd.APPROVE, Cmd.NOTE, Cmd.TICK):
        raise CommandRefused(_("the meeting has ended"))
    handler = _HANDLERS[command.kind]
    return handler(state, command, now)


def _start(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    current = state.item
    if current.status is Status.RUNNING:
        raise CommandRefused(_("{title} is already running").format(title=current.item.title))
    if current.status is Status.PAUSED:
        return [_event(EventKind.ITEM_RESUMED, now, item=current.item.id)]
    return [_event(EventKind.ITEM_STARTED, now, item=current.item.id)]


def _pause(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is not Status.RUNNING:
        raise CommandRefused(_("nothing is running to pause"))
    return [_event(EventKind.ITEM_PAUSED, now, item=state.item.item.id)]


def _resume(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is not Status.PAUSED:
        raise CommandRefused(_("nothing is paused to resume"))
    return [_event(EventKind.ITEM_RESUMED, now, item=state.item.item.id)]


def _toggle(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    if state.item.status is Status.RUNNING:
        return _pause(state, cmd, now)
    return _start(state, cmd, now)


def _adjust(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    seconds = int(cmd.value)
    timer = state.item.timer
    if seconds == 0:
        raise CommandRefused(_("an adjustment of zero changes nothing"))
    if timer.limit + seconds <= 0:
        raise CommandRefused(_("the limit cannot be shortened below zero"))
    return [_event(EventKind.ITEM_ADJUSTED, now, item=state.item.item.id, seconds=seconds)]


def _close_current(state: MeetingState, now: Stamp) -> list[Event]:
    if state.item.active:
        return [_event(EventKind.ITEM_ENDED, now, item=state.item.item.id)]
    return []


def _move(state: MeetingState, target: int, now: Stamp) -> list[Event]:
    return [
        _event(
            EventKind.CURRENT_CHANGED,
            now,
            item=state.items[target].item.id,
            previous=state.item.item.id,
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
    skipped = [_event(EventKind.ITEM_SKIPPED, now, item=state.item.item.id)]
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
    if not timer.time_up or timer.silenced:
        raise CommandRefused(_("no alarm is sounding"))
    return [_event(EventKind.ALARM_SILENCED, now, item=state.item.item.id)]


def _tick_point(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    current = state.item
    points = current.item.points
    if cmd.value is None:
        open_points = [i for i in range(len(points)) if i not in current.ticked]
        if not open_points:
            raise CommandRefused(_("every talking point is already ticked"))
        index = open_points[0]
    else:
        index = int(cmd.value)
        if not 0 <= index < len(points):
            raise CommandRefused(_("there is no talking point {n}").format(n=index + 1))
        if index in current.ticked:
            raise CommandRefused(_("talking point {n} is already ticked").format(n=index + 1))
    return [_event(EventKind.POINT_TICKED, now, item=current.item.id, point=index)]


def _note(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    text = str(cmd.value or "").strip()
    if not text:
        raise CommandRefused(_("an empty note was not recorded"))
    return [_event(EventKind.NOTE_ADDED, now, item=state.item.item.id, text=text)]


def _tick(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    """Fire every threshold the running item has crossed by `now`, in order."""
    current = state.item
    timer = current.timer
    if not timer.running:
        return []
    elapsed = timer.elapsed(now)
    item_id = current.item.id
    events: list[Event] = []
    due = timer.next_due()
    if due and due[0] is Due.WARNING and elapsed >= due[1]:
        events.append(_event(EventKind.WARNING_REACHED, now, item=item_id))
    # After a long sleep only the latest alarm is due: the count skips the ones missed.
    count = int((elapsed - timer.limit) // timer.alarm_repeat) + 1 if timer.alarm_repeat > 0 else 1
    if not timer.time_up and elapsed >= timer.limit:
        events.append(
            _event(EventKind.TIME_UP, now, item=item_id, overtime=round(elapsed - timer.limit, 3), count=count)
        )
    elif timer.time_up and not timer.silenced and timer.alarm_repeat > 0:
        if count > timer.alarms:
            events.append(_event(EventKind.ALARM_REPEATED, now, item=item_id, count=count))
    return events


def _end_meeting(state: MeetingState, _cmd: Command, now: Stamp) -> list[Event]:
    return [*_close_current(state, now), _event(EventKind.MEETING_ENDED, now)]


def _approve(state: MeetingState, cmd: Command, now: Stamp) -> list[Event]:
    by = str(cmd.value or "").strip()
    if not by:
        raise CommandRefused(_("say who approves the minutes (--by NAME)"))
    return [_event(EventKind.MINUTES_APPROVED, now, by=by)]


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
}


# --- applying ------------------------------------------------------------------------


def apply(state: MeetingState, event: Event) -> None:
    """Fold one event into the state; unknown kinds from newer versions are kept but ignored."""
    state.events += 1
    stamp = event.stamp
    kind = event.kind
    if kind is EventKind.MEETING_OPENED:
        state.opened_at = stamp.at
    elif kind is EventKind.PROCESS_STARTED:
        if state.runs and state.last is not None:
            state.downtime.append((state.last.at, stamp.at))
        state.runs.append(stamp)
    elif kind is EventKind.CURRENT_CHANGED:
        state.current = state.index(str(event.item))
    elif kind is EventKind.MEETING_ENDED:
        state.ended_at = stamp.at
    elif kind is EventKind.MINUTES_APPROVED:
        state.approvals.append((str(event.data["by"]), stamp.at))
    elif event.item is not None:
        _apply_item(state.by_id(event.item), event)
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
        timer.adjust(int(event.data["seconds"]), stamp)
    elif kind is EventKind.WARNING_REACHED:
        timer.warned = True
    elif kind is EventKind.TIME_UP:
        timer.warned = timer.time_up = True
        timer.alarms = int(event.data.get("count", 1))
    elif kind is EventKind.ALARM_REPEATED:
        timer.alarms = int(event.data["count"])
    elif kind is EventKind.ALARM_SILENCED:
        timer.silenced = True
    elif kind is EventKind.POINT_TICKED:
        target.ticked.append(int(event.data["point"]))
    elif kind is EventKind.NOTE_ADDED:
        target.notes.append((stamp.at, str(event.data["text"])))
