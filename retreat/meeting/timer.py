"""One item's countdown: on time -> warning -> overtime, with pauses and extensions.

A `Timer` is part of the projected state: events are applied to it, and it answers
"how long has this run" and "when is the next thing due" for any moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retreat.agenda import default_warning
from retreat.meeting.events import Stamp


class Phase(StrEnum):
    IDLE = "idle"  # not started yet
    ON_TIME = "on_time"
    WARNING = "warning"
    OVERTIME = "overtime"


class Due(StrEnum):
    WARNING = "warning"
    TIME_UP = "time_up"
    ALARM_REPEAT = "alarm_repeat"


@dataclass
class Timer:
    planned: int  # seconds, as the agenda says
    warning: int  # seconds before the end
    alarm_repeat: int
    adjusted: int = 0  # sum of extensions (+) and shortenings (-)
    closed: float = 0.0  # seconds run in segments that have ended
    running_since: Stamp | None = None
    started: bool = False
    warned: bool = False
    time_up: bool = False
    alarms: int = 0  # alarms fired in this overtime: the time-up one counts as the first
    silenced: bool = False

    @property
    def limit(self) -> int:
        return max(0, self.planned + self.adjusted)

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def elapsed(self, now: Stamp) -> float:
        if self.running_since is None:
            return self.closed
        return self.closed + max(0.0, now.seconds_since(self.running_since))

    def remaining(self, now: Stamp) -> float:
        """Negative in overtime."""
        return self.limit - self.elapsed(now)

    def phase(self, now: Stamp) -> Phase:
        if not self.started:
            return Phase.IDLE
        elapsed = self.elapsed(now)
        if elapsed >= self.limit:
            return Phase.OVERTIME
        if elapsed >= self.limit - self.warning_for_limit():
            return Phase.WARNING
        return Phase.ON_TIME

    def warning_for_limit(self) -> int:
        """A shortened item keeps its warning proportionate (never the whole limit)."""
        return default_warning(self.limit, self.warning)

    def next_due(self) -> tuple[Due, float] | None:
        """The next threshold (kind, elapsed seconds at which it is due), if any."""
        if not self.warned and self.limit - self.warning_for_limit() > 0:
            return Due.WARNING, float(self.limit - self.warning_for_limit())
        if not self.time_up:
            return Due.TIME_UP, float(self.limit)
        if self.silenced or self.alarm_repeat <= 0:
            return None
        return Due.ALARM_REPEAT, float(self.limit + self.alarms * self.alarm_repeat)

    def seconds_until_due(self, now: Stamp) -> float | None:
        """Seconds from `now` to the next threshold while running; None when nothing is due."""
        if not self.running:
            return None
        due = self.next_due()
        if due is None:
            return None
        return max(0.0, due[1] - self.elapsed(now))

    # --- applying events -------------------------------------------------------------
    def start(self, stamp: Stamp) -> None:
        self.started = True
        if self.running_since is None:
            self.running_since = stamp

    def stop(self, stamp: Stamp) -> None:
        if self.running_since is not None:
            self.closed += max(0.0, stamp.seconds_since(self.running_since))
            self.running_since = None

    def adjust(self, seconds: int, now: Stamp) -> None:
        self.adjusted += seconds
        self._rearm(now)

    def _rearm(self, now: Stamp) -> None:
        """After a change of limit, thresholds not yet reached must fire again."""
        elapsed = self.elapsed(now)
        if elapsed < self.limit:
            self.time_up = False
            self.alarms = 0
            self.silenced = False
        if elapsed < self.limit - self.warning_for_limit():
            self.warned = False
