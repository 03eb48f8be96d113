"""What the stage shows, as plain frozen data: a snapshot of the meeting at one moment.

The run loop compares consecutive views: equal views draw identical frames, so the
screen is only repainted when something the room can see has changed. Every text is
already formatted (and translated) here; the renderers in `stage` and `overview` only
lay it out.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from retreat.durations import format_clock
from retreat.engine import ItemState, MeetingState, Status
from retreat.events import Stamp
from retreat.i18n import N_, _
from retreat.schedule import Schedule, Slot, When, project
from retreat.timer import Phase

KIND_LABELS = {
    "report": N_("Work report"),
    "remarks": N_("Leader's remarks"),
    "qa": N_("Questions from the grassroots"),
    "vote": N_("Recommendation vote"),
    "break": N_("Break"),
    "discussion": N_("Discussion"),
}


@dataclass(frozen=True)
class Point:
    text: str
    ticked: bool
    next: bool  # the one `t` ticks


@dataclass(frozen=True)
class Row:
    """One line of the overview."""

    number: str
    title: str
    presenter: str
    planned_start: str
    planned: str
    actual: str  # time run so far, with its overrun
    start: str  # actual or projected start
    slip: str  # how far that start lies from the planned one
    state: str  # done, now, skipped, ...
    current: bool
    overrun: bool


@dataclass(frozen=True)
class View:
    position: int
    count: int
    kind: str
    title: str
    who: str
    phase: Phase
    status: Status
    clock: str  # the big digits: `07:00`, `+01:23`
    flash: bool  # the overtime flash is lit
    elapsed: int  # whole seconds shown on the progress line
    limit: int
    adjusted: int
    caption: str
    points: tuple[Point, ...]
    next: str
    schedule: str
    time_of_day: str
    message: str
    ended: bool
    meeting: str
    overview: tuple[Row, ...] | None = None
    overview_title: str = ""

    @property
    def alert(self) -> bool:
        return self.phase is Phase.OVERTIME


def local_clock(at: float, offset: int) -> str:
    """HH:MM of an epoch time in the meeting's time zone."""
    return time.strftime("%H:%M", time.gmtime(at + offset))


def signed_minutes(seconds: float) -> str:
    return format_clock(seconds) if seconds >= 0 else "-" + format_clock(seconds)


def display_seconds(state: ItemState, now: Stamp) -> tuple[str, int]:
    """The big digits and the whole seconds elapsed: a countdown, then `+` overtime."""
    timer = state.timer
    if not timer.started:
        return format_clock(timer.limit), 0
    elapsed = timer.elapsed(now)
    remaining = timer.limit - elapsed
    if remaining > 0:
        return format_clock(math.ceil(remaining)), int(elapsed)
    return "+" + format_clock(math.floor(-remaining)), int(elapsed)


def flash_lit(state: ItemState, now: Stamp) -> bool:
    """The flash runs while an unsilenced alarm is due: running, in overtime."""
    from retreat.ui.alarm import flash_on

    timer = state.timer
    if not timer.running or timer.silenced or timer.phase(now) is not Phase.OVERTIME:
        return False
    return flash_on(timer.elapsed(now) - timer.limit)


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def who(state: MeetingState, item: ItemState) -> str:
    parts = [item.item.presenter, state.agenda.department_name(item.item.department or None)]
    return " · ".join(p for p in parts if p)


def caption(item: ItemState, phase: Phase) -> str:
    timer = item.timer
    if item.status is Status.PAUSED:
        return _("PAUSED. Press space to resume.")
    if item.status is Status.DONE:
        return _("Finished. Press space to carry on with it, n for the next item.")
    if item.status is Status.SKIPPED:
        return _("Skipped. Press space to hold it after all, n for the next item.")
    if phase is Phase.IDLE:
        return _("Ready. Press space to start.")
    if phase is Phase.WARNING:
        return _("Time is almost up.")
    if phase is Phase.OVERTIME:
        if timer.silenced:
            return _("OVERTIME (alarm silenced)")
        return _("TIME IS UP: overtime. Press a to silence the alarm.")
    return ""


def points(item: ItemState) -> tuple[Point, ...]:
    ticked = set(item.ticked)
    first_open = next((i for i in range(len(item.item.points)) if i not in ticked), None)
    return tuple(
        Point(text, i in ticked, i == first_open) for i, text in enumerate(item.item.points)
    )


def next_line(state: MeetingState, sched: Schedule, offset: int) -> str:
    for slot in sched.slots[state.current + 1 :]:
        if slot.when is When.PROJECTED and slot.start is not None:
            item = state.items[slot.index]
            parts = [f"{slot.index + 1}/{len(state.items)} {item.item.title}", who(state, item)]
            parts.append(_("{limit}, at ~{clock}").format(
                limit=format_clock(item.timer.limit), clock=local_clock(slot.start, offset)
            ))
            return _("Next: {what}").format(what=" · ".join(p for p in parts if p))
    return _("Next: end of the meeting")


def schedule_line(sched: Schedule, offset: int, now: Stamp) -> str:
    end = local_clock(sched.projected_end, offset)
    planned_end = local_clock(sched.planned_end, offset)
    if sched.ended:
        return _("Ended at {end} (planned {planned})").format(end=end, planned=planned_end)
    minutes = round(sched.delta / 60)
    if not sched.started and now.at < sched.planned_start:
        status = _("Starts at {start}").format(start=local_clock(sched.planned_start, offset))
    elif minutes > 0:
        status = _("{n} min behind plan").format(n=minutes)
    elif minutes < 0:
        status = _("{n} min ahead of plan").format(n=-minutes)
    else:
        status = _("On plan")
    return _("{status} · ends ~{end} (planned {planned})").format(
        status=status, end=end, planned=planned_end
    )


def overview_rows(state: MeetingState, sched: Schedule, offset: int) -> tuple[Row, ...]:
    return tuple(_row(state, slot, offset) for slot in sched.slots)


_STATE_LABELS = {
    When.ACTUAL: N_("done"),
    When.DROPPED: N_("not held"),
    When.PROJECTED: N_("to come"),
}


def _row(state: MeetingState, slot: Slot, offset: int) -> Row:
    item = state.items[slot.index]
    current = slot.index == state.current and not state.ended_at
    if item.status is Status.SKIPPED:
        label = _("skipped")
    elif slot.when is When.LIVE:
        label = _("paused") if item.status is Status.PAUSED else _("now")
    else:
        label = _(_STATE_LABELS[slot.when])
    actual = ""
    if item.timer.started:
        actual = format_clock(int(slot.elapsed))
        if slot.overrun >= 1:
            actual += " +" + format_clock(int(slot.overrun))
    if slot.limit != slot.planned:
        planned = f"{format_clock(slot.planned)}>{format_clock(slot.limit)}"
    else:
        planned = format_clock(slot.planned)
    slip = ""
    if slot.slip is not None and abs(slot.slip) >= 60:
        slip = ("+" if slot.slip > 0 else "-") + format_clock(round(abs(slot.slip) / 60) * 60)
    return Row(
        number=str(slot.index + 1),
        title=item.item.title,
        presenter=item.item.presenter,
        planned_start=local_clock(slot.planned_start, offset),
        planned=planned,
        actual=actual,
        start="" if slot.start is None else local_clock(slot.start, offset),
        slip=slip,
        state=label,
        current=current,
        overrun=slot.overrun >= 1,
    )


def snapshot(
    state: MeetingState,
    now: Stamp,
    utc_offset: int,
    *,
    message: str = "",
    overview: bool = False,
) -> View:
    """Everything the stage shows at `now`, formatted."""
    item = state.item
    sched = project(state, now, utc_offset)
    phase = item.timer.phase(now)
    digits, elapsed = display_seconds(item, now)
    ended = state.ended_at is not None
    return View(
        position=state.current + 1,
        count=len(state.items),
        kind=kind_label(item.item.kind),
        title=item.item.title,
        who=who(state, item),
        phase=phase,
        status=item.status,
        clock=digits,
        flash=flash_lit(item, now),
        elapsed=elapsed,
        limit=item.timer.limit,
        adjusted=item.timer.adjusted,
        caption=_("The meeting has ended. Press q to leave.") if ended else caption(item, phase),
        points=points(item),
        next=next_line(state, sched, utc_offset),
        schedule=schedule_line(sched, utc_offset, now),
        time_of_day=local_clock(now.at, utc_offset),
        message=message,
        ended=ended,
        meeting=state.agenda.meeting.title,
        overview=overview_rows(state, sched, utc_offset) if overview else None,
        overview_title=_("Agenda: planned and actual") if overview else "",
    )
