"""The one path from the web server into the session the stage uses.

The stage loop and the server thread share one `Session`. The stage holds the gate's lock
whenever it is not waiting for a key (`LockedKeys`), and every request takes it before it
reads the state or sends a command, so a command never interleaves with another, nor with
a frame being drawn. `Session.handle` commits before it returns, so a phone is told
"received" only after its event is durable.

When a hall votes at once, phones' commands go `together`: each waits in a queue, and
whichever request gets the lock handles every command waiting (in order) inside one
transaction, one commit and one fsync for them all (group commit); each phone gets its
answer only once that commit is durable, so nothing acknowledged can be lost.

The server's pages use `together_async` from its event loop: a request queues its work and
awaits it, and one worker thread at a time takes the whole queue through the lock (one
thread hop per batch, not per request: on two cores, handing each of 600 requests to a
thread and back cost more than all the rest of their work). Reads go the same way, so a
page is shown after the batch it was read in is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol, TypeVar

import anyio.to_thread

if TYPE_CHECKING:
    from retreat.meeting.engine import Cmd, MeetingState
    from retreat.meeting.events import Event
    from retreat.meeting.session import Session

T = TypeVar("T")
WAIT_SECONDS = 10.0  # a request waits this long for the stage's command or frame, then says "busy"


class Busy(Exception):
    """The stage kept the session longer than a phone can wait."""


class _Waiting:
    """A command waiting for its batch: its answer or error, once the batch is durable.

    A thread waits on `done`; a request on an event loop awaits `woken` (set from the loop's
    own thread, see `_wake`)."""

    def __init__(self, fn: Callable[[Session], object],
                 woken: asyncio.Future[None] | None = None) -> None:
        self.fn = fn
        self.woken = woken
        self.done = threading.Event() if woken is None else None
        self.result: object = None
        self.error: BaseException | None = None

    def finished(self) -> bool:
        return self.done.is_set() if self.done is not None else self.woken is not None and self.woken.done()


def _finish(batch: list[_Waiting]) -> None:
    """Tell every command of a batch its outcome: threads at once, each event loop's requests
    with one call into that loop (not one each: every call writes to the loop's wake-up pipe)."""
    loops: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for waiting in batch:
        if waiting.done is not None:
            waiting.done.set()
        elif waiting.woken is not None:
            loops.setdefault(waiting.woken.get_loop(), []).append(waiting.woken)
    for loop, futures in loops.items():
        with contextlib.suppress(RuntimeError):  # the server is closing: nobody awaits them any more
            loop.call_soon_threadsafe(_wake, futures)


def _wake(futures: list[asyncio.Future[None]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


class Gate:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.lock = threading.RLock()
        self._queue: list[_Waiting] = []
        self._queue_lock = threading.Lock()
        self.batches: deque[int] = deque(maxlen=1000)  # the sizes of the last group commits (tests, benchmarks)
        # Per event loop, the task taking its requests' commands through the lock, while any wait.
        self._drivers: set[asyncio.Task[None]] = set()

    def together(self, fn: Callable[[Session], T], wait: float = WAIT_SECONDS) -> T:
        """`run`, for a command that may share its commit with the other phones' waiting ones.

        `fn` runs under the lock like in `run`, but its writes become durable only with the
        batch's commit, and only then does this return its answer (or raise its error)."""
        mine = _Waiting(fn)
        with self._queue_lock:
            self._queue.append(mine)
        until = time.monotonic() + wait
        while not mine.finished():
            if self.lock.acquire(timeout=max(0.0, until - time.monotonic())):
                try:
                    if not mine.finished():
                        self._handle_waiting()
                finally:
                    self.lock.release()
                continue
            with self._queue_lock:
                if mine in self._queue:  # nobody took it: nothing of it was written
                    self._queue.remove(mine)
                    raise Busy
            assert mine.done is not None
            mine.done.wait()  # another request is committing it right now
        if mine.error is not None:
            raise mine.error
        return mine.result  # type: ignore[return-value]

    def _handle_waiting(self) -> None:
        """Every waiting command in one transaction; each learns its outcome after the commit."""
        with self._queue_lock:
            batch, self._queue = self._queue, []
        committed = False
        try:
            self.session.refresh()
            with self.session.batch():
                for waiting in batch:
                    try:
                        waiting.result = waiting.fn(self.session)
                    except Exception as e:  # a refusal, or a write that failed on its own
                        waiting.error = e
            committed = True
            self.batches.append(len(batch))
        except Exception as e:  # the commit failed: nothing of the batch is kept, nor acknowledged
            for waiting in batch:
                waiting.error = e
        finally:
            for waiting in batch:
                if not committed and waiting.error is None:  # interrupted before the commit
                    waiting.error = Busy()
            _finish(batch)

    async def together_async(self, fn: Callable[[Session], T], wait: float = WAIT_SECONDS) -> T:
        """`together`, for a request on the server's event loop: it waits without a thread of its
        own; one worker thread at a time takes every waiting command through the lock."""
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        mine = _Waiting(fn, woken)
        with self._queue_lock:
            self._queue.append(mine)
        # Read and changed only on this loop's thread: no driver can finish between this check
        # and the request being seen, as a driver only stops at a point where it finds none.
        if not any(d.get_loop() is loop and not d.done() for d in self._drivers):
            driver = loop.create_task(self._drive(wait))
            self._drivers.add(driver)
            driver.add_done_callback(self._drivers.discard)
        await woken
        if mine.error is not None:
            raise mine.error
        return mine.result  # type: ignore[return-value]

    async def _drive(self, wait: float) -> None:
        while True:
            with self._queue_lock:
                if not any(w.woken is not None for w in self._queue):
                    return
            await anyio.to_thread.run_sync(self._lead, wait)

    def _lead(self, wait: float) -> None:
        """In a worker thread: the waiting commands in one batch, or "busy" for the event
        loop's ones when the stage keeps the lock longer than a phone can wait."""
        if self.lock.acquire(timeout=wait):
            try:
                self._handle_waiting()
            finally:
                self.lock.release()
            return
        with self._queue_lock:  # nobody took them: nothing of them was written
            mine = [w for w in self._queue if w.woken is not None]
            self._queue = [w for w in self._queue if w.woken is None]
        for waiting in mine:
            waiting.error = Busy()
        _finish(mine)

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
