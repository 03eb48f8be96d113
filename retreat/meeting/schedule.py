"""The meeting's schedule: planned against projected, for every item, at a given moment.

A pure projection of the state: done items keep the times they actually took, the
running one ends at max(limit, elapsed), and every later item is pushed back (or pulled
forward) by whatever has happened so far, which is the question the room asks of a stage
timer ("when do we get to the vote?"). All times are epoch seconds (wall clock); the UI
formats them with the session's UTC offset.

The planned start is `meeting.start` taken on the day the meeting actually runs, else
the first actual start, else now. On a day other than `meeting.date` (the day the first
item started, or today before that) the agenda's clock times are not the plan: ahead and
behind count from the first actual start (or now, before it). That holds for a rehearsal
the evening before (else it would be 813 minutes "behind") and equally for the meeting
itself held on another day: its date was moved, so nothing vouches for its old start
time (a postponed retreat often moves to the afternoon), while counting from the first
start is never absurd and still shows every overrun. Whether such a day is a rehearsal
is an event the stage asks for once (`off_day`, `needs_answer`). Items passed over with
`n` without being started, and skipped items, take no time in the projection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from retreat.meeting.engine import MeetingState, Status
from retreat.meeting.events import Stamp

DAY = 86_400


class When(StrEnum):
    ACTUAL = "actual"  # done: the times it really took
    LIVE = "live"  # the current item, started (running or paused): start actual, end projected
    PROJECTED = "projected"  # still to come
    DROPPED = "dropped"  # skipped, passed over, or left when the meeting ended


@dataclass(frozen=True)
class Slot:
    index: int
    item_id: str
    when: When
    planned_start: float
    planned: int  # seconds, as the agenda says
    limit: int  # seconds, after extensions and shortenings
    start: float | None  # actual or projected; None when dropped
    end: float | None
    elapsed: float  # seconds run so far (pauses excluded)

    @property
    def planned_end(self) -> float:
        return self.planned_start + self.planned

    @property
    def slip(self) -> float | None:
        """Seconds the (projected) start lies after the planned one; negative = early."""
        return None if self.start is None else self.start - self.planned_start

    @property
    def overrun(self) -> float:
        """Seconds run beyond the limit (0 when within it)."""
        return max(0.0, self.elapsed - self.limit)


@dataclass(frozen=True)
class Schedule:
    slots: tuple[Slot, ...]
    planned_start: float
    planned_end: float
    projected_end: float
    started: bool  # has any item been started yet?
    ended: bool

    @property
    def delta(self) -> float:
        """Seconds behind plan (positive) or ahead of it (negative), at the end of the meeting."""
        return self.projected_end - self.planned_end

    def slot(self, index: int) -> Slot:
        return self.slots[index]


def first_start(state: MeetingState) -> float | None:
    starts = [s.started_at for s in state.items if s.started_at is not None]
    return min(starts) if starts else None


def local_day(at: float, utc_offset: int) -> dt.date:
    """The calendar day of an epoch time in the meeting's time zone."""
    return dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + int((at + utc_offset) // DAY))


def held_on(state: MeetingState, now: Stamp, utc_offset: int) -> dt.date:
    """The day the meeting runs: that of its first start, or today before it."""
    actual = first_start(state)
    return local_day(actual if actual is not None else now.at, utc_offset)


def off_day(state: MeetingState, now: Stamp, utc_offset: int) -> bool:
    """Is the meeting running on a day other than its agenda's `meeting.date`?"""
    date = state.agenda.meeting.date
    return date is not None and held_on(state, now, utc_offset) != date


def needs_answer(state: MeetingState, now: Stamp, utc_offset: int) -> bool:
    """Should the stage ask whether this is a rehearsal? On another day, until answered."""
    return state.rehearsal is None and state.ended_at is None and off_day(state, now, utc_offset)


def planned_start(state: MeetingState, now: Stamp, utc_offset: int) -> float:
    """Epoch seconds of the planned start (see the module docstring)."""
    actual = first_start(state)
    anchor = actual if actual is not None else now.at
    start = state.agenda.meeting.start
    if start is None or state.rehearsal or off_day(state, now, utc_offset):
        return anchor
    day_start = (anchor + utc_offset) // DAY * DAY
    return day_start + start.hour * 3600 + start.minute * 60 + start.second - utc_offset


def project(state: MeetingState, now: Stamp, utc_offset: int = 0) -> Schedule:
    """Planned and projected times of every item at `now`."""
    plan_start = planned_start(state, now, utc_offset)
    started = any(s.started_at is not None for s in state.items)
    ended = state.ended_at is not None
    # Before anything has started the meeting can begin no earlier than planned.
    cursor = now.at if started or ended else max(now.at, plan_start)
    slots: list[Slot] = []
    planned_at = plan_start
    for index, item_state in enumerate(state.items):
        timer = item_state.timer
        elapsed = timer.elapsed(now)
        when: When
        start: float | None
        end: float | None
        if item_state.status is Status.DONE:
            when, start, end = When.ACTUAL, item_state.started_at, item_state.ended_at
        elif item_state.status is Status.SKIPPED or ended:
            when, start, end = When.DROPPED, None, None
        elif item_state.active:
            when, start = When.LIVE, item_state.started_at
            end = now.at + max(0.0, timer.limit - elapsed)
            cursor = max(cursor, end)
        elif index < state.current:
            when, start, end = When.DROPPED, None, None  # passed over without being started
        else:
            when, start = When.PROJECTED, cursor
            end = cursor + max(0.0, timer.limit - elapsed)
            cursor = end
        slots.append(
            Slot(
                index=index,
                item_id=item_state.item.id,
                when=when,
                planned_start=planned_at,
                planned=item_state.item.limit,
                limit=timer.limit,
                start=start,
                end=end,
                elapsed=elapsed,
            )
        )
        planned_at += item_state.item.limit
    ends = [s.end for s in slots if s.end is not None]
    if ended and state.ended_at is not None:
        projected_end = state.ended_at
    else:
        projected_end = max([cursor, *ends])
    return Schedule(
        slots=tuple(slots),
        planned_start=plan_start,
        planned_end=planned_at,
        projected_end=projected_end,
        started=started,
        ended=ended,
    )
