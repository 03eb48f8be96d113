"""Clocks. The core never reads time itself: a Clock is injected (FakeClock in tests and the demo)."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never jumps; only differences within one process mean anything."""
        ...

    def now(self) -> float:
        """Wall-clock seconds since the epoch; survives a restart, may jump."""
        ...

    def utc_offset(self) -> int:
        """Seconds east of UTC where the meeting is held, to print local times in the minutes."""
        ...


class MonotonicClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> float:
        return time.time()

    def utc_offset(self) -> int:
        return time.localtime().tm_gmtoff


class FakeClock:
    """A hand-advanced clock; wall and monotonic move together unless told otherwise."""

    def __init__(
        self, start_wall: float = 1_767_832_200.0, start_mono: float = 1000.0, utc_offset: int = 8 * 3600
    ) -> None:
        # Default start: 2026-01-08 08:30 in Beijing, the demo meeting's planned start.
        self._wall = start_wall
        self._mono = start_mono
        self._offset = utc_offset

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> float:
        return self._wall

    def utc_offset(self) -> int:
        return self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not run backwards")
        self._wall += seconds
        self._mono += seconds

    def restart(self, down_for: float, new_mono: float = 5000.0) -> None:
        """Simulate the process dying and a new one starting `down_for` seconds later."""
        self._wall += down_for
        self._mono = new_mono
