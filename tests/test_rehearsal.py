"""Rehearsals (issue 12 §7): run on a day other than `meeting.date`, the stage asks once whether
this is a rehearsal; the answer is an event; ahead and behind then count from the first actual
start, not from the agenda's clock on another day (which read `813 min behind plan` the evening
before); the minutes of a rehearsal say so. All on a fake clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat import minutes
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.meeting.schedule import held_on, needs_answer, off_day, project
from retreat.meeting.session import Session, load

START = 1_767_832_200.0  # 2026-01-08 08:30 in Beijing: the short agenda's date and start
OFFSET = 8 * 3600
EVE = START - (10 * 3600 + 27 * 60)  # 2026-01-07 22:03: the evening before
LATER = START + 2 * 86_400 + 5.5 * 3600  # 2026-01-10 14:00: the meeting itself, postponed
SHORT_TEXT = (Path(__file__).parent / "data" / "agendas" / "short.yaml").read_text(encoding="utf-8")


def sched(session: Session):
    return project(session.state, session.stamp(), OFFSET)


@pytest.fixture
def eve(tmp_path: Path, short_agenda):
    clock = FakeClock(start_wall=EVE)
    with Session.create(tmp_path / "eve.retreat", short_agenda, clock) as session:
        yield session, clock


def test_the_evening_before_is_another_day_and_asks(eve):
    session, _clock = eve
    stamp = session.stamp()
    assert str(held_on(session.state, stamp, OFFSET)) == "2026-01-07"
    assert off_day(session.state, stamp, OFFSET) and needs_answer(session.state, stamp, OFFSET)


def test_the_answer_is_one_event_and_is_asked_once(eve):
    session, _clock = eve
    events = session.handle(Cmd.REHEARSAL, True)
    assert [e.kind for e in events] == [EventKind.REHEARSAL_ANSWERED]
    assert events[0].data == {"rehearsal": True}
    assert session.state.rehearsal is True and session.state.rehearsal_at == EVE
    assert not needs_answer(session.state, session.stamp(), OFFSET)
    with pytest.raises(CommandRefused, match="already been answered"):
        session.handle(Cmd.REHEARSAL, False)


def test_a_rehearsal_counts_ahead_and_behind_from_its_first_start(eve):
    session, clock = eve
    session.handle(Cmd.REHEARSAL, True)
    clock.advance(120)  # the room settles: 22:05
    session.handle(Cmd.START)
    clock.advance(60)
    s = sched(session)
    assert s.planned_start == EVE + 120 and s.delta == 0  # not 813 minutes behind 08:30
    clock.advance(90)  # 30 s over the 2-minute limit
    assert sched(session).delta == 30
    session.handle(Cmd.NEXT)
    session.handle(Cmd.START)
    s = sched(session)
    assert s.slots[1].planned_start == EVE + 240 and s.slots[1].slip == 30


def test_before_the_answer_another_day_is_not_hours_behind(eve):
    session, clock = eve
    clock.advance(300)
    s = sched(session)
    assert s.planned_start == EVE + 300 and s.delta == 0
    session.handle(Cmd.START)  # started without an answer (the core does not insist)
    clock.advance(60)
    assert sched(session).delta == 0


def test_the_answer_and_the_counting_survive_a_replay(tmp_path: Path, short_agenda):
    clock = FakeClock(start_wall=EVE)
    path = tmp_path / "eve.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.REHEARSAL, True)
        session.handle(Cmd.START)
        clock.advance(100)
        before = sched(session)
    clock.restart(down_for=11 * 3600)  # resumed the next morning: the meeting's own date
    with Session.resume(path, clock) as resumed:
        assert resumed.state.rehearsal is True
        assert not needs_answer(resumed.state, resumed.stamp(), OFFSET)
        after = sched(resumed)
        assert after.planned_start == before.planned_start == EVE  # still its own first start
    assert load(path).state.rehearsal is True


def test_the_meeting_itself_postponed_counts_from_its_first_start(tmp_path: Path, short_agenda):
    # Its date moved, so nothing vouches for 08:30: held at 14:00, it is not 330 min behind.
    clock = FakeClock(start_wall=LATER)
    with Session.create(tmp_path / "late.retreat", short_agenda, clock) as session:
        assert needs_answer(session.state, session.stamp(), OFFSET)
        session.handle(Cmd.REHEARSAL, False)
        assert session.state.rehearsal is False and not needs_answer(session.state, session.stamp(), OFFSET)
        session.handle(Cmd.START)
        clock.advance(150)
        s = sched(session)
        assert s.planned_start == LATER and s.delta == 30


def test_on_its_own_date_nothing_is_asked_and_the_agenda_clock_holds(session, clock):
    assert not off_day(session.state, session.stamp(), OFFSET)
    assert not needs_answer(session.state, session.stamp(), OFFSET)
    clock.advance(300)
    session.handle(Cmd.START)
    assert sched(session).planned_start == START and sched(session).delta == 300


def test_a_meeting_started_on_its_date_and_resumed_after_midnight_is_not_asked(tmp_path: Path, short_agenda):
    clock = FakeClock(start_wall=START + 15 * 3600)  # 23:30 on the day
    path = tmp_path / "late-night.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.START)
    clock.restart(down_for=3600)
    with Session.resume(path, clock) as resumed:
        assert not needs_answer(resumed.state, resumed.stamp(), OFFSET)


def test_an_agenda_without_a_date_never_asks(tmp_path: Path):
    agenda = agenda_mod.loads(SHORT_TEXT.replace("  date: 2026-01-08\n", ""))
    clock = FakeClock(start_wall=EVE)
    with Session.create(tmp_path / "s.retreat", agenda, clock) as session:
        assert not off_day(session.state, session.stamp(), OFFSET)
        assert not needs_answer(session.state, session.stamp(), OFFSET)


def test_an_ended_meeting_is_not_asked(eve):
    session, _clock = eve
    session.handle(Cmd.END_MEETING)
    assert not needs_answer(session.state, session.stamp(), OFFSET)
    with pytest.raises(CommandRefused):
        session.handle(Cmd.REHEARSAL, True)


@pytest.mark.slow
def test_the_demo_runs_on_its_meetings_date_so_it_is_no_rehearsal(tmp_path: Path):
    """`retreat demo` runs on a FakeClock set to the bundled agenda's date and start: it is the
    meeting, never asked, and its minutes (the golden files) are not marked."""
    from retreat.demo import run_demo
    from retreat.paths import bundled_agenda

    for lang in ("zh-CN", "en"):
        agenda = agenda_mod.load(bundled_agenda(lang))
        clock = FakeClock()
        with Session.create(tmp_path / f"probe-{lang}.retreat", agenda, clock) as probe:
            assert not off_day(probe.state, probe.stamp(), clock.utc_offset())
        path = tmp_path / f"demo-{lang}.retreat"
        for _step in run_demo(agenda, path):
            pass
        record = load(path)
        assert record.state.rehearsal is None
        context = minutes.build_context(record)
        assert context["meeting"]["rehearsal"] is False


def _minutes(tmp_path: Path, short_agenda, wall: float, rehearsal: bool, lang: str) -> str:
    clock = FakeClock(start_wall=wall)
    path = tmp_path / f"m-{rehearsal}-{lang}.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.REHEARSAL, rehearsal)
        session.handle(Cmd.START)
        clock.advance(100)
        session.handle(Cmd.END_MEETING)
    return minutes.render(load(path), lang=lang)


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_the_minutes_of_a_rehearsal_say_so_in_their_title_and_date(tmp_path: Path, short_agenda):
    zh = _minutes(tmp_path, short_agenda, EVE, True, "zh-CN")
    title = zh.splitlines()[0]
    assert title.startswith("# ") and "彩排" in title and "会议纪要" not in title
    assert "2026年1月7日 22:03" in zh  # the day it really ran, not the agenda's 1月8日
    en = _minutes(tmp_path, short_agenda, EVE, True, "en")
    assert "Rehearsal" in en.splitlines()[0] and "7 January 2026 22:03" in en


def test_the_minutes_of_the_meeting_held_on_another_day_are_minutes_of_that_day(tmp_path: Path, short_agenda):
    zh = _minutes(tmp_path, short_agenda, LATER, False, "zh-CN")
    assert "彩排" not in zh and "Rehearsal" not in zh
    assert "2026年1月10日 14:00" in zh
