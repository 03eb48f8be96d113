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


class MonotonicClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> float:
        return time.time()


class FakeClock:
    """A hand-advanced clock; wall and monotonic move together unless told otherwise."""

    def __init__(self, start_wall: float = 1_767_225_600.0, start_mono: float = 1000.0) -> None:
        self._wall = start_wall
        self._mono = start_mono

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> float:
        return self._wall

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not run backwards")
        self._wall += seconds
        self._mono += seconds

    def restart(self, down_for: float, new_mono: float = 5000.0) -> None:
        """Simulate the process dying and a new one starting `down_for` seconds later."""
        self._wall += down_for
        self._mono = new_mono
