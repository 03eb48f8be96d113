"""The scripted demo meeting: the bundled agenda run in simulated time, with no input.

It exercises what a real retreat does: reports on time, one overrunning into its alarm,
one extended by the chair, a pause, talking points ticked, notes, and a laptop crash in
the middle of a report (the session is resumed and the speaker's time kept counting).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from retreat.agenda import Agenda
from retreat.clock import FakeClock
from retreat.engine import Cmd, ItemState
from retreat.i18n import translator
from retreat.session import Session

# Per item: seconds actually spoken, and what happens along the way.
# Keys are item ids of the bundled agendas (zh and en share them).
_SPOKEN = {
    "opening": 170,
    "pgo-report": 400,
    "bdo-report": 465,  # runs over: the alarm fires, repeats, then is silenced
    "leader-zhang": 290,
    "svc-report": 455,  # the chair extends by a minute before time is up
    "sgo-report": 410,
    "break": 585,
    "jus-report": 430,  # the laptop crashes at 3:00 and is back 2 minutes later
    "urb-report": 380,
    "leader-huang": 305,
    "grassroots-qa": 1620,
    "livelihood-vote": 1080,
    "key-task-vote": 840,
    "closing": 540,
}
CRASH_AT, CRASH_FOR = 180, 120


@dataclass(frozen=True)
class Step:
    """One line of the demo's progress view."""

    position: int
    count: int
    item: ItemState
    events: int


def run_demo(agenda: Agenda, session_path: Path, clock: FakeClock | None = None) -> Iterator[Step]:
    clock = clock or FakeClock()
    t = translator(agenda.language).gettext
    session = Session.create(session_path, agenda, clock)
    try:
        for position, planned in enumerate(agenda.items):
            spoken = _SPOKEN.get(planned.id, planned.limit - 30)
            session = _run_item(session, clock, planned.id, spoken, t)
            session.handle(Cmd.NEXT)
            yield Step(position + 1, len(agenda.items), session.state.items[position], session.state.events)
    finally:
        session.close()


def _run_item(
    session: Session, clock: FakeClock, item_id: str, spoken: int, t: Callable[[str], str]
) -> Session:
    state = session.state.item
    session.handle(Cmd.START)
    points = len(state.item.points)
    marks = {round(spoken * (i + 1) / (points + 1)): i for i in range(points)}
    elapsed = 0
    for at in sorted({*marks, spoken, *_extra_moments(item_id)}):
        _advance(session, clock, at - elapsed)
        elapsed = at
        if item_id == "jus-report" and at == CRASH_AT:
            session = _crash_and_resume(session, clock)
            elapsed += CRASH_FOR  # the speaker kept talking while the laptop rebooted
        if item_id == "svc-report" and at == 300:
            session.handle(Cmd.ADJUST, 60)
        if item_id == "bdo-report" and at == 460:
            session.handle(Cmd.SILENCE)
        if item_id == "sgo-report" and at == 200:
            session.handle(Cmd.PAUSE)
            clock.advance(45)  # a projector cable is reseated; the clock is paused
            session.handle(Cmd.RESUME)
        if at in marks:
            session.handle(Cmd.TICK_POINT)
        if item_id == "grassroots-qa" and at == 60:
            session.handle(Cmd.NOTE, t("Representatives were drawn at random; questions below."))
        if item_id == "closing" and at == spoken:
            session.handle(Cmd.NOTE, t("The consensus will be written into this year's work plan."))
    return session


def _extra_moments(item_id: str) -> set[int]:
    return {
        "jus-report": {CRASH_AT},
        "svc-report": {300},
        "bdo-report": {460},
        "sgo-report": {200},
        "grassroots-qa": {60},
    }.get(item_id, set())


def _advance(session: Session, clock: FakeClock, seconds: float) -> None:
    """Let time pass the way the live loop would: wake at each deadline and tick."""
    left = float(seconds)
    while left > 0:
        due = session.seconds_until_due()
        step = left if due is None else min(left, max(due, 0.001))
        clock.advance(step)
        left -= step
        session.tick()


def _crash_and_resume(session: Session, clock: FakeClock) -> Session:
    path = session.path
    session.close()  # the process dies here: nothing more is written
    clock.restart(down_for=CRASH_FOR)
    return Session.resume(path, clock)
