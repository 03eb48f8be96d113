from __future__ import annotations

import pytest

from retreat.meeting.events import Stamp
from retreat.meeting.timer import Due, Phase, Timer


def at(t: float, run: int = 1) -> Stamp:
    return Stamp(at=1000.0 + t, mono=t, run=run)


def test_phases_follow_elapsed_time() -> None:
    timer = Timer(planned=420, warning=60, alarm_repeat=30)
    assert timer.phase(at(0)) is Phase.IDLE
    timer.start(at(0))
    assert timer.phase(at(359)) is Phase.ON_TIME
    assert timer.phase(at(360)) is Phase.WARNING
    assert timer.phase(at(420)) is Phase.OVERTIME
    assert timer.remaining(at(483)) == -63


def test_pause_stops_the_clock_and_resume_continues() -> None:
    timer = Timer(planned=420, warning=60, alarm_repeat=30)
    timer.start(at(0))
    timer.stop(at(100))
    assert timer.elapsed(at(500)) == 100
    timer.start(at(500))
    assert timer.elapsed(at(550)) == 150


def test_segment_across_a_restart_uses_wall_time() -> None:
    timer = Timer(planned=420, warning=60, alarm_repeat=30)
    timer.start(Stamp(at=1000.0, mono=50.0, run=1))
    # new process: its monotonic clock restarted near zero; 130 s of wall time passed
    assert timer.elapsed(Stamp(at=1130.0, mono=3.0, run=2)) == 130


@pytest.mark.parametrize(
    ("adjust", "expected_limit", "expected_due"),
    [(60, 480, (Due.WARNING, 420.0)), (-60, 360, (Due.WARNING, 300.0)), (-400, 20, (Due.WARNING, 10.0))],
)
def test_extend_and_shorten_move_the_thresholds(adjust: int, expected_limit: int, expected_due: tuple[Due, float]) -> None:
    timer = Timer(planned=420, warning=60, alarm_repeat=30)
    timer.start(at(0))
    timer.adjust(adjust, at(5))
    assert timer.limit == expected_limit
    assert timer.next_due() == expected_due


def test_extending_in_overtime_rearms_the_alarm() -> None:
    timer = Timer(planned=120, warning=60, alarm_repeat=30)
    timer.start(at(0))
    timer.warned = timer.time_up = True
    timer.alarms = 2
    timer.silenced = True
    timer.adjust(120, at(150))
    assert (timer.time_up, timer.alarms, timer.silenced, timer.warned) == (False, 0, False, False)
    assert timer.phase(at(150)) is Phase.ON_TIME


def test_next_due_sequence_and_silence() -> None:
    timer = Timer(planned=300, warning=60, alarm_repeat=30)
    assert timer.next_due() == (Due.WARNING, 240.0)
    timer.warned = True
    assert timer.next_due() == (Due.TIME_UP, 300.0)
    timer.time_up, timer.alarms = True, 1
    assert timer.next_due() == (Due.ALARM_REPEAT, 330.0)
    timer.alarms = 3
    assert timer.next_due() == (Due.ALARM_REPEAT, 390.0)
    timer.silenced = True
    assert timer.next_due() is None


def test_seconds_until_due_only_while_running() -> None:
    timer = Timer(planned=300, warning=60, alarm_repeat=30)
    assert timer.seconds_until_due(at(0)) is None
    timer.start(at(10))
    assert timer.seconds_until_due(at(20)) == 230
