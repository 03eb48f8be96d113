"""The projected schedule: actual times for what is done, overruns pushing what follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.schedule import When, planned_start, project
from retreat.meeting.session import Session

# FakeClock's default wall time is 2026-01-08 08:30 in Beijing (UTC+8), the short
# agenda's planned start; its items plan 120 + 90 + 180 + 120 = 510 s.
START = 1_767_832_200.0
OFFSET = 8 * 3600
TOTAL = 510


def sched(session: Session):
    return project(session.state, session.stamp(), OFFSET)


def test_before_the_start_everything_is_planned(session):
    s = sched(session)
    assert s.planned_start == START and s.planned_end == START + TOTAL
    assert s.projected_end == START + TOTAL and s.delta == 0
    assert [slot.when for slot in s.slots] == [When.PROJECTED] * 4
    assert [slot.start for slot in s.slots] == [START, START + 120, START + 210, START + 390]
    assert [slot.slip for slot in s.slots] == [0, 0, 0, 0]
    assert not s.started and not s.ended


def test_early_the_meeting_still_starts_as_planned(tmp_path, short_agenda):
    clock = FakeClock(start_wall=START - 600)
    with Session.create(tmp_path / "s.retreat", short_agenda, clock) as session:
        s = sched(session)
        assert s.slots[0].start == START and s.delta == 0


def test_a_late_start_pushes_everything(session, clock):
    clock.advance(300)
    s = sched(session)
    assert s.delta == 300
    assert [slot.slip for slot in s.slots] == [300] * 4


def test_an_item_on_time_projects_its_limit(session, clock):
    session.handle(Cmd.START)
    clock.advance(60)
    s = sched(session)
    first = s.slots[0]
    assert first.when is When.LIVE and first.start == START and first.end == START + 120
    assert first.elapsed == 60 and first.overrun == 0
    assert s.delta == 0


def test_an_overrun_pushes_every_later_item(session, clock):
    session.handle(Cmd.START)
    clock.advance(150)
    s = sched(session)
    assert s.slots[0].end == START + 150 and s.slots[0].overrun == 30
    assert [slot.slip for slot in s.slots[1:]] == [30, 30, 30]
    assert s.delta == 30 and s.projected_end == START + TOTAL + 30


def test_a_pause_costs_wall_time(session, clock):
    session.handle(Cmd.START)
    clock.advance(30)
    session.handle(Cmd.PAUSE)
    clock.advance(100)
    s = sched(session)
    assert s.slots[0].when is When.LIVE and s.slots[0].elapsed == 30
    assert s.slots[0].end == START + 130 + 90
    assert s.delta == 100


def test_finishing_early_brings_the_rest_forward(session, clock):
    session.handle(Cmd.START)
    clock.advance(90)
    session.handle(Cmd.NEXT)
    s = sched(session)
    done = s.slots[0]
    assert done.when is When.ACTUAL and (done.start, done.end) == (START, START + 90)
    assert s.slots[1].start == START + 90
    assert s.delta == -30


def test_an_extension_pushes_the_rest(session, clock):
    session.handle(Cmd.START)
    session.handle(Cmd.ADJUST, 60)
    s = sched(session)
    assert s.slots[0].limit == 180 and s.slots[0].planned == 120
    assert s.slots[1].slip == 60 and s.delta == 60


def test_skipped_and_passed_over_items_take_no_time(session, clock):
    session.handle(Cmd.NEXT)  # r1 passed over without being started
    session.handle(Cmd.SKIP)  # r2 skipped
    s = sched(session)
    assert [slot.when for slot in s.slots] == [When.DROPPED, When.DROPPED, When.PROJECTED, When.PROJECTED]
    assert s.slots[0].start is None and s.slots[1].end is None
    assert s.slots[2].start == START
    assert s.delta == -210


def test_a_finished_meeting_ends_when_it_ended(session, clock):
    session.handle(Cmd.START)
    clock.advance(100)
    session.handle(Cmd.END_MEETING)
    clock.advance(1000)
    s = sched(session)
    assert s.ended and s.projected_end == START + 100
    assert [slot.when for slot in s.slots] == [When.ACTUAL] + [When.DROPPED] * 3


def test_going_back_keeps_actual_times_and_projects_from_now(session, clock):
    session.handle(Cmd.START)
    clock.advance(100)
    session.handle(Cmd.NEXT)
    clock.advance(10)
    session.handle(Cmd.PREVIOUS)
    s = sched(session)
    assert s.slots[0].when is When.ACTUAL
    assert s.slots[1].when is When.PROJECTED and s.slots[1].start == START + 110


def test_downtime_after_a_crash_counts_against_the_running_item(tmp_path, short_agenda):
    clock = FakeClock()
    path = tmp_path / "s.retreat"
    session = Session.create(path, short_agenda, clock)
    session.handle(Cmd.START)
    clock.advance(60)
    session.close()
    clock.restart(down_for=120)
    with Session.resume(path, clock) as resumed:
        s = sched(resumed)
        assert s.slots[0].elapsed == 180 and s.slots[0].end == START + 180
        assert s.delta == 60


AGENDA_WITHOUT_START = """
version: 1
meeting: {title: t, language: en}
items:
  - {id: a, kind: report, title: A, limit: 2m}
  - {id: b, kind: remarks, title: B, limit: 1m}
"""


def test_without_a_planned_start_the_first_actual_start_is_the_plan(tmp_path: Path):
    agenda = agenda_mod.loads(AGENDA_WITHOUT_START)
    clock = FakeClock()
    with Session.create(tmp_path / "s.retreat", agenda, clock) as session:
        clock.advance(500)
        assert sched(session).planned_start == START + 500 and sched(session).delta == 0
        session.handle(Cmd.START)
        clock.advance(100)
        s = sched(session)
        assert s.planned_start == START + 500
        assert s.delta == 0  # the first item is still within its limit
        clock.advance(50)
        assert sched(session).delta == 30


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (START - 1.5 * 3600, START),  # 07:00 in Beijing is still the previous day in UTC
        (START + 12 * 3600, START),  # 20:30 the same day
        (START + 20 * 3600, START + 20 * 3600),  # 04:30 the next day, not the meeting's: from now
        (START - 10 * 3600, START - 10 * 3600),  # 22:30 the evening before: from now, not 14 h behind
    ],
)
def test_the_planned_start_is_on_the_meetings_date(tmp_path, short_agenda, wall, expected):
    clock = FakeClock(start_wall=wall)
    with Session.create(tmp_path / "s.retreat", short_agenda, clock) as session:
        assert planned_start(session.state, session.stamp(), OFFSET) == expected


SHORT_TEXT = (Path(__file__).parent / "data" / "agendas" / "short.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("wall", "expected"),
    [
        (START - 1.5 * 3600, START),  # 07:00 in Beijing is still the previous day in UTC
        (START + 20 * 3600, START + 86_400),  # 04:30 the next day: the plan is that day's
    ],
)
def test_without_a_date_the_planned_start_is_on_the_local_day(tmp_path, wall, expected):
    agenda = agenda_mod.loads(SHORT_TEXT.replace("  date: 2026-01-08\n", ""))
    assert agenda.meeting.date is None and agenda.meeting.start is not None
    clock = FakeClock(start_wall=wall)
    with Session.create(tmp_path / "s.retreat", agenda, clock) as session:
        assert planned_start(session.state, session.stamp(), OFFSET) == expected
