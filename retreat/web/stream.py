"""The room's screens' event streams (Server-Sent Events): one hub for every view.

Whenever the session commits events (a key on the stage, a phone's ballot, a threshold the
stage's tick records), the session's listener computes each watched view's JSON once, in
the committing thread while it still holds the gate's lock, and hands it to the server's
event loop; every stream of that view gets the same text. While nothing changes, one timer
for all streams sends the current state again every `KEEPALIVE` seconds (recomputed, so a
running countdown's `remaining` is current); with no stream connected, no timer runs and a
commit costs nothing here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Collection, Coroutine
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Protocol

import anyio.to_thread

from retreat.meeting.room import room
from retreat.web.gate import Busy, Gate

if TYPE_CHECKING:
    from retreat.meeting.events import Event
    from retreat.meeting.session import Session
    from retreat.ui.vote_view import Tallies

VIEWS = ("timer", "agenda", "stage")
KEEPALIVE = 3.0  # seconds between two events while nothing changes (a page gives up after 8)
WAIT = 2.0  # a keep-alive waits this long for the stage's lock, else sends the last state as it was
# What a page works out by itself between events (it counts the seconds down): a commit that
# changes nothing else a view shows (a phone's ballot, for the podium) sends that view nothing.
TICKING = ("remaining", "digits", "time")
# At most one update per this many seconds: a key on the stage, alone, is sent at once, but
# when a hall's ballots commit in batches every few milliseconds the screens are computed and
# sent once for all that came within it (else 100 streams cost the ballots' own p99 ~80 ms).
GAP = 0.1


class Handle(Protocol):
    def cancel(self) -> None: ...


Later = Callable[[float, Callable[[], None]], Handle]


@dataclass(frozen=True)
class Frames:
    """Each watched view's event, as sent, computed at one moment."""

    seq: int  # the last event applied when computed: an older frame never replaces a newer one
    data: dict[str, str]  # view -> JSON
    steady: dict[str, str] = field(default_factory=dict)  # view -> JSON without TICKING: same means nothing new


class Screens:
    """What each view's stream sends: the room's projection (`retreat.meeting.room`), and for
    the stage the Q&A band and the vote board the terminal draws. Call under the gate's lock."""

    def __init__(self) -> None:
        from retreat.ui.vote_view import Tallies

        self.tallies: Tallies = Tallies()  # a revealed vote is counted once, not at every update

    def __call__(self, session: Session, views: Collection[str]) -> Frames:
        state, now = session.state, session.stamp()
        shown = room(state, now, session.clock.utc_offset(), choose=self.tallies.chosen)
        found: dict[str, dict[str, object]] = {}
        if "timer" in views:
            found["timer"] = shown.fields()
        if "agenda" in views:
            found["agenda"] = shown.fields(agenda=True)
        if "stage" in views:
            found["stage"] = {**shown.fields(), **self.stage(session)}
        steady = {view: _json({k: v for k, v in fields.items() if k not in TICKING}) for view, fields in found.items()}
        return Frames(session.seen, {view: _json(fields) for view, fields in found.items()}, steady)

    def stage(self, session: Session) -> dict[str, object]:
        """The screen the terminal shows, minus what is only for the facilitator (key hints,
        the secretary's typing, phone questions not yet put to the room)."""
        from retreat.ui.view import kind_label, points, qa_view
        from retreat.ui.vote_view import build

        state, now = session.state, session.stamp()
        item = state.item
        data: dict[str, object] = {"screen": "timing", "qa": None, "vote": None,
                                   "kind_label": kind_label(item.item.kind),
                                   "points": [{"text": p.text, "ticked": p.ticked} for p in points(item)]}
        if state.ended_at is not None:
            return data
        if item.item.kind == "qa":
            band = asdict(qa_view(state, now))
            for private in ("hint", "phones", "pending"):
                band.pop(private, None)
            data.update(screen="qa", qa=band)
        elif item.item.kind == "vote":
            vote = state.vote()
            scope = vote.revealed[-1][0] if vote.revealed else None
            board = build(state, vote, entry=None, group=None, report=(), scope=scope, step=1_000_000,
                          keys=(), tallies=self.tallies)  # the last round: a browser has no arrow keys
            shown = asdict(board)
            for private in ("entry", "report", "keys"):
                shown.pop(private, None)
            data.update(screen="vote", vote=shown)
        return data


def _json(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class _Client:
    """One stream: the newest text not sent yet (a slow browser skips states, never lags)."""

    def __init__(self) -> None:
        self.pending: str | None = None
        self.closed = False
        self.ready = asyncio.Event()

    def put(self, text: str) -> None:
        self.pending = text
        self.ready.set()

    def close(self) -> None:
        self.closed = True
        self.ready.set()

    async def next(self) -> str | None:
        """The next text to send; None once the server is stopping."""
        await self.ready.wait()
        self.ready.clear()
        if self.closed:
            return None
        text, self.pending = self.pending or "", None
        return text


class Hub:
    def __init__(self, gate: Gate, screens: Callable[[Session, Collection[str]], Frames] | None = None, *,
                 interval: float = KEEPALIVE, later: Later | None = None, gap: float = GAP,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.gate = gate
        self.gap, self.clock = gap, clock
        self.computed = -gap  # when the committing thread last computed the screens (its clock)
        self.deferred = False  # a commit came within `gap` of the last: one update follows, for all of them
        self.screens = screens or Screens()
        self.interval = interval
        self._later = later
        self.loop: asyncio.AbstractEventLoop | None = None
        self.clients: dict[str, set[_Client]] = {view: set() for view in VIEWS}
        self.latest: Frames | None = None
        self.sent: dict[str, str | None] = {}  # view -> the steady part of the last frame its streams got
        self.timer: Handle | None = None  # the one keep-alive timer, while any stream is connected
        self.published = 0  # frames handed to streams (tests, benchmarks)
        self._refreshing: set[asyncio.Task[None]] = set()
        self.closed = False
        self.failure: Exception | None = None  # the last error computing a screen (tests; the stage goes on)
        gate.session.listeners.append(self.on_commit)

    def close(self) -> None:
        """The server is stopping: every stream ends (a browser reconnects to the next server),
        the keep-alive stops, and commits are no longer computed for this hub. On the loop."""
        self.closed = True
        with contextlib.suppress(ValueError):
            self.gate.session.listeners.remove(self.on_commit)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        for clients in self.clients.values():
            for client in clients:
                client.close()

    def watched(self) -> frozenset[str]:
        return frozenset(view for view, clients in self.clients.items() if clients)

    # --- the committing thread -----------------------------------------------------------------

    def on_commit(self, events: list[Event]) -> None:
        """The session's listener: runs in the thread that committed, which holds the gate's lock."""
        loop, views = self.loop, self.watched()
        if loop is None or not views:
            return
        now = self.clock()
        if self.deferred or now - self.computed < self.gap:
            if not self.deferred:
                self.deferred = True
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._catch_up_later, self.gap - (now - self.computed))
            return
        self.computed = now
        try:
            frames = self.screens(self.gate.session, views)
        except Exception as e:  # a screen's bug must never fail the stage's command (it is durable already)
            self.failure = e
            return
        with contextlib.suppress(RuntimeError):  # the server's loop has closed: nobody is listening
            loop.call_soon_threadsafe(self.publish, frames)

    # --- the server's event loop -------------------------------------------------------------

    def publish(self, frames: Frames, *, again: bool = False) -> None:
        """Each view's clients get its frame, unless only what the page counts by itself has
        changed since the last one they got (`again`: the keep-alive, sent whatever)."""
        if self.latest is not None and frames.seq < self.latest.seq:
            if self.timer is None:
                self._rearm()
            return
        self.latest = frames
        everyone = self.watched() <= frames.data.keys()
        for view, text in frames.data.items():
            steady = frames.steady.get(view)
            if not again and steady is not None and steady == self.sent.get(view):
                everyone = False
                continue
            self.sent[view] = steady
            for client in self.clients.get(view, ()):
                client.put(text)
        self.published += 1
        # The keep-alive counts from the last event every view got: a view skipped here keeps
        # the timer it had, so it still hears from the laptop within `interval`.
        if everyone or self.timer is None:
            self._rearm()

    def _rearm(self) -> None:
        """The keep-alive comes `interval` seconds after the last event; none without streams."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if not self.watched():
            return
        self.timer = self._call_later(self.interval, self._keepalive)

    def _call_later(self, delay: float, fn: Callable[[], None]) -> Handle:
        if self._later is not None:
            return self._later(delay, fn)
        assert self.loop is not None
        return self.loop.call_later(delay, fn)

    def _spawn(self, work: Coroutine[object, object, None]) -> None:
        """Run `work` on the loop, kept until done (a task nobody holds may be collected)."""
        task = asyncio.get_running_loop().create_task(work)
        self._refreshing.add(task)
        task.add_done_callback(self._refreshing.discard)

    def _catch_up_later(self, delay: float) -> None:
        self._call_later(max(0.0, delay), lambda: self._spawn(self.catch_up()))

    async def catch_up(self) -> None:
        """The update deferred by `gap`: the state after every commit that came meanwhile."""
        # Before reading: a commit while this reads (it runs under the same lock, before or
        # after the read) then schedules its own update instead of being taken as included.
        self.computed, self.deferred = self.clock(), False
        views = self.watched()
        if views and not self.closed:
            try:
                frames = await self.current(views, wait=WAIT)
            except Exception as e:  # Busy, or a screen's bug: the keep-alive still comes
                self.failure = e
            else:
                self.publish(frames)

    def _keepalive(self) -> None:
        self.timer = None
        self._spawn(self.refresh())

    async def refresh(self) -> None:
        """Every stream gets the current state again."""
        views = self.watched()
        if not views:
            return
        frames: Frames | None
        try:
            frames = await self.current(views, wait=WAIT)
        except Busy:  # the stage keeps the session a moment: the last state, so pages know we are here
            last = self.latest
            frames = Frames(last.seq, last.data) if last is not None else None
        except Exception as e:  # keep the timer going: the next change or keep-alive may do better
            self.failure, frames = e, None
        if frames is None:
            self._rearm()
        else:
            self.publish(frames, again=True)

    async def current(self, views: Collection[str], wait: float = 10.0) -> Frames:
        return await anyio.to_thread.run_sync(lambda: self.gate.run(lambda s: self.screens(s, views), wait))

    async def stream(self, view: str) -> AsyncIterator[str]:
        """A view's events: the current state at once, then every change and keep-alive."""
        if self.closed:
            return
        self.loop = asyncio.get_running_loop()
        client = _Client()
        first, alone = not self.watched(), not self.clients[view]
        self.clients[view].add(client)  # before reading the state: a change meanwhile is not missed
        try:
            frames = await self.current([view])
            if alone:  # what this view's streams now show, so a change it would not show sends nothing
                self.sent[view] = frames.steady.get(view)
            if first or self.timer is None:
                self._rearm()
            yield frames.data[view]
            while (text := await client.next()) is not None:
                yield text
        finally:
            self.clients[view].discard(client)
            if not self.watched() and self.timer is not None:
                self.timer.cancel()
                self.timer = None
