"""A scripted meeting run in a child process so a test can SIGKILL it anywhere.

    python crash_driver.py SESSION AGENDA   # create, or resume where the log left off

After each command's events are committed it prints `ack <seq>`: the test then checks
that every acknowledged event survived the kill. Time is a fake clock derived from the
step number, so an interrupted-and-resumed run must end in exactly the state of an
uninterrupted one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from retreat import agenda as agenda_mod
from retreat.meeting.engine import Cmd, Command
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session
from retreat.meeting.store import Store

BASE_WALL = 1_767_832_200.0
STEP_SECONDS = 7.0


class StepClock:
    def __init__(self) -> None:
        self.step = 0

    def monotonic(self) -> float:
        return self.step * STEP_SECONDS

    def now(self) -> float:
        return BASE_WALL + self.step * STEP_SECONDS

    def utc_offset(self) -> int:
        return 8 * 3600


def script(n_items: int) -> list[Command]:
    """Deterministic commands; each produces a known, fixed number of events."""
    commands: list[Command] = []
    for i in range(n_items):
        commands += [
            Command(Cmd.START),
            Command(Cmd.NOTE, f"第{i + 1}项 开始"),
            Command(Cmd.PAUSE),
            Command(Cmd.RESUME),
            Command(Cmd.ADJUST, 60),
            Command(Cmd.NOTE, f"第{i + 1}项 记录"),
        ]
        if i < n_items - 1:
            commands.append(Command(Cmd.NEXT))
    return commands


def steps_done(events_per_step: list[int], logged: int) -> int:
    total = 0
    for done, count in enumerate(events_per_step):
        if total == logged:
            return done
        total += count
    if total == logged:
        return len(events_per_step)
    raise SystemExit(f"log holds {logged} command events: not a whole number of steps")


def events_per_step(commands: list[Command], agenda: agenda_mod.Agenda) -> list[int]:
    probe = Session.create(":memory:", agenda, StepClock())
    counts = [len(probe.handle(c)) for c in commands]
    probe.close()
    return counts


def main(session_path: str, agenda_path: str) -> None:
    agenda = agenda_mod.load(agenda_path)
    commands = script(len(agenda.items))
    clock = StepClock()
    if Path(session_path).exists():
        with Store.open(session_path, readonly=True) as store:
            logged = sum(
                1
                for e in store.events()
                if e.kind not in (EventKind.MEETING_OPENED, EventKind.PROCESS_STARTED)
            )
        start = steps_done(events_per_step(commands, agenda), logged)
        clock.step = start
        session = Session.resume(session_path, clock)
    else:
        start = 0
        session = Session.create(session_path, agenda, clock)
    for step in range(start, len(commands)):
        clock.step = step + 1
        events = session.handle(commands[step])
        print(f"ack {events[-1].seq}", flush=True)
    print("done", flush=True)
    session.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
