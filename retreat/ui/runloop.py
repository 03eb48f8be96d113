"""The stage loop: one session, keys in, frames out, alarms on time.

One loop consumes key presses and the passing of time (termdown's good idea, without its
polling): it sleeps in `keys.get(deadline)` until a key arrives or the earliest of the
next whole second the screen shows, the next threshold the session has due, the next
change of the overtime flash, or the end of a message. On a key it sends one command to
the session (committed before `handle` returns, so before the screen changes); on a due
threshold it calls `session.tick()` and, for time-up and repeated alarms, fires the
alarm. It repaints only when the `View` differs from the one on screen (or the terminal
changed size), and returns an `Outcome` for the CLI to report once the screen is gone.

On a day other than the agenda's `meeting.date` the stage asks, once per session, whether
this is a rehearsal: when it opens (the facilitator has just launched it and is looking at
the laptop, not at the room, and the header says 彩排 from the first frame), with one key,
y or n, like the quit confirmation. Any other key (Esc) puts the question off, recording
nothing; it is then asked again when the first item is started, which waits for the answer.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from retreat.engine import Cmd
from retreat.errors import CommandRefused
from retreat.events import EventKind
from retreat.i18n import N_, _
from retreat.ui.alarm import next_flash_change
from retreat.ui.stage import StageOptions
from retreat.ui.view import View, snapshot
from retreat.ui.vote_entry import VoteDesk

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from retreat.qa import Proposal, Question
    from retreat.session import Session
    from retreat.ui.alarm import Alarm
    from retreat.ui.prompts import Option, Prompter, QAContext, Validate

MESSAGE_SECONDS = 4.0
ALARM_KINDS = (EventKind.TIME_UP, EventKind.ALARM_REPEATED)


class Outcome(StrEnum):
    QUIT = "quit"  # q, then y
    INTERRUPTED = "interrupted"  # Ctrl-C
    CLOSED = "closed"  # the terminal went away


class Keys(Protocol):
    def get(self, deadline: float | None = None) -> str | None: ...


class Screen(Protocol):
    """Where frames go: a `DiffScreen`, or Rich's `Live(auto_refresh=False)`."""

    def update(self, renderable: RenderableType, refresh: bool = ...) -> object: ...


KEY_COMMANDS: dict[str, tuple[Cmd, object]] = {
    " ": (Cmd.TOGGLE, None),
    "n": (Cmd.NEXT, None),
    "p": (Cmd.PREVIOUS, None),
    "+": (Cmd.ADJUST, 60),
    "=": (Cmd.ADJUST, 60),  # the + key without Shift
    "-": (Cmd.ADJUST, -60),
    "_": (Cmd.ADJUST, -60),
    "a": (Cmd.SILENCE, None),
    "t": (Cmd.TICK_POINT, None),
}
# Questions from the grassroots, on a `qa` item: draw, capture the question (k or Enter),
# record the answer, edit or withdraw a question, put an accepted phone question (m).
QA_KEYS = ("d", "k", "c-m", "c-j", "r", "e", "w", "m")


@dataclass
class Stats:
    """What the loop did, for tests and benchmarks."""

    wakes: int = 0
    frames: int = 0
    alarms: list[tuple[float, float]] = field(default_factory=list)  # (deadline, fired), monotonic


class RunLoop:
    def __init__(
        self,
        session: Session,
        keys: Keys,
        console: Console,
        *,
        alarm: Alarm | None = None,
        options: StageOptions | None = None,
        screen: Screen | None = None,
        on_alarm: Callable[[float, float], None] | None = None,
        prompter: Prompter | None = None,
    ) -> None:
        self.session = session
        self.keys = keys
        self.console = console
        self.alarm = alarm
        self.options = options or StageOptions(session_path=session.path)
        self._screen = screen
        self._on_alarm = on_alarm
        self.stats = Stats()
        self.overview = False
        self.join = False  # j: the screen that shows phones how to join
        self._message = ""
        self._message_until: float | None = None
        self._confirm: str | None = None  # "quit", "end", "rehearsal" or "rehearsal-start" while waiting for a key
        self._due_at: float | None = None
        self._shown: tuple[View, tuple[int, int]] | None = None
        self.desk = VoteDesk(session, self.say)  # a vote item's keys and screen
        self._prompter = prompter
        self._owns_screen = screen is None

    # --- the loop --------------------------------------------------------------------
    def run(self) -> Outcome:
        if self._screen is not None:
            return self._run()
        from retreat.ui.screen import DiffScreen

        with DiffScreen(self.console) as screen:
            self._screen = screen
            return self._run()

    def _run(self) -> Outcome:
        self.ask_rehearsal()
        self.draw()
        while True:
            try:
                key = self.keys.get(self.next_wake())
            except EOFError:
                return Outcome.CLOSED
            self.stats.wakes += 1
            self.on_time()
            if key is not None:
                outcome = self.on_key(key)
                if outcome is not None:
                    return outcome
            self.draw()

    # --- time ------------------------------------------------------------------------
    def next_wake(self) -> float:
        """Monotonic time of the next moment the screen or the session may need us."""
        now = self.session.stamp()
        timer = self.session.state.item.timer
        waits: list[float] = []
        if timer.running:
            elapsed = timer.elapsed(now)
            waits.append(math.floor(elapsed) + 1 - elapsed)
            overtime = elapsed - timer.limit
            if overtime >= 0 and not timer.silenced:
                waits.append(next_flash_change(overtime) - overtime)
        else:
            # Nothing counts, but the time of day and the projected end still move.
            waits.append(math.floor(now.at) + 1 - now.at)
        answer = self.session.state.qa.answer_timer
        if answer is not None and answer.running:  # its seconds tick on their own beat
            elapsed = answer.elapsed(now)
            waits.append(math.floor(elapsed) + 1 - elapsed)
            overtime = elapsed - answer.limit
            if overtime >= 0 and not answer.silenced:
                waits.append(next_flash_change(overtime) - overtime)
        due = self.session.state.seconds_until_due(now)
        self._due_at = None if due is None else now.mono + due
        if due is not None:
            waits.append(due)
        if self._message_until is not None:
            waits.append(max(0.0, self._message_until - now.mono))
        return now.mono + max(0.0, min(waits))

    def on_time(self) -> None:
        """Fire whatever thresholds are due, and let a message expire."""
        mono = self.session.clock.monotonic()
        if self._message_until is not None and mono >= self._message_until:
            self._message, self._message_until = "", None
        due = self.session.seconds_until_due()
        if due is None or due > 0:
            return
        deadline = self._due_at if self._due_at is not None else mono
        events = self.session.tick()
        if any(e.kind in ALARM_KINDS for e in events):
            if self.alarm is not None:
                self.alarm.fire()
            fired = self.session.clock.monotonic()
            self.stats.alarms.append((deadline, fired))
            if self._on_alarm is not None:
                self._on_alarm(deadline, fired)
            self.overview = False  # the room must see the alarm
            self.join = False

    # --- keys ------------------------------------------------------------------------
    def on_key(self, key: str) -> Outcome | None:
        if key == "c-c":
            return Outcome.INTERRUPTED
        if self._confirm is None and self.desk.takes(key):
            self.join = False  # the room sees what the vote keys do
            self.desk.on_key(key)
            return None
        key = key.lower() if len(key) == 1 else key  # Caps Lock must not stop the meeting
        if self._confirm is not None:
            confirm, self._confirm = self._confirm, None
            self.say("")
            if confirm.startswith("rehearsal"):
                self.answer_rehearsal(key, start=confirm == "rehearsal-start")
                return None
            if key != "y":
                return None
            if confirm == "quit":
                return Outcome.QUIT
            self.command(Cmd.NEXT, None)
            return None
        if key == "q":
            self._ask("quit", _("Quit? Press y to leave (everything is saved), any other key to stay."))
        elif key == "o":
            self.overview = not self.overview
            self.join = False
        elif key == "j" or (key == "escape" and self.join):
            self.on_join_key(key)
        elif key == "n" and self._last_item_open():
            self._ask("end", _("This is the last item: end the meeting? Press y to end it, any other key to stay."))
        elif key == "t" and not self.session.state.item.item.points:
            self.say(_("This item has no talking points."))
        elif key in QA_KEYS:
            self.on_qa_key(key)
        elif key in KEY_COMMANDS:
            cmd, value = KEY_COMMANDS[key]
            if cmd is Cmd.TOGGLE and self._first_start() and self.ask_rehearsal(starting=True):
                return None  # the item starts once the question is answered
            if cmd is Cmd.SILENCE and self.alarm is not None:
                self.alarm.stop()
            self.command(cmd, value)
        else:
            self.say(_("Keys: space start/pause, n next, p back, + and - a minute, a silence, "
                       "t tick a point, o overview, j phones' QR code, q quit; on Q&A items d k r e w m, "
                       "on votes b u i v."))  # fmt: skip
        return None

    def on_join_key(self, key: str) -> None:
        """j shows phones how to join (and hides it again), Esc hides it; only with --participate."""
        if key == "escape" or self.join:
            self.join = False
        elif not self.options.phones:
            self.say(_("Phones are not on: start with `retreat run --participate`."))
        else:
            self.join, self.overview = True, False

    # --- questions from the grassroots -------------------------------------------------
    def on_qa_key(self, key: str) -> None:
        """d draws, k (or Enter) captures the question, r the answer, e edits, w withdraws,
        m puts an accepted phone question to the room."""
        state = self.session.state
        item = state.item.item
        if item.kind != "qa":
            self.say(_("d, k, r, e, w and m work on a Q&A item (Questions from the grassroots)."))
        elif key == "d":
            spec_draw = item.qa.draw if item.qa else "random"
            # A fresh seed each time: the first draw orders the invited, a later one may pick
            # an accepted phone question; the core logs the seed only where it was used.
            self.command(Cmd.DRAW, secrets.randbits(32) if spec_draw == "random" else None)
        elif key in ("k", "c-m", "c-j"):
            self._capture_question()
        elif key == "m":
            self._phone_question()
        elif key == "r":
            self._capture_answer()
        else:
            self._edit_or_withdraw(key == "w")

    def _capture_question(self) -> None:
        from retreat.ui.prompts import capture_question

        qa, item_id = self.session.state.qa, self.session.state.item.item.id
        asker = qa.last_drawn(item_id)
        if qa.answering is None and item_id in qa.drawn_phone:
            self._phone_question(qa.proposals[qa.drawn_phone[item_id]])
        elif qa.answering is not None:
            self.say(_("Question {n} is still being answered: press r to record its answer.").format(n=qa.answering))
        elif asker is None:
            self.say(_("Draw an asker first: press d."))
        else:
            title = _("Question from {asker}").format(asker=asker)
            self._capture(title, Cmd.ASK, lambda p: capture_question(p, self._context(), asker))

    def _phone_question(self, drawn: Proposal | None = None) -> None:
        """An accepted phone question (the one drawn, else chosen from the list), for the
        department that answers: then it runs like any question (answer countdown, r)."""
        from retreat.qa import accepted
        from retreat.ui.prompts import capture_phone_question

        qa = self.session.state.qa
        waiting = [drawn] if drawn is not None else accepted(qa)
        if qa.answering is not None:
            self.say(_("Question {n} is still being answered: press r to record its answer.").format(n=qa.answering))
        elif not waiting:
            self.say(_("No phone question is waiting: accept them on the facilitator's page first."))
        else:
            self._capture(_("A question from a phone"), Cmd.ASK,
                          lambda p: capture_phone_question(p, self._context(), waiting))

    def _capture_answer(self) -> None:
        from retreat.ui.prompts import capture_answer

        qa = self.session.state.qa
        if qa.answering is None:
            self.say(_("No question is waiting for its answer: press k to record one."))
            return
        question = qa.questions[qa.answering]
        title = _("Answer to question {n}").format(n=question.qid)
        # The department stopped speaking when r was pressed: typing the gist is not answer time.
        spoken = qa.answer_timer.elapsed(self.session.stamp()) if qa.answer_timer is not None else None

        def answer(p: Prompter) -> dict[str, object]:
            return {**capture_answer(p, self._context(), question), "seconds": spoken}

        self._capture(title, Cmd.ANSWER, answer)

    def _edit_or_withdraw(self, withdraw: bool) -> None:
        from retreat.ui.prompts import capture_edit, choose_question, confirm_withdraw

        state = self.session.state
        questions = [q for q in state.qa.asked(state.item.item.id) if not q.withdrawn]
        if not questions:
            self.say(_("No question has been recorded in this item yet."))
            return

        def edit(p: Prompter) -> dict[str, object] | None:
            question = choose_question(p, questions, _("Which question?"))
            return capture_edit(p, self._context(), question)

        def pull(p: Prompter) -> int | None:
            question: Question = choose_question(p, questions, _("Withdraw which question?"))
            return question.qid if confirm_withdraw(p, question) else None

        if withdraw:
            self._capture(_("Withdraw a question"), Cmd.WITHDRAW_QUESTION, pull)
        else:
            self._capture(_("Edit a question"), Cmd.EDIT_QUESTION, edit)

    def _context(self) -> QAContext:
        from retreat.ui.prompts import context

        clock = self.session.clock
        return context(self.session.state, clock.now(), clock.utc_offset())

    def _capture(self, title: str, cmd: Cmd, ask: Callable[[Prompter], object]) -> None:
        """Run the prompts off the stage; a complete capture is one command, a cancelled one nothing."""
        from retreat.ui.prompts import Cancelled

        with self._off_stage(title):
            try:
                value = ask(self.prompter)
            except Cancelled:
                value = None
                self.say(_("Cancelled: nothing was recorded."))
        drain = getattr(self.keys, "drain", None)
        if drain is not None:
            drain()  # keys typed before the prompt appeared were meant for it, not for the stage
        if value is not None:
            self.command(cmd, value)

    @property
    def prompter(self) -> Prompter:
        if self._prompter is None:
            from retreat.ui.prompts import QuestionaryPrompter

            self._prompter = QuestionaryPrompter()
        unlocked = getattr(self.keys, "unlocked", None)
        return self._prompter if unlocked is None else _Unlocked(self._prompter, unlocked)

    @contextmanager
    def _off_stage(self, title: str) -> Iterator[None]:
        """A clean screen with a cursor for the prompts; the whole stage is repainted afterwards."""
        console = self.console
        if self._owns_screen:
            console.file.write("\x1b[H\x1b[2J")
            console.show_cursor(True)
            console.print(title, style="bold", highlight=False)
            console.print(_("Esc or Ctrl-C cancels: nothing is recorded until the last question is answered."),
                          style="dim", highlight=False)  # fmt: skip
            console.file.flush()
        try:
            yield
        finally:
            self._shown = None
            if self._owns_screen:
                from retreat.ui.screen import DiffScreen

                console.show_cursor(False)
                self._screen = DiffScreen(console)  # it knows no lines yet: it clears and paints all

    # --- a rehearsal? ------------------------------------------------------------------
    def ask_rehearsal(self, starting: bool = False) -> bool:
        """Ask whether this is a rehearsal, if the day is not the meeting's and nobody has
        answered yet; True if the question is now on screen (the next key answers it)."""
        from retreat.durations import format_date_in
        from retreat.i18n import language
        from retreat.schedule import needs_answer

        state = self.session.state
        date = state.agenda.meeting.date
        if date is None or not needs_answer(state, self.session.stamp(), self.session.clock.utc_offset()):
            return False
        question = _("Today is not the meeting's date ({date}). Is this a rehearsal?").format(
            date=format_date_in(date, language()))
        keys = (_("y: a rehearsal   n: no, the meeting itself   Esc: do not start yet") if starting
                else _("y: a rehearsal   n: no, the meeting itself   Esc: not now"))  # fmt: skip
        self._ask("rehearsal-start" if starting else "rehearsal", f"{question}\n{keys}")
        return True

    def answer_rehearsal(self, key: str, *, start: bool = False) -> None:
        """y: a rehearsal, n: the meeting itself; the answer is an event. Any other key records
        nothing (and starts nothing)."""
        if key not in ("y", "n"):
            self.say(_("Not started; nothing was recorded.") if start
                     else _("Not answered; nothing was recorded. You will be asked when the first item starts."))  # fmt: skip
            return
        try:
            self.session.handle(Cmd.REHEARSAL, key == "y")
        except CommandRefused as e:
            self.say(str(e))
            return
        if start:
            self.command(Cmd.TOGGLE, None)
        self.say(_("Recorded as a rehearsal: ahead and behind count from its first start; the minutes say so.")
                 if key == "y" else
                 _("Recorded as the meeting itself, on another day: ahead and behind count from the first start."))  # fmt: skip

    def _first_start(self) -> bool:
        """Would starting the current item be the meeting's first start?"""
        state = self.session.state
        return not state.item.active and all(s.started_at is None for s in state.items)

    def _last_item_open(self) -> bool:
        state = self.session.state
        return state.ended_at is None and state.current == len(state.items) - 1

    def _ask(self, what: str, prompt: str) -> None:
        self._confirm = what
        self._message, self._message_until = prompt, None

    def command(self, cmd: Cmd, value: object) -> None:
        try:
            events = self.session.handle(cmd, value)
        except CommandRefused as e:
            self.say(str(e))
            return
        if cmd is Cmd.ADJUST and events:
            limit = self.session.state.item.timer.limit
            self.say(_("Limit now {limit}").format(limit=_clock(limit)))
        elif cmd is Cmd.SILENCE:
            self.say(_("Alarm silenced"))
        elif cmd is Cmd.DRAW and events:
            asker = events[-1].data.get("asker") or _("A question from a phone")
            self.say(_("Drawn: {asker}").format(asker=asker))
        elif cmd in (Cmd.ASK, Cmd.ANSWER, Cmd.EDIT_QUESTION, Cmd.WITHDRAW_QUESTION) and events:
            self.say(_(_SAVED[cmd]).format(n=events[-1].data.get("qid", "")))
        elif self._message and self._message_until is not None:
            self.say("")  # an old complaint must not linger over a new state

    def say(self, message: str) -> None:
        self._message = message
        self._message_until = (
            self.session.clock.monotonic() + MESSAGE_SECONDS if message else None
        )

    # --- drawing ---------------------------------------------------------------------
    def view(self) -> View:
        return self.desk.decorate(snapshot(
            self.session.state,
            self.session.stamp(),
            self.session.clock.utc_offset(),
            message=self._message,
            overview=self.overview,
            join=self.join,
        ))

    def draw(self) -> bool:
        """Repaint if what would be shown differs from what is; True if it did."""
        view = self.view()
        key = (view, self.console.size)
        if key == self._shown:
            return False
        self._shown = key
        assert self._screen is not None
        self._screen.update(self.desk.frame(view, self.options), refresh=True)
        self.stats.frames += 1
        return True


_SAVED = {
    Cmd.ASK: N_("Question {n} recorded; the answer countdown runs."),
    Cmd.ANSWER: N_("Answer to question {n} recorded."),
    Cmd.EDIT_QUESTION: N_("Question {n} changed (the log keeps the earlier version)."),
    Cmd.WITHDRAW_QUESTION: N_("Question {n} withdrawn (the log keeps it)."),
}


class _Unlocked:
    """A prompter that lets the phone server at the session while a human types an answer
    (only then: what the prompt shows and checks was read from the session beforehand)."""

    def __init__(self, inner: Prompter, unlocked: Callable[[], AbstractContextManager[None]]) -> None:
        self._inner = inner
        self._unlocked = unlocked

    def text(self, message: str, *, default: str = "", validate: Validate | None = None) -> str:
        with self._unlocked():
            return self._inner.text(message, default=default, validate=validate)

    def select(self, message: str, options: Sequence[Option], *, default: str | None = None,
               validate: Validate | None = None) -> str:
        with self._unlocked():
            return self._inner.select(message, options, default=default, validate=validate)


def _clock(seconds: int) -> str:
    from retreat.durations import format_clock

    return format_clock(seconds)
