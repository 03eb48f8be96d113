"""A meeting session: the event log in its store, the agenda it ran, and the replayed state.

The only path from a command to the screen: decide -> commit to the store -> apply -> return.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retreat import __version__
from retreat import agenda as agenda_mod
from retreat.agenda import Agenda
from retreat.clock import Clock
from retreat.engine import Cmd, Command, MeetingState, apply, decide, initial_state
from retreat.errors import SessionError
from retreat.events import Event, EventKind, Stamp
from retreat.i18n import _
from retreat.store import Store


def default_path(agenda_file: str | Path) -> Path:
    """`<agenda-stem>.retreat` in the current directory."""
    return Path(Path(agenda_file).stem + ".retreat")


class Session:
    def __init__(self, store: Store, agenda: Agenda, state: MeetingState, clock: Clock, run: int) -> None:
        self.store = store
        self.agenda = agenda
        self.state = state
        self.clock = clock
        self.run = run

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
        session._commit([Event(EventKind.MEETING_OPENED, session.stamp(), {"agenda": agenda.file})])
        session._commit([Event(EventKind.PROCESS_STARTED, session.stamp(), {"resumed": False})])
        return session

    @classmethod
    def resume(cls, path: Path | str, clock: Clock) -> Session:
        store = Store.open(path)
        try:
            agenda, state = replay(store)
        except BaseException:
            store.close()
            raise
        session = cls(store, agenda, state, clock, run=len(state.runs) + 1)
        session._commit([Event(EventKind.PROCESS_STARTED, session.stamp(), {"resumed": True})])
        return session

    def stamp(self) -> Stamp:
        return Stamp(at=self.clock.now(), mono=self.clock.monotonic(), run=self.run)

    def handle(self, command: Command | Cmd, value: object = None) -> list[Event]:
        """Run one command; its events are durable before this returns. Raises CommandRefused."""
        cmd = command if isinstance(command, Command) else Command(command, value)
        return self._commit(decide(self.state, cmd, self.stamp()))

    def tick(self) -> list[Event]:
        return self.handle(Cmd.TICK)

    def seconds_until_due(self) -> float | None:
        return self.state.seconds_until_due(self.stamp())

    def _commit(self, events: list[Event]) -> list[Event]:
        committed = self.store.append(events)
        for event in committed:
            apply(self.state, event)
        return committed

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def replay(store: Store) -> tuple[Agenda, MeetingState]:
    """Rebuild the agenda the session ran and the state its log describes."""
    meta = store.meta()
    text = meta.get("agenda_text")
    if text is None:
        raise SessionError(_("{path} has no agenda stored in it; it is damaged").format(path=store.path))
    agenda = agenda_mod.loads(text, meta.get("agenda_file", store.path))
    state = initial_state(agenda)
    for event in store.events():
        try:
            apply(state, event)
        except (KeyError, ValueError, TypeError) as e:
            raise SessionError(
                _("{path}: event {seq} ({kind}) cannot be replayed: {reason}").format(
                    path=store.path, seq=event.seq, kind=event.kind.value, reason=e
                )
            ) from None
    return agenda, state


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
        agenda, state = replay(store)
        session = Session(store, agenda, state, clock, run=len(state.runs) + 1)
        session.handle(command)
        return session.state
    finally:
        store.close()


def approve(path: Path | str, by: str, clock: Clock) -> MeetingState:
    """Record the approval of the minutes as an event."""
    return record(path, Command(Cmd.APPROVE, by), clock)
