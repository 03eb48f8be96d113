"""The one path from the web server into the session the stage uses.

The stage loop and the server thread share one `Session`. The stage holds the gate's lock
whenever it is not waiting for a key (`LockedKeys`), and every request takes it before it
reads the state or sends a command, so a command never interleaves with another, nor with
a frame being drawn. `Session.handle` commits before it returns, so a phone is told
"received" only after its event is durable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from retreat.meeting.engine import Cmd, MeetingState
    from retreat.meeting.events import Event
    from retreat.meeting.session import Session

T = TypeVar("T")
WAIT_SECONDS = 10.0  # a request waits this long for the stage's command or frame, then says "busy"


class Busy(Exception):
    """The stage kept the session longer than a phone can wait."""


class Gate:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = threading.RLock()

    def run(self, fn: Callable[[Session], T], wait: float = WAIT_SECONDS) -> T:
        if not self.lock.acquire(timeout=wait):
            raise Busy
        try:
            self.session.refresh()  # a code revoked or issued meanwhile by `retreat codes` counts at once
            return fn(self.session)
        finally:
            self.lock.release()

    def handle(self, cmd: Cmd, value: object = None) -> list[Event]:
        return self.run(lambda s: s.handle(cmd, value))

    def state(self) -> MeetingState:
        return self.session.state


class Keys(Protocol):
    def get(self, deadline: float | None = None) -> str | None: ...


class LockedKeys:
    """The stage's key reader, holding the gate's lock except while it waits for a key."""

    def __init__(self, keys: Keys, gate: Gate) -> None:
        self._keys = keys
        self._gate = gate
        self._gate.lock.acquire()

    def get(self, deadline: float | None = None) -> str | None:
        self._gate.lock.release()
        try:
            return self._keys.get(deadline)
        finally:
            self._gate.lock.acquire()

    def release(self) -> None:
        self._gate.lock.release()

    @contextmanager
    def unlocked(self) -> Iterator[None]:
        """Phones carry on while the stage waits for the secretary to type into a prompt."""
        self._gate.lock.release()
        try:
            yield
        finally:
            self._gate.lock.acquire()

    def __getattr__(self, name: str) -> object:
        return getattr(self._keys, name)
