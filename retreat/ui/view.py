"""What the stage shows, as plain frozen data: a snapshot of the meeting at one moment.

The run loop compares consecutive views: equal views draw identical frames, so the
screen is only repainted when something the room can see has changed. Every text is
already formatted (and translated) here; the renderers in `stage` and `overview` only
lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from retreat.agenda import KIND_LABELS
from retreat.durations import format_clock
from retreat.i18n import _, ngettext
from retreat.meeting.engine import ItemState, MeetingState, Status
from retreat.meeting.events import Stamp
from retreat.meeting.qa import Question, accepted
from retreat.meeting.room import (
    Row as Row,  # the overview draws these rows
)
from retreat.meeting.room import (
    answering_line,
    local_clock,
    next_line,
    overview_rows,
    schedule_line,
    timer_digits,
    who,
)
from retreat.meeting.schedule import project
from retreat.meeting.timer import Phase, Timer

if TYPE_CHECKING:
    from retreat.ui.vote_view import VoteView



@dataclass(frozen=True)
class Point:
    text: str
    ticked: bool
    next: bool  # the one `t` ticks


@dataclass(frozen=True)
class QAView:
    """The Q&A segment: who was drawn, what was asked, who answers, how long is left."""

    mode: str  # "draw" (nobody waiting), "ask" (the drawn asker has not asked yet), "answer"
    asker: str
    area: str
    ordinal: str  # "Asker 2 of 4"
    question: str  # "Question 3: ..."
    answering: str  # "Answering: department · answerer"
    result: str  # how the last answer went
    hint: str  # what to press now
    clock: str  # the answer countdown, while an answer runs
    phase: Phase  # of the answer countdown
    segment: str  # the segment's own countdown, small
    segment_phase: Phase
    tally: str
    phones: str = ""  # "2 phone questions accepted: press m", while any wait
    pending: str = ""  # "3 questions from phones wait for a decision on the desk page"


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
    qa: QAView | None = None  # on a Q&A item: the asker, the question, the answer countdown
    vote: VoteView | None = None  # on a vote item: the vote screen (see ui/vote_entry)
    join: bool = False  # `j`: the screen that shows phones how to join (see ui/join)
    rehearsal: str = ""  # "Rehearsal" (translated) in a rehearsal: the header, footer and overview say so
    speaker: str = ""  # the facilitator's message to the speaker (keys 1-3), top right until 0 or the next item

    @property
    def alert(self) -> bool:
        return self.phase is Phase.OVERTIME


def signed_minutes(seconds: float) -> str:
    return format_clock(seconds) if seconds >= 0 else "-" + format_clock(seconds)


def display_seconds(state: ItemState, now: Stamp) -> tuple[str, int]:
    """The big digits and the whole seconds elapsed: a countdown, then `+` overtime."""
    return timer_digits(state.timer, now)


def flash_lit(state: ItemState, now: Stamp) -> bool:
    """The flash runs while an unsilenced alarm is due: running, in overtime."""
    return timer_flash(state.timer, now)


def timer_flash(timer: Timer | None, now: Stamp) -> bool:
    from retreat.ui.alarm import flash_on

    if timer is None:
        return False
    if not timer.running or timer.silenced or timer.phase(now) is not Phase.OVERTIME:
        return False
    return flash_on(timer.elapsed(now) - timer.limit)


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


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


def snapshot(
    state: MeetingState,
    now: Stamp,
    utc_offset: int,
    *,
    message: str = "",
    overview: bool = False,
    join: bool = False,
) -> View:
    """Everything the stage shows at `now`, formatted."""
    item = state.item
    sched = project(state, now, utc_offset)
    phase = item.timer.phase(now)
    digits, elapsed = display_seconds(item, now)
    ended = state.ended_at is not None
    rehearsal = state.rehearsal is True
    return View(
        position=state.current + 1,
        count=len(state.items),
        kind=kind_label(item.item.kind),
        title=item.item.title,
        who=who(state, item),
        phase=phase,
        status=item.status,
        clock=digits,
        flash=flash_lit(item, now) or (item.item.kind == "qa" and timer_flash(state.qa.answer_timer, now)),
        elapsed=elapsed,
        limit=item.timer.limit,
        adjusted=item.timer.adjusted,
        caption=_("The meeting has ended. Press q to leave.") if ended else caption(item, phase),
        points=points(item),
        next=next_line(state, sched, utc_offset),
        schedule=schedule_line(sched, utc_offset, now, rehearsal),
        time_of_day=local_clock(now.at, utc_offset),
        message=message,
        ended=ended,
        meeting=state.agenda.meeting.title,
        overview=overview_rows(state, sched, utc_offset) if overview else None,
        overview_title=_("Agenda: planned and actual") if overview else "",
        qa=qa_view(state, now) if item.item.kind == "qa" and not ended else None,
        join=join,
        rehearsal=_("Rehearsal") if rehearsal else "",
        speaker=state.speaker_message or "",
    )


def qa_view(state: MeetingState, now: Stamp) -> QAView:
    """The Q&A segment as the room sees it (see `QAView`)."""
    from retreat.agenda import qa_representatives

    item, qa = state.item, state.qa
    reps = qa_representatives(state.agenda, item.item)
    areas = {r.name: r.area for r in reps}
    drawn = qa.drawn.get(item.item.id, [])
    asked = [q for q in qa.asked(item.item.id) if not q.withdrawn]
    current = qa.questions.get(qa.answering) if qa.answering is not None else None
    phone = qa.proposals.get(qa.drawn_phone.get(item.item.id, 0)) if current is None else None
    asker = current.asker if current else (_("A question from a phone") if phone else (drawn[-1] if drawn else ""))
    if current is None and asker and phone is None:
        current = next((q for q in reversed(asked) if q.asker == asker), None)
    mode = "answer" if qa.answering is not None else ("ask" if asker and current is None else "draw")
    timer = qa.answer_timer
    clock = timer_digits(timer, now)[0] if timer is not None else ""
    segment_clock = timer_digits(item.timer, now)[0]
    follow = sum(1 for q in asked if q.followup is not None)
    total = len(qa.orders.get(item.item.id, ([], None))[0]) or len(reps)
    return QAView(
        mode=mode,
        asker=asker,
        area=current.area if current else areas.get(asker, ""),
        ordinal=_("Asker {n} of {total}").format(n=len(drawn), total=total) if drawn and not phone else "",
        question=(_("Question {n}: {text}").format(n=current.qid, text=current.text) if current
                  else phone.text if phone else ""),
        answering=answering_line(state, current, mode) if current else "",
        result=_result(state, current) if current and current.answered else "",
        hint=(_("Press k to put this phone question to the room.") if phone and mode == "ask"
              else _qa_hint(mode, asker, len(drawn) < total or bool(accepted(qa)), timer, now)),
        clock=clock,
        phase=timer.phase(now) if timer is not None else Phase.IDLE,
        segment=_("Segment {clock}").format(clock=segment_clock),
        segment_phase=item.timer.phase(now),
        tally=_("{asked} asked · {follow} to follow up · {left} of {total} still to draw").format(
            asked=len(asked), follow=follow, left=total - len(drawn), total=total
        ),
        phones=_phones_waiting(len(accepted(qa))),
        pending=_phones_pending(sum(1 for p in qa.proposals.values() if p.status == "proposed")),
    )


def _phones_waiting(n: int) -> str:
    if not n:
        return ""
    return ngettext("{n} phone question accepted: press m to put it to the room",
                         "{n} phone questions accepted: press m to put one to the room", n).format(n=n)


def _phones_pending(n: int) -> str:
    if not n:
        return ""
    return ngettext("{n} question from phones waits for a decision on the desk page",
                    "{n} questions from phones wait for a decision on the desk page", n).format(n=n)


def _result(state: MeetingState, question: Question) -> str:
    from retreat.meeting.qa import OUTCOME_LABELS, SATISFACTION_LABELS

    parts = [_(OUTCOME_LABELS.get(question.outcome or "", question.outcome or ""))]
    if question.followup is not None:
        parts.append(_("{owner} by {due}").format(
            owner=state.agenda.department_name(question.followup.owner), due=question.followup.due
        ))
    if question.satisfaction:
        parts.append(_(SATISFACTION_LABELS.get(question.satisfaction, question.satisfaction)))
    return " · ".join(parts)


def _qa_hint(mode: str, asker: str, more: bool, timer: Timer | None, now: Stamp) -> str:
    if mode == "answer":
        phase = timer.phase(now) if timer is not None else Phase.ON_TIME
        if phase is Phase.OVERTIME and timer is not None and not timer.silenced:
            return _("ANSWER TIME IS UP. Press a to silence the alarm, r to record the answer.")
        if phase is Phase.OVERTIME:
            return _("Answer overtime (alarm silenced). Press r to record the answer.")
        if phase is Phase.WARNING:
            return _("Answer time is almost up. Press r to record the answer.")
        return _("Press r to record the answer.")
    if mode == "ask":
        return _("Press k to record the question of {asker}.").format(asker=asker)
    if more:
        return _("Press d to draw the next asker.")
    return _("Every invited representative has been drawn.")
