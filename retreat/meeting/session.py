"""A meeting session: the event log in its store, the agenda it ran, and the replayed state.

The only path from a command to the screen: decide -> commit to the store -> apply -> return.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from retreat import __version__
from retreat import agenda as agenda_mod
from retreat.agenda import Agenda
from retreat.clock import Clock
from retreat.errors import SessionError, StaleLog
from retreat.i18n import _
from retreat.meeting.ballot_box import LINK_SPACE, open_to_phones
from retreat.meeting.engine import (
    Cmd,
    Command,
    MeetingState,
    apply,
    command_value,
    decide,
    initial_state,
)
from retreat.meeting.events import Event, EventKind, MeetingOpened, ProcessStarted, Stamp
from retreat.meeting.store import Store

_MAX_UTC_OFFSET = 24 * 3600  # a time zone is less than a day away from UTC
_RETRIES = 20  # another process appending that often in a row would be a bug, not a race
# After these, a vote may no longer take phone ballots: its code -> ballot links must go.
_CLOSING = frozenset({EventKind.VOTE_CLOSED, EventKind.RESULT_REVEALED, EventKind.MEETING_ENDED})


def default_path(agenda_file: str | Path) -> Path:
    """`<agenda-stem>.retreat` in the current directory."""
    return Path(Path(agenda_file).stem + ".retreat")


class Session:
    def __init__(self, store: Store, agenda: Agenda, state: MeetingState, clock: Clock, run: int,
                 seen: int = 0) -> None:
        self.store = store
        self.agenda = agenda
        self.state = state
        self.clock = clock
        self.run = run
        self.seen = seen  # the sequence number of the last event applied to `state`
        self._closed_in_batch = False  # a vote closed inside `batch()`: its links go after the commit
        # Called with the events just committed and applied (a batch's, once its commit is done),
        # in the committing thread: the room's screens hear of every change here.
        self.listeners: list[Callable[[list[Event]], None]] = []
        self._batched: list[Event] = []

    @property
    def path(self) -> str:
        return self.store.path

    @classmethod
    def create(cls, path: Path | str, agenda: Agenda, clock: Clock) -> Session:
        store = Store.create(
            path,
            {
                "agenda_text": agenda.text,
                "agenda_file": agenda.file,
                "created_by": f"retreat {__version__}",
                "utc_offset": str(clock.utc_offset()),
            },
        )
        session = cls(store, agenda, initial_state(agenda), clock, run=1)
        session._commit([Event(EventKind.MEETING_OPENED, session.stamp(), MeetingOpened(agenda=agenda.file))])
        session._commit([Event(EventKind.PROCESS_STARTED, session.stamp(), ProcessStarted(resumed=False))])
        return session

    @classmethod
    def resume(cls, path: Path | str, clock: Clock) -> Session:
        store = Store.open(path)
        try:
            agenda, state, seen = replay_seen(store)
        except BaseException:
            store.close()
            raise
        session = cls(store, agenda, state, clock, run=len(state.runs) + 1, seen=seen)
        session._commit([Event(EventKind.PROCESS_STARTED, session.stamp(), ProcessStarted(resumed=True))])
        session.forget_closed_links()  # a crash may have come between a vote's close and this
        return session

    def stamp(self) -> Stamp:
        return Stamp(at=self.clock.now(), mono=self.clock.monotonic(), run=self.run)

    def handle(self, command: Command | Cmd, value: object = None, *,
               scratch: Sequence[tuple[str, str, str]] = ()) -> list[Event]:
        """Run one command; its events are durable before this returns. Raises CommandRefused.

        Decided on the whole log: if another process (`retreat codes`, `retreat followups`)
        appended since this one last read it, those events are applied first and the command
        is decided again. `scratch` rows (see Store.scratch) are committed with the events,
        if there are any."""
        cmd = command if isinstance(command, Command) else Command(command, command_value(value))
        for _attempt in range(_RETRIES):
            try:
                return self._commit(decide(self.state, cmd, self.stamp()), scratch)
            except StaleLog:
                self.refresh()
        raise SessionError(_("{path} keeps changing under this program; is it open twice?").format(path=self.path))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Commands handled inside share one transaction and one fsync (group commit).

        Their events are applied as they are decided (so each sees the ones before it), but
        none is durable until this block exits: a caller must not acknowledge any of them
        before. If the commit fails, nothing of the batch is kept: the state is rebuilt from
        the log as it is on disk, and the SaveError raised."""
        self._closed_in_batch = False
        self._batched = []
        try:
            with self.store.batch():
                yield
        except BaseException:
            self._batched = []
            self._reload()
            raise
        if self._closed_in_batch:
            self.forget_closed_links()
        done, self._batched = self._batched, []
        self._tell(done)

    def _reload(self) -> None:
        _agenda, self.state, self.seen = replay_seen(self.store)

    def refresh(self) -> list[Event]:
        """Apply what other processes appended to the log since this one last read it."""
        if self.store.last_seq() == self.seen:
            return []
        news = list(self.store.events(after=self.seen))
        for event in news:
            apply(self.state, event)
            self.seen = event.seq
        self._tell(news)
        return news

    def tick(self) -> list[Event]:
        return self.handle(Cmd.TICK)

    def seconds_until_due(self) -> float | None:
        return self.state.seconds_until_due(self.stamp())

    def _commit(self, events: list[Event], scratch: Sequence[tuple[str, str, str]] = ()) -> list[Event]:
        committed = self.store.append(events, after=self.seen, scratch=scratch)
        for event in committed:
            apply(self.state, event)
            self.seen = event.seq
        if any(e.kind in _CLOSING for e in committed):
            if self.store.batching:
                self._closed_in_batch = True
            else:
                self.forget_closed_links()
        if self.store.batching:
            self._batched.extend(committed)  # told once the batch's commit is durable
        else:
            self._tell(committed)
        return committed

    def _tell(self, events: list[Event]) -> None:
        if events:
            for listener in list(self.listeners):
                listener(events)

    def forget_closed_links(self) -> None:
        """Destroy the code -> ballot links of every vote that phones can no longer change."""
        ended = self.state.ended_at is not None
        for space in self.store.scratch_spaces():
            if space.startswith(LINK_SPACE) and not open_to_phones(self.state.votes.get(space[len(LINK_SPACE):]), ended):
                self.store.drop_scratch(space)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def replay(store: Store) -> tuple[Agenda, MeetingState]:
    """Rebuild the agenda the session ran and the state its log describes."""
    agenda, state, _seen = replay_seen(store)
    return agenda, state


def replay_seen(store: Store) -> tuple[Agenda, MeetingState, int]:
    """`replay`, and the sequence number of the last event it applied.

    The whole log is read and checked here: a caller that writes only after this has
    returned never appends to a session that cannot be read back whole."""
    meta = store.meta()
    text = meta.get("agenda_text")
    if text is None:
        raise SessionError(_("{path} has no agenda stored in it; it is damaged").format(path=store.path))
    offset = meta.get("utc_offset", "0")
    try:
        if abs(int(offset)) > _MAX_UTC_OFFSET:
            raise ValueError(offset)
    except ValueError:
        raise SessionError(
            _("{path} is damaged: its utc_offset {value} is not a time zone offset in seconds").format(
                path=store.path, value=offset)
        ) from None
    agenda = agenda_mod.loads(text, meta.get("agenda_file", store.path))
    state = initial_state(agenda)
    seen = 0
    for event in store.events():
        seen = event.seq
        try:
            apply(state, event)
        except (KeyError, ValueError, TypeError, AttributeError, IndexError, OverflowError) as e:
            # The log was checked as it was read; what is left is a payload of the right shape
            # holding the wrong things (a field missing, a list where a text belongs).
            raise SessionError(
                _("{path}: event {seq} ({kind}) cannot be replayed: {reason}").format(
                    path=store.path, seq=event.seq, kind=event.kind.value, reason=e
                )
            ) from None
    return agenda, state, seen


@dataclass(frozen=True)
class Record:
    """A session as read back for reports: the agenda it ran, its state, and its metadata."""

    path: str
    agenda: Agenda
    state: MeetingState
    meta: dict[str, str]

    @property
    def utc_offset(self) -> int:
        try:
            return int(self.meta.get("utc_offset", "0"))
        except ValueError:
            return 0


def load(path: Path | str) -> Record:
    """Read a session without changing it (for minutes and reports)."""
    with Store.open(path, readonly=True) as store:
        agenda, state = replay(store)
        return Record(str(path), agenda, state, store.meta())


def record(path: Path | str, command: Command, clock: Clock) -> MeetingState:
    """Append one command's events to a session no program is running (approval, follow-ups),
    without starting a new run."""
    store = Store.open(path)
    try:
        agenda, state, seen = replay_seen(store)
        session = Session(store, agenda, state, clock, run=len(state.runs) + 1, seen=seen)
        session.handle(command)
        return session.state
    finally:
        store.close()


def approve(path: Path | str, by: str, clock: Clock) -> MeetingState:
    """Record the approval of the minutes as an event."""
    return record(path, Command(Cmd.APPROVE, by), clock)
