from __future__ import annotations

import pytest

from retreat.agenda import Agenda
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd, Status
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session
from retreat.meeting.timer import Phase


def kinds(events: list) -> list[EventKind]:
    return [e.kind for e in events]


def run_for(session: Session, clock: FakeClock, seconds: float) -> list:
    """Advance like the live loop: wake at each deadline, tick, collect events."""
    fired: list = []
    left = seconds
    while left > 0:
        due = session.seconds_until_due()
        step = left if due is None else min(left, max(due, 0.001))
        clock.advance(step)
        left -= step
        fired += session.tick()
    return fired


def test_warning_then_overtime_then_repeats_at_the_configured_interval(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.NEXT)  # r2: 90 s, warning 30 s, alarm every 20 s
    session.handle(Cmd.START)
    fired = run_for(session, clock, 59)
    assert fired == []
    fired = run_for(session, clock, 1)
    assert kinds(fired) == [EventKind.WARNING_REACHED]
    fired = run_for(session, clock, 30)
    assert kinds(fired) == [EventKind.TIME_UP]
    fired = run_for(session, clock, 45)
    assert kinds(fired) == [EventKind.ALARM_REPEATED, EventKind.ALARM_REPEATED]
    assert [e.data["count"] for e in fired] == [2, 3]
    assert [round(e.stamp.mono - fired[0].stamp.mono) for e in fired] == [0, 20]


def test_silence_stops_repeats_for_this_item(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    run_for(session, clock, 121)
    session.handle(Cmd.SILENCE)
    assert run_for(session, clock, 300) == []
    with pytest.raises(CommandRefused):
        session.handle(Cmd.SILENCE)


def test_pause_and_extend_arithmetic(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    clock.advance(50)
    session.handle(Cmd.PAUSE)
    clock.advance(600)  # paused time does not count
    session.handle(Cmd.RESUME)
    clock.advance(20)
    session.handle(Cmd.ADJUST, 60)
    session.handle(Cmd.ADJUST, -30)
    timer = session.state.item.timer
    assert timer.elapsed(session.stamp()) == 70
    assert timer.limit == 150
    assert timer.remaining(session.stamp()) == 80
    assert session.state.item.pauses == 1


def test_toggle_starts_pauses_and_resumes(session: Session) -> None:
    assert kinds(session.handle(Cmd.TOGGLE)) == [EventKind.ITEM_STARTED]
    assert kinds(session.handle(Cmd.TOGGLE)) == [EventKind.ITEM_PAUSED]
    assert kinds(session.handle(Cmd.TOGGLE)) == [EventKind.ITEM_RESUMED]
    assert session.state.item.status is Status.RUNNING


def test_next_ends_the_running_item_and_moves_on_without_starting(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    clock.advance(100)
    events = session.handle(Cmd.NEXT)
    assert kinds(events) == [EventKind.ITEM_ENDED, EventKind.CURRENT_CHANGED]
    first, second = session.state.items[0], session.state.items[1]
    assert first.status is Status.DONE and first.timer.closed == 100
    assert session.state.current == 1 and second.status is Status.PENDING


def test_previous_and_restarting_a_done_item_accumulates(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    clock.advance(30)
    session.handle(Cmd.NEXT)
    session.handle(Cmd.PREVIOUS)
    session.handle(Cmd.START)
    clock.advance(15)
    session.handle(Cmd.END)
    assert session.state.items[0].timer.closed == 45
    with pytest.raises(CommandRefused):
        session.handle(Cmd.PREVIOUS)


def test_skip_marks_a_pending_item_skipped(session: Session) -> None:
    events = session.handle(Cmd.SKIP)
    assert kinds(events) == [EventKind.ITEM_SKIPPED, EventKind.CURRENT_CHANGED]
    assert session.state.items[0].status is Status.SKIPPED


def test_next_on_the_last_item_ends_the_meeting(session: Session, short_agenda: Agenda) -> None:
    session.handle(Cmd.GOTO, short_agenda.items[-1].id)
    session.handle(Cmd.START)
    events = session.handle(Cmd.NEXT)
    assert kinds(events) == [EventKind.ITEM_ENDED, EventKind.MEETING_ENDED]
    with pytest.raises(CommandRefused):
        session.handle(Cmd.START)
    session.handle(Cmd.NOTE, "会后补记")  # notes and approval still allowed


def test_talking_points_tick_in_order_or_by_index(session: Session) -> None:
    session.handle(Cmd.NEXT)
    session.handle(Cmd.TICK_POINT, 1)
    session.handle(Cmd.TICK_POINT)
    assert session.state.item.ticked == [1, 0]
    with pytest.raises(CommandRefused):
        session.handle(Cmd.TICK_POINT)
    with pytest.raises(CommandRefused):
        session.handle(Cmd.TICK_POINT, 7)


@pytest.mark.parametrize(
    ("command", "value"),
    [
        (Cmd.PAUSE, None),
        (Cmd.RESUME, None),
        (Cmd.END, None),
        (Cmd.SILENCE, None),
        (Cmd.ADJUST, 0),
        (Cmd.ADJUST, -600),
        (Cmd.NOTE, "   "),
        (Cmd.GOTO, "nope"),
        (Cmd.APPROVE, ""),
    ],
)
def test_nonsense_commands_are_refused_and_write_nothing(session: Session, command: Cmd, value: object) -> None:
    before = session.state.events
    with pytest.raises(CommandRefused):
        session.handle(command, value)
    assert session.state.events == before


def test_phase_is_visible_from_state(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    timer = session.state.item.timer
    clock.advance(61)
    assert timer.phase(session.stamp()) is Phase.WARNING
    clock.advance(60)
    assert timer.phase(session.stamp()) is Phase.OVERTIME


def test_a_long_sleep_fires_warning_and_time_up_once_not_every_missed_repeat(
    session: Session, clock: FakeClock
) -> None:
    session.handle(Cmd.START)
    clock.advance(120 + 95)  # laptop lid closed past the end
    events = session.tick()
    assert kinds(events) == [EventKind.WARNING_REACHED, EventKind.TIME_UP]
    assert events[1].data["count"] == 4
    assert session.tick() == []
    assert session.seconds_until_due() == pytest.approx(25)


# --- the facilitator's messages to the speaker ----------------------------------------------


def test_a_message_to_the_speaker_is_an_event_and_stays_until_cleared(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    events = session.handle(Cmd.MESSAGE, 2)
    assert kinds(events) == [EventKind.SPEAKER_MESSAGE_SENT]
    assert dict(events[0].data) == {"item": session.state.item.item.id, "key": 2, "text": "请总结"}
    assert session.state.speaker_message == "请总结"
    clock.advance(30)
    session.handle(Cmd.MESSAGE, 3)  # another replaces it
    assert session.state.speaker_message == "时间到，请结束"
    assert kinds(session.handle(Cmd.MESSAGE, 0)) == [EventKind.SPEAKER_MESSAGE_CLEARED]
    assert session.state.speaker_message is None
    assert session.state.item.messages == 2  # a clearing is not a message
    with pytest.raises(CommandRefused, match="no message is shown"):
        session.handle(Cmd.MESSAGE, 0)
    with pytest.raises(CommandRefused, match="no message 4"):
        session.handle(Cmd.MESSAGE, 4)


def test_the_next_item_clears_the_message_and_counts_its_own(session: Session) -> None:
    session.handle(Cmd.START)
    session.handle(Cmd.MESSAGE, 1)
    session.handle(Cmd.NEXT)
    assert session.state.speaker_message is None
    assert [s.messages for s in session.state.items][:2] == [1, 0]
    session.handle(Cmd.MESSAGE, 1)
    session.handle(Cmd.PREVIOUS)  # going back does not bring the old one back
    assert session.state.speaker_message is None
    assert [s.messages for s in session.state.items][:2] == [1, 1]
