"""What the room's other screens show (the podium timer, the agenda, the stage in a browser),
as plain frozen data: a pure projection of the meeting at one moment.

The stage's snapshot (`retreat.ui.view`) and these screens share the pieces here: the big
digits, the "next" line, the schedule line and the agenda's rows, formatted (and
translated) once, so the terminal and a browser never disagree. Nothing here reads a
clock: `now` is passed in.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retreat.durations import format_clock
from retreat.i18n import N_, _
from retreat.meeting.ballot_box import VoteState, chosen
from retreat.meeting.engine import ItemState, MeetingState, Status
from retreat.meeting.events import Stamp
from retreat.meeting.qa import Question
from retreat.meeting.schedule import Schedule, Slot, When, project
from retreat.meeting.timer import Phase, Timer

if TYPE_CHECKING:
    Chooser = Callable[[dict[str, VoteState], VoteState], "list[str] | None"]

# The states a screen's countdown can be in (the `state` field of every view's event).
READY, RUNNING, PAUSED, WARNING, OVERTIME, ENDED = "ready", "running", "paused", "warning", "overtime", "ended"
STATES = (READY, RUNNING, PAUSED, WARNING, OVERTIME, ENDED)


# --- pieces the stage shares ---------------------------------------------------------------


def local_clock(at: float, offset: int) -> str:
    """HH:MM of an epoch time in the meeting's time zone."""
    return time.strftime("%H:%M", time.gmtime(at + offset))


def timer_digits(timer: Timer, now: Stamp) -> tuple[str, int]:
    """The big digits and the whole seconds elapsed: a countdown, then `+` overtime."""
    if not timer.started:
        return format_clock(timer.limit), 0
    elapsed = timer.elapsed(now)
    remaining = timer.limit - elapsed
    if remaining > 0:
        return format_clock(math.ceil(remaining)), int(elapsed)
    return "+" + format_clock(math.floor(-remaining)), int(elapsed)


def who(state: MeetingState, item: ItemState) -> str:
    parts = [item.item.presenter, state.agenda.department_name(item.item.department or None)]
    return " · ".join(p for p in parts if p)


def next_slot(state: MeetingState, sched: Schedule) -> Slot | None:
    """The next item still to come, with its projected start; None at the end of the meeting."""
    for slot in sched.slots[state.current + 1 :]:
        if slot.when is When.PROJECTED and slot.start is not None:
            return slot
    return None


def next_line(state: MeetingState, sched: Schedule, offset: int) -> str:
    slot = next_slot(state, sched)
    if slot is None or slot.start is None:
        return _("Next: end of the meeting")
    item = state.items[slot.index]
    parts = [f"{slot.index + 1}/{len(state.items)} {item.item.title}", who(state, item)]
    parts.append(_("{limit}, at ~{clock}").format(
        limit=format_clock(item.timer.limit), clock=local_clock(slot.start, offset)
    ))
    return _("Next: {what}").format(what=" · ".join(p for p in parts if p))


def schedule_line(sched: Schedule, offset: int, now: Stamp, rehearsal: bool = False) -> str:
    line = _schedule_status(sched, offset, now)
    if not rehearsal:
        return line
    if sched.started:  # ahead and behind count from the rehearsal's own start, not the agenda's clock
        return _("Rehearsal from {start} · {line}").format(start=local_clock(sched.planned_start, offset), line=line)
    return _("Rehearsal · {line}").format(line=line)


def _schedule_status(sched: Schedule, offset: int, now: Stamp) -> str:
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


@dataclass(frozen=True)
class Row:
    """One line of the overview (and of the agenda page)."""

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


def answering_line(state: MeetingState, question: Question, mode: str) -> str:
    """Who answers (or answered) a question: its department and answerer."""
    department = state.agenda.department_name(question.department)
    answerer = question.answerer
    if not answerer:
        qa = state.agenda.items[state.agenda.index_of(question.item)].qa
        answerer = next((a.name for a in (qa.answerers if qa else [])
                         if state.agenda.department_name(a.department) == department), "")  # fmt: skip
    who = " · ".join(p for p in (department, answerer) if p)
    return _("Answering: {who}").format(who=who) if mode == "answer" else _("Answered by: {who}").format(who=who)


# --- the room's screens ----------------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    """A countdown as a browser counts it on: from `remaining` and the moment it arrived."""

    state: str  # one of STATES
    remaining: float  # seconds; negative in overtime
    limit: int  # seconds, with the minutes given with + and -
    warning: int  # the warning comes when `remaining` falls to this
    running: bool  # is it counting down right now (a page counts on only then)
    alarm: bool  # running in overtime with the alarm not silenced: the screen flashes
    digits: str  # as the stage draws them: `07:00`, `+01:23`

    def fields(self) -> dict[str, object]:
        return {"state": self.state, "remaining": round(self.remaining, 2), "limit": self.limit,
                "warning": self.warning, "running": self.running, "alarm": self.alarm, "digits": self.digits}


def countdown(timer: Timer, now: Stamp, *, paused: bool = False, ended: bool = False) -> Countdown:
    phase = timer.phase(now)
    remaining = timer.remaining(now)
    if ended:
        state = ENDED
    elif not timer.started:
        state = READY
    elif paused or not timer.running:
        state = PAUSED
    elif phase is Phase.OVERTIME:
        state = OVERTIME
    elif phase is Phase.WARNING:
        state = WARNING
    else:
        state = RUNNING
    return Countdown(
        state=state, remaining=remaining, limit=timer.limit, warning=timer.warning_for_limit(),
        running=timer.running and not ended, alarm=state == OVERTIME and not timer.silenced,
        digits=timer_digits(timer, now)[0],
    )


@dataclass(frozen=True)
class Upcoming:
    item: str
    title: str
    presenter: str
    at: str  # projected start, HH:MM
    limit: str


@dataclass(frozen=True)
class Chosen:
    """A revealed vote's chosen items."""

    item: str
    title: str
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class Room:
    meeting: str
    item: str  # the current item's agenda id
    kind: str
    title: str
    presenter: str  # presenter · department
    position: int
    count: int
    timer: Countdown  # the current item's countdown
    answer: Countdown | None  # during Q&A, the answer's countdown (the podium shows it then)
    answering: str  # during Q&A, who answers: "Answering: department · answerer"
    message: str | None  # the facilitator's message to the speaker
    next: Upcoming | None
    next_line: str
    schedule: str  # ahead/behind plan and the projected end, as the stage says it
    planned_end: str
    projected_end: str
    behind: int  # minutes behind plan at the end (negative: ahead)
    ended: bool
    rehearsal: bool
    rows: tuple[Row, ...]
    chosen: tuple[Chosen, ...]
    time_of_day: str

    def fields(self, *, agenda: bool = False) -> dict[str, object]:
        """The event every view's stream sends (`agenda`: with the rows and the chosen items)."""
        up = self.next
        data: dict[str, object] = {
            "item": self.item, "title": self.title, **self.timer.fields(), "message": self.message,
            "presenter": self.presenter, "kind": self.kind, "position": self.position, "count": self.count,
            "meeting": self.meeting, "ended": self.ended, "time": self.time_of_day,
            "answer": self.answer.fields() if self.answer is not None else None, "answering": self.answering,
            "next": None if up is None else {"item": up.item, "title": up.title, "presenter": up.presenter,
                                             "at": up.at, "limit": up.limit},
            "next_line": self.next_line, "schedule": self.schedule, "planned_end": self.planned_end,
            "projected_end": self.projected_end, "behind": self.behind,
        }
        if agenda:
            data["rows"] = [{"number": r.number, "title": r.title, "presenter": r.presenter,
                             "planned_start": r.planned_start, "planned": r.planned, "actual": r.actual,
                             "start": r.start, "slip": r.slip, "state": r.state, "current": r.current,
                             "overrun": r.overrun} for r in self.rows]
            data["chosen"] = [{"item": c.item, "title": c.title, "chosen": list(c.chosen)} for c in self.chosen]
        return data


def room(state: MeetingState, now: Stamp, utc_offset: int, *, choose: Chooser = chosen) -> Room:
    """Everything the room's screens show at `now`. `choose` counts a revealed vote's chosen
    items (a caching one saves recounting a closed vote at every update)."""
    item = state.item
    ended = state.ended_at is not None
    sched = project(state, now, utc_offset)
    answer, answering = None, ""
    question = state.qa.questions.get(state.qa.answering) if state.qa.answering is not None else None
    if item.item.kind == "qa" and not ended and question is not None and state.qa.answer_timer is not None:
        answer = countdown(state.qa.answer_timer, now)
        answering = answering_line(state, question, "answer")
    up = next_slot(state, sched) if not ended else None
    upcoming = None
    if up is not None and up.start is not None:
        nxt = state.items[up.index]
        upcoming = Upcoming(nxt.item.id, nxt.item.title, who(state, nxt), local_clock(up.start, utc_offset),
                            format_clock(nxt.timer.limit))
    return Room(
        meeting=state.agenda.meeting.title,
        item=item.item.id,
        kind=item.item.kind,
        title=item.item.title,
        presenter=who(state, item),
        position=state.current + 1,
        count=len(state.items),
        timer=countdown(item.timer, now, paused=item.status is Status.PAUSED,
                        ended=ended or item.status in (Status.DONE, Status.SKIPPED)),
        answer=answer,
        answering=answering,
        message=state.speaker_message,
        next=upcoming,
        next_line=next_line(state, sched, utc_offset) if not ended else "",
        schedule=schedule_line(sched, utc_offset, now, state.rehearsal is True),
        planned_end=local_clock(sched.planned_end, utc_offset),
        projected_end=local_clock(sched.projected_end, utc_offset),
        behind=round(sched.delta / 60),
        ended=ended,
        rehearsal=state.rehearsal is True,
        rows=overview_rows(state, sched, utc_offset),
        chosen=chosen_items(state, choose),
        time_of_day=local_clock(now.at, utc_offset),
    )


def chosen_items(state: MeetingState, choose: Chooser = chosen) -> tuple[Chosen, ...]:
    """Every vote whose result was revealed overall, with the items it chose (once settled)."""
    found = []
    for item_state in state.items:
        vote = state.votes.get(item_state.item.id)
        if vote is None or vote.seed is None:
            continue
        titles = choose(state.votes, vote)
        if titles is not None:
            found.append(Chosen(item_state.item.id, item_state.item.title, tuple(titles)))
    return tuple(found)
