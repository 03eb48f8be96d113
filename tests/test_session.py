from __future__ import annotations

from pathlib import Path

import pytest

from retreat.agenda import Agenda
from retreat.clock import FakeClock
from retreat.errors import SessionError
from retreat.meeting.engine import Cmd, Status
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session, approve, default_path, load
from retreat.meeting.store import Store


def script(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    clock.advance(70)
    session.tick()
    session.handle(Cmd.TICK_POINT)
    session.handle(Cmd.PAUSE)
    clock.advance(30)
    session.handle(Cmd.RESUME)
    session.handle(Cmd.ADJUST, 60)
    session.handle(Cmd.NOTE, "数据翔实，对标清楚")
    clock.advance(200)
    session.tick()
    session.tick()
    session.handle(Cmd.SILENCE)
    session.handle(Cmd.NEXT)
    session.handle(Cmd.START)
    clock.advance(40)
    session.tick()


def test_replay_equals_live_state(session: Session, clock: FakeClock) -> None:
    script(session, clock)
    live = session.state
    with Store.open(session.path, readonly=True) as store:
        from retreat.meeting.session import replay

        _, replayed = replay(store)
    assert replayed.items == live.items
    assert (replayed.current, replayed.events, replayed.runs, replayed.last) == (
        live.current,
        live.events,
        live.runs,
        live.last,
    )


def test_resume_continues_a_running_item_with_the_time_that_passed(
    tmp_path: Path, short_agenda: Agenda, clock: FakeClock
) -> None:
    path = tmp_path / "m.retreat"
    session = Session.create(path, short_agenda, clock)
    session.handle(Cmd.START)
    clock.advance(50)
    session.close()  # the laptop dies; the speaker keeps talking
    clock.restart(down_for=40)
    resumed = Session.resume(path, clock)
    timer = resumed.state.item.timer
    assert resumed.state.item.status is Status.RUNNING
    assert timer.elapsed(resumed.stamp()) == 90
    assert resumed.run == 2
    started_at = resumed.state.item.started_at
    assert resumed.state.downtime == [(started_at, clock.now())]  # from the last event on record
    clock.advance(31)
    assert [e.kind for e in resumed.tick()] == [EventKind.WARNING_REACHED, EventKind.TIME_UP]
    resumed.close()


def test_resume_of_a_paused_item_does_not_count_the_downtime(
    tmp_path: Path, short_agenda: Agenda, clock: FakeClock
) -> None:
    path = tmp_path / "m.retreat"
    session = Session.create(path, short_agenda, clock)
    session.handle(Cmd.START)
    clock.advance(50)
    session.handle(Cmd.PAUSE)
    session.close()
    clock.restart(down_for=600)
    with Session.resume(path, clock) as resumed:
        assert resumed.state.item.timer.elapsed(resumed.stamp()) == 50


def test_session_keeps_the_agenda_it_ran(tmp_path: Path, short_agenda: Agenda, clock: FakeClock) -> None:
    path = tmp_path / "m.retreat"
    Session.create(path, short_agenda, clock).close()
    record = load(path)
    assert record.agenda.text == short_agenda.text
    assert [i.id for i in record.agenda.items] == ["r1", "r2", "qa", "v1"]
    assert record.utc_offset == 8 * 3600


def test_load_does_not_write(tmp_path: Path, short_agenda: Agenda, clock: FakeClock) -> None:
    path = tmp_path / "m.retreat"
    Session.create(path, short_agenda, clock).close()
    before = path.read_bytes()
    load(path)
    assert path.read_bytes() == before


def test_approve_records_who_and_when_without_a_new_run(
    tmp_path: Path, short_agenda: Agenda, clock: FakeClock
) -> None:
    path = tmp_path / "m.retreat"
    Session.create(path, short_agenda, clock).close()
    clock.advance(3600)
    state = approve(path, "王建国", clock)
    assert state.approvals == [("王建国", clock.now())]
    assert len(load(path).state.runs) == 1


def test_resume_refuses_a_file_that_is_not_a_session(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "agenda.yaml"
    path.write_text("version: 1\n")
    with pytest.raises(SessionError):
        Session.resume(path, clock)
    assert path.read_text() == "version: 1\n"


def test_default_path_is_the_agenda_stem_in_the_current_folder() -> None:
    assert default_path("agendas/2026-retreat.yaml") == Path("2026-retreat.retreat")


def test_a_session_made_the_day_before_was_not_interrupted_overnight(
    tmp_path: Path, short_agenda: Agenda, clock: FakeClock
) -> None:
    """Made the evening before (to print phone codes), resumed in the morning: no downtime.
    Once an item has started, a stop and a restart are an interruption again."""
    path = tmp_path / "early.retreat"
    Session.create(path, short_agenda, clock).close()
    clock.advance(15 * 3600)
    with Session.resume(path, clock) as s:
        s.handle(Cmd.START)
        clock.advance(60)
    assert load(path).state.downtime == []
    clock.advance(300)
    with Session.resume(path, clock):
        pass
    assert [round(b - a) for a, b in load(path).state.downtime] == [360]  # since the last event (an upper bound)


def test_resume_shows_the_message_to_the_speaker_still_on(tmp_path: Path, short_agenda: Agenda, clock: FakeClock) -> None:
    path = tmp_path / "m.retreat"
    with Session.create(path, short_agenda, clock) as s:
        s.handle(Cmd.START)
        s.handle(Cmd.MESSAGE, 1)
        s.handle(Cmd.NEXT)
        s.handle(Cmd.START)
        s.handle(Cmd.MESSAGE, 2)
        s.handle(Cmd.MESSAGE, 3)
    with Session.resume(path, clock) as resumed:
        assert resumed.state.speaker_message == "时间到，请结束"
        assert [i.messages for i in resumed.state.items][:2] == [1, 2]
