"""The stage without a terminal: keys and seconds scripted on a fake clock, frames kept for
reading, a silent alarm, scripted prompt answers, and a vote desk driven key by key.
"""

from __future__ import annotations

import io
import sqlite3
from collections import deque
from pathlib import Path

from rich.console import Console

from retreat.meeting.session import Session
from retreat.ui.runloop import RunLoop
from retreat.ui.stage import StageOptions
from support import DATA

QA_AGENDA = DATA / "agendas" / "qa.yaml"
VOTE_STAGE_AGENDA = DATA / "agendas" / "vote-stage.yaml"
DEMO = Path(__file__).resolve().parent.parent.parent / "agendas" / "retreat-demo.yaml"
OFFSET = 8 * 3600  # the Q&A agenda's zone, east of UTC: the view's clock offset


class Script:
    """Keys typed into the pipe and seconds passing on the fake clock, in order.

    A number lets that much time pass: the loop wakes at each deadline on the way, as
    it would on a real clock. When the script runs out, the terminal closes.
    """

    def __init__(self, reader, pipe, clock, steps):
        self.reader, self.pipe, self.clock = reader, pipe, clock
        self.steps = deque(steps)
        self.deadlines: list[float | None] = []

    def get(self, deadline=None):
        self.deadlines.append(deadline)
        if not self.steps:
            raise EOFError
        step = self.steps[0]
        if step == "escape":  # a lone Esc through the pipe would wait for the rest of a sequence
            self.steps.popleft()
            return step
        if isinstance(step, (int, float)):
            now = self.clock.monotonic()
            wait = step if deadline is None else max(0.0, min(step, deadline - now))
            self.clock.advance(wait)
            if step - wait <= 1e-9:
                self.steps.popleft()
            else:
                self.steps[0] = step - wait
            return None
        self.steps.popleft()
        self.pipe.send_text(step)
        return self.reader.get(self.clock.monotonic() + 5)


class Frames:
    """A screen that keeps what it was asked to paint, with what the store held then."""

    def __init__(self, session):
        self.session = session
        self.frames = []
        self.committed = []

    def update(self, renderable, refresh=True):
        self.frames.append(renderable)
        with sqlite3.connect(self.session.path) as db:
            self.committed.append([k for (k,) in db.execute("SELECT kind FROM events ORDER BY seq")])

    def text(self, index=-1, width=80, height=24):
        console = Console(file=io.StringIO(), record=True, width=width, height=height, color_system=None)
        console.print(self.frames[index])
        return console.export_text()


class FakeAlarm:
    def __init__(self):
        self.fired = 0
        self.stopped = 0

    def fire(self):
        self.fired += 1
        return False

    def stop(self):
        self.stopped += 1


class FakePrompter:
    """Scripted answers; a validator's complaint is recorded and the next answer taken (a re-ask)."""

    def __init__(self, *answers: str | type[BaseException]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.defaults: list[str | None] = []

    def _next(self, message: str, default: str | None, validate) -> str:
        self.asked.append(message)
        self.defaults.append(default)
        while True:
            answer = self.answers.pop(0)
            if isinstance(answer, type):
                raise answer()
            value = default or "" if answer == "<default>" else answer
            error = validate(value) if validate else None
            if error is None:
                return value
            self.errors.append(error)

    def text(self, message, *, default="", validate=None):
        return self._next(message, default, validate)

    def select(self, message, options, *, default=None, validate=None):
        values = [o.value for o in options]
        check = validate or (lambda v: None if v in values else f"{v} is not offered")
        return self._next(message, default, check)


class NoKeys:
    def get(self, deadline=None):
        raise EOFError


class Painted:
    """A screen that only keeps what it was asked to paint (the desk reads the store itself)."""

    def __init__(self):
        self.frames = []

    def update(self, renderable, refresh=True):
        self.frames.append(renderable)


def render(renderable, width=80, height=24):
    console = Console(file=io.StringIO(), record=True, width=width, height=height, color_system=None)
    console.print(renderable)
    return console.export_text()


class Desk:
    """A run loop on a vote agenda, driven by `on_key` (typed text is split into keys)."""

    def __init__(self, session: Session, ascii: bool = False):
        self.session = session
        self.loop = RunLoop(session, NoKeys(), Console(file=io.StringIO()), screen=Painted(),
                            options=StageOptions(ascii=ascii))  # fmt: skip
        self.loop.desk.seed = lambda: 42
        self.ids = iter(range(1, 10_000))
        self.loop.desk.ballot_id = lambda: f"b{next(self.ids)}"

    def type(self, *parts: str) -> Desk:
        for part in parts:
            if part in ("c-m", "escape", "c-h", "up", "right", "left", "c-u"):
                self.loop.on_key(part)
            else:
                for ch in part:
                    self.loop.on_key("c-m" if ch == "\r" else ch)
        return self

    def screen(self, width=80, height=24) -> str:
        view = self.loop.view()
        return render(self.loop.desk.frame(view, self.loop.options), width, height)

    @property
    def vote(self):
        return self.session.state.vote()

    def rankings(self):
        return [b.ranking for b in self.vote.counted]
