"""The stage loop, driven by keys typed into a pipe and a fake clock (no real sleeps)."""

from __future__ import annotations

import io

import pytest
from prompt_toolkit.input import create_pipe_input
from rich.console import Console
from support import kinds
from support.stage import FakeAlarm, Frames, Script

from retreat.meeting.engine import Status
from retreat.meeting.timer import Phase
from retreat.ui.keys import KeyReader
from retreat.ui.runloop import Outcome, RunLoop
from retreat.ui.stage import StageOptions


def run_loop(session, clock, *steps, width=80, height=24):
    console = Console(file=io.StringIO(), width=width, height=height, color_system=None)
    screen = Frames(session)
    alarm = FakeAlarm()
    with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
        script = Script(reader, pipe, clock, steps)
        loop = RunLoop(session, script, console, alarm=alarm, screen=screen,
                       options=StageOptions(session_path="short.retreat"))  # fmt: skip
        outcome = loop.run()
    return outcome, loop, screen, alarm, script


@pytest.fixture
def drive(session, clock):
    def run(*steps, width=80, height=24):
        return run_loop(session, clock, *steps, width=width, height=height)

    return run


def test_space_starts_and_the_event_is_saved_before_the_screen_shows_it(drive, session):
    outcome, _loop, screen, _alarm, _script = drive(" ", "q", "y")
    assert outcome is Outcome.QUIT
    first_running = next(i for i, f in enumerate(screen.frames) if f.view.status is Status.RUNNING)
    assert "item_started" in screen.committed[first_running]
    assert "item_started" not in screen.committed[first_running - 1]


def test_space_pauses_and_resumes(drive, session):
    drive(" ", 3, " ", 5, " ", 2, "q", "y")
    assert kinds(session)[-3:] == ["item_started", "item_paused", "item_resumed"]
    timer = session.state.item.timer
    assert session.state.item.status is Status.RUNNING
    assert timer.elapsed(session.stamp()) == pytest.approx(5)


def test_plus_and_minus_adjust_by_a_minute(drive, session):
    _outcome, _loop, screen, _a, _s = drive("+", "+", "-", "q")
    assert session.state.item.timer.limit == 180
    assert "Limit now 03:00" in screen.text(-2) or "Limit now 03:00" in screen.text()


def test_time_up_fires_the_alarm_on_the_deadline_and_repeats(drive, session, clock):
    # r2: 90 s, warning 30 s, alarm every 20 s
    outcome, loop, screen, alarm, script = drive("n", " ", 60, 30, 45, "a", 30, "q", "y")
    assert outcome is Outcome.QUIT
    log = kinds(session)
    assert log.count("warning_reached") == 1 and log.count("time_up") == 1
    assert log.count("alarm_repeated") == 2  # at +20 s and +40 s, then silenced at +45
    assert "alarm_silenced" in log
    assert alarm.fired == 3 and alarm.stopped == 1
    assert [fired - deadline for deadline, fired in loop.stats.alarms] == [0, 0, 0]
    assert session.state.item.timer.phase(session.stamp()) is Phase.OVERTIME


def test_the_loop_wakes_at_each_whole_second_and_at_each_deadline(drive, session, clock):
    start = clock.monotonic()
    _o, _loop, _screen, _alarm, script = drive(" ", 2.5, "q", "y")
    waits = [d - start for d in script.deadlines[1:4] if d is not None]
    assert waits == pytest.approx([1, 2, 3])


def test_a_refused_command_is_a_message_not_a_crash(drive):
    _o, _loop, screen, _a, _s = drive("p", "a", "q", "y")
    texts = [screen.text(i) for i in range(len(screen.frames))]
    assert any("this is the first item" in t for t in texts)
    assert any("no alarm is sounding" in t for t in texts)


def test_quit_needs_y_any_other_key_cancels(drive, session):
    outcome, _l, screen, _a, _s = drive("q", "x", "q", "y")
    assert outcome is Outcome.QUIT
    assert any("Quit? Press y" in screen.text(i) for i in range(len(screen.frames)))
    assert kinds(session).count("item_started") == 0  # `x` was not read as a command


@pytest.mark.slow  # over a quarter of a second: subprocesses, threads or a real server
def test_ctrl_c_leaves_with_the_session_safe(drive, session):
    outcome, *_ = drive(" ", 3, "\x03")
    assert outcome is Outcome.INTERRUPTED
    assert "item_started" in kinds(session)


def test_a_closed_terminal_ends_the_loop(drive):
    outcome, *_ = drive(" ")
    assert outcome is Outcome.CLOSED


def test_caps_lock_letters_still_work(drive, session):
    drive("N", "T", "Q", "Y")
    assert session.state.current == 1 and session.state.item.ticked == [0]


@pytest.mark.slow
def test_o_toggles_the_overview_and_an_alarm_closes_it(drive, session):
    _o, loop, screen, _a, _s = drive(" ", "o", 10, "o", "o", 115, "q", "y")
    texts = [screen.text(i) for i in range(len(screen.frames))]
    assert any("Agenda: planned and actual" in t for t in texts)
    assert "Agenda: planned and actual" not in screen.text()  # time up closed it


def test_nothing_is_repainted_while_nothing_shown_changes(drive, session):
    _o, loop, _screen, _a, _s = drive(" ", 10, "q", "y")
    assert loop.stats.frames <= 10 + 4  # one per second of countdown, the start, the prompt
    _o, loop, _screen, _a, _s = drive(" ", 20, "q", "y")  # paused: the digits stand still
    assert loop.stats.wakes >= 20 and loop.stats.frames <= 5


def test_the_last_item_asks_before_ending_the_meeting(drive, session):
    drive("n", "n", "n", "n", "x", "n", "y", "q", "y")
    assert session.state.ended_at is not None
    assert kinds(session).count("meeting_ended") == 1


def test_a_resize_repaints_the_same_view(session, clock):
    console = Console(file=io.StringIO(), width=80, height=24, color_system=None)
    screen = Frames(session)
    with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
        loop = RunLoop(session, Script(reader, pipe, clock, []), console, screen=screen)
        assert loop.draw() is True and loop.draw() is False
        console.size = (100, 30)
        assert loop.draw() is True


def test_t_on_an_item_without_points_says_so(drive, session):
    _o, _l, screen, _a, _s = drive("n", "n", "t", "q", "y")
    assert any("This item has no talking points." in screen.text(i) for i in range(len(screen.frames)))


# --- a rehearsal the evening before --------------------------------------------------------
# 2026-01-07 22:03 in Beijing: the evening before the short agenda's 2026-01-08 08:30.
EVE = 1_767_832_200.0 - (10 * 3600 + 27 * 60)
QUESTION = "Today is not the meeting's date (8 January 2026). Is this a rehearsal?"


@pytest.fixture
def eve(tmp_path, short_agenda):
    from retreat.clock import FakeClock
    from retreat.meeting.session import Session

    clock = FakeClock(start_wall=EVE)
    session = Session.create(tmp_path / "eve.retreat", short_agenda, clock)
    yield session, clock
    session.close()


def texts(screen):
    return [screen.text(i) for i in range(len(screen.frames))]


@pytest.mark.slow
def test_on_another_day_the_stage_opens_with_the_question_and_y_records_a_rehearsal(eve):
    session, clock = eve
    _o, _loop, screen, _a, _s = run_loop(session, clock, "y", " ", 190, "q", "y")
    first = screen.text(0)
    assert QUESTION in first and "y: a rehearsal   n: no, the meeting itself   Esc: not now" in first
    assert "Rehearsal" not in first.splitlines()[0]  # nothing recorded yet, nothing marked
    answered = next(i for i, f in enumerate(screen.frames) if f.view.rehearsal)
    assert "rehearsal_answered" in screen.committed[answered]  # committed before it is shown
    assert "rehearsal_answered" not in screen.committed[answered - 1]
    assert screen.text(answered).splitlines()[0].lstrip().startswith("Rehearsal")
    log = kinds(session)
    assert log.count("rehearsal_answered") == 1 and log.count("item_started") == 1  # space was not re-asked
    assert session.state.rehearsal is True
    shown = texts(screen)
    assert "Recorded as a rehearsal" in shown[answered]
    # 70 s over a 2-minute item started at 22:03: a minute behind, not 813 minutes (22:03 - 08:30)
    assert "Rehearsal from 22:03 · 1 min behind plan" in shown[-1]
    assert not any("813" in t for t in shown)


def test_n_records_the_meeting_itself_and_does_not_move_to_the_next_item(eve):
    session, clock = eve
    _o, _loop, screen, _a, _s = run_loop(session, clock, "n", " ", 30, "q", "y")
    assert session.state.rehearsal is False and session.state.current == 0
    assert kinds(session).count("rehearsal_answered") == 1
    assert "Recorded as the meeting itself, on another day" in "".join(texts(screen))
    assert all("Rehearsal" not in t for t in texts(screen))
    assert "On plan" in screen.text(-2)  # counted from the first start at 22:03, not from 08:30


def test_esc_puts_it_off_and_the_first_start_asks_again_and_waits(eve):
    session, clock = eve
    _o, _loop, screen, _a, _s = run_loop(session, clock, "escape", " ", "escape", " ", "y", 10, "q", "y")
    shown = texts(screen)
    assert any("Not answered; nothing was recorded." in t for t in shown)
    assert any("Esc: do not start yet" in t for t in shown)  # the question again, at the first start
    assert any("Not started; nothing was recorded." in t for t in shown)
    log = kinds(session)
    assert log.count("rehearsal_answered") == 1 and log.count("item_started") == 1
    assert log.index("rehearsal_answered") < log.index("item_started")  # y answered, then started
    assert session.state.item.timer.elapsed(session.stamp()) == pytest.approx(10)


def test_any_other_key_is_not_obeyed_while_the_question_is_up(eve):
    session, clock = eve
    run_loop(session, clock, "o", "q", "y")
    assert "rehearsal_answered" not in kinds(session)  # `o` put it off; `q` then asked to quit


def test_the_answer_is_asked_once_per_session_not_again_on_resume(eve, tmp_path):
    from retreat.meeting.session import Session

    session, clock = eve
    run_loop(session, clock, "y", " ", 20, "q", "y")
    session.close()
    clock.restart(down_for=60)
    with Session.resume(session.path, clock) as resumed:
        _o, _loop, screen, _a, _s = run_loop(resumed, clock, 5, "q", "y")
        assert all(QUESTION not in t for t in texts(screen))
        assert screen.text(0).splitlines()[0].lstrip().startswith("Rehearsal")
        assert kinds(resumed).count("rehearsal_answered") == 1


def test_on_the_meetings_own_date_nothing_is_asked(drive, session):
    _o, _loop, screen, _a, _s = drive(" ", 5, "q", "y")
    assert all("Is this a rehearsal?" not in t for t in texts(screen))
    assert "rehearsal_answered" not in kinds(session)


def test_keys_1_2_3_send_a_message_to_the_speaker_and_0_clears_it(drive, session):
    _outcome, _loop, screen, _alarm, _script = drive(" ", "2", 1, "0", 1, "3", "n", "q", "y")
    assert kinds(session)[-6:] == ["item_started", "speaker_message_sent", "speaker_message_cleared",
                                   "speaker_message_sent", "item_ended", "current_changed"]  # fmt: skip
    shown = [f.view.speaker for f in screen.frames]
    assert shown.index("请总结") < shown.index("时间到，请结束")
    assert "请总结" in screen.text(shown.index("请总结")).splitlines()[0]
    assert shown[-1] == ""  # the next item clears it
    assert [i.messages for i in session.state.items][:2] == [2, 0]
