"""The one loop of a full-screen command: keys and the passing of time in, frames out.

termdown's good idea without its polling: a `KeyLoop` sleeps in `keys.get(deadline)`
until a key arrives or the moment its screen next changes, reacts, repaints, and returns
an `Outcome` for the CLI to report once the screen is gone. The stage (`RunLoop`) and
`retreat alarm-test` are both one; the time comes from an injected `Clock`, so tests drive
either with a `FakeClock` and keys that advance it instead of sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import RenderableType

    from retreat.clock import Clock
    from retreat.ui.alarm import Alarm


class Outcome(StrEnum):
    QUIT = "quit"  # q, then y
    INTERRUPTED = "interrupted"  # Ctrl-C
    CLOSED = "closed"  # the terminal went away
    DONE = "done"  # alarm-test: its time ran out, or a key stopped it


class Keys(Protocol):
    def get(self, deadline: float | None = None) -> str | None: ...


class Screen(Protocol):
    """Where frames go: a `DiffScreen`, or Rich's `Live(auto_refresh=False)`."""

    def update(self, renderable: RenderableType, *, refresh: bool = ...) -> object: ...


@dataclass
class Stats:
    """What the loop did, for tests and benchmarks."""

    wakes: int = 0
    frames: int = 0
    alarms: list[tuple[float, float]] = field(default_factory=list)  # (deadline, fired), monotonic


class KeyLoop:
    """Wait for a key or the next deadline, react, repaint; until a reaction ends it."""

    keys: Keys
    stats: Stats

    def run_loop(self) -> Outcome:
        self.draw()
        while True:
            try:
                key = self.keys.get(self.next_wake())
            except EOFError:
                return Outcome.CLOSED
            self.stats.wakes += 1
            self.on_time()
            outcome = self.on_key(key) if key is not None else None
            outcome = outcome or self.finished()
            if outcome is not None:
                return outcome
            self.draw()

    def next_wake(self) -> float:
        """Monotonic time of the next moment the screen may change."""
        raise NotImplementedError

    def on_time(self) -> None:
        """Whatever is due by now."""

    def on_key(self, key: str) -> Outcome | None:
        raise NotImplementedError

    def finished(self) -> Outcome | None:
        """An end that no key brought (after the key of the same wake had its say)."""
        return None

    def draw(self) -> object:
        raise NotImplementedError


class Sleeper:
    """Keys for a loop without a keyboard (stdin is not a terminal): none ever comes, the
    wait sleeps until the deadline on `clock` (`sleep` advances a `FakeClock` in tests)."""

    def __init__(self, clock: Clock, sleep: Callable[[float], None]) -> None:
        self._clock = clock
        self._sleep = sleep

    def get(self, deadline: float | None = None) -> str | None:
        if deadline is None:
            raise EOFError  # nothing could ever end the wait
        self._sleep(max(0.0, deadline - self._clock.monotonic()))
        return None


class FlashLoop(KeyLoop):
    """`retreat alarm-test`: the alarm, then the overtime flash, a frame at each change of the
    flash, until `seconds` have passed on `clock` or a key is pressed."""

    def __init__(self, clock: Clock, keys: Keys, alarm: Alarm, seconds: float,
                 render: Callable[[float], RenderableType]) -> None:
        self.clock, self.keys, self.alarm, self.render = clock, keys, alarm, render
        self.stats = Stats()
        self.start = clock.monotonic()
        self.end = self.start + seconds
        self._screen: Screen | None = None

    def run(self, screen: Screen) -> Outcome:
        self._screen = screen
        self.alarm.fire()
        return self.run_loop()

    def next_wake(self) -> float:
        from retreat.ui.alarm import next_flash_change

        return min(self.start + next_flash_change(self.clock.monotonic() - self.start), self.end)

    def on_key(self, key: str) -> Outcome | None:
        return Outcome.INTERRUPTED if key == "c-c" else Outcome.DONE

    def finished(self) -> Outcome | None:
        return Outcome.DONE if self.clock.monotonic() >= self.end else None

    def draw(self) -> None:
        assert self._screen is not None
        self._screen.update(self.render(self.clock.monotonic() - self.start), refresh=True)
        self.stats.frames += 1
