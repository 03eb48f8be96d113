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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from retreat.errors import CommandRefused
from retreat.i18n import _
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.ui import keymap
from retreat.ui.alarm import next_flash_change
from retreat.ui.keymap import Action
from retreat.ui.loop import KeyLoop, Keys, Outcome, Screen, Stats
from retreat.ui.qa_desk import QADesk
from retreat.ui.stage import StageOptions
from retreat.ui.view import View, snapshot
from retreat.ui.vote_entry import VoteDesk

if TYPE_CHECKING:
    from rich.console import Console

    from retreat.meeting.events import Event
    from retreat.meeting.session import Session
    from retreat.ui.alarm import Alarm
    from retreat.ui.previous_view import TasksPanel
    from retreat.ui.prompts import Prompter

__all__ = ["Keys", "Outcome", "RunLoop", "Screen", "Stats"]

MESSAGE_SECONDS = 4.0
ALARM_KINDS = (EventKind.TIME_UP, EventKind.ALARM_REPEATED)
# The stage's keys that are one session command each (and the value it carries).
COMMANDS: dict[Action, tuple[Cmd, object]] = {
    Action.TOGGLE: (Cmd.TOGGLE, None),
    Action.NEXT: (Cmd.NEXT, None),
    Action.BACK: (Cmd.PREVIOUS, None),
    Action.LONGER: (Cmd.ADJUST, 60),
    Action.SHORTER: (Cmd.ADJUST, -60),
    Action.SILENCE: (Cmd.SILENCE, None),
    Action.TICK: (Cmd.TICK_POINT, None),
    Action.MESSAGE_1: (Cmd.MESSAGE, 1),
    Action.MESSAGE_2: (Cmd.MESSAGE, 2),
    Action.MESSAGE_3: (Cmd.MESSAGE, 3),
    Action.CLEAR_MESSAGE: (Cmd.MESSAGE, 0),
}
QA_ACTIONS = frozenset(b.action for b in keymap.QA.bindings) - frozenset(b.action for b in keymap.STAGE.bindings)


class RunLoop(KeyLoop):
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
        previous: Callable[[], Mapping[str, object]] | None = None,
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
        self.tasks_for: str | None = None  # l: the item whose department's tasks of last year are shown
        # The previous sessions' tasks (ledger.snapshot), read by the shell: recorded as the first item starts
        self._previous = previous
        self._message = ""
        self._message_until: float | None = None
        self._confirm: str | None = None  # "quit", "end", "rehearsal" or "rehearsal-start" while waiting for a key
        self._due_at: float | None = None
        self._shown: tuple[object, ...] | None = None
        self.desk = VoteDesk(session, self.say)  # a vote item's keys and screen
        self.qa = QADesk(session, self.say, self.command, self._off_stage, keys, prompter)  # a Q&A item's
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
        return self.run_loop()

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
            self.tasks_for = None

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
            return self.on_answer(key)
        if self.tasks_for is not None and keymap.TASKS.action(key) in (Action.TASKS, Action.HIDE_TASKS):
            self.tasks_for = None  # l again, or Esc: back to the stage
            return None
        action = keymap.LOOP.get(key)
        if action is Action.QUIT:
            self._ask("quit", _("Quit? Press y to leave (everything is saved), any other key to stay."))
        elif action is Action.OVERVIEW:
            self.overview = not self.overview
            self.join, self.tasks_for = False, None
        elif action is Action.JOIN or (action is Action.HIDE_JOIN and self.join):
            self.on_join_key(action)
        elif action is Action.SWITCH_CODE:
            self.on_switch_code()
        elif action is Action.TASKS:
            self.on_tasks_key()
        elif action is Action.NEXT and self._last_item_open():
            self._ask("end", _("This is the last item: end the meeting? Press y to end it, any other key to stay."))
        elif action is Action.TICK and not self.session.state.item.item.points:
            self.say(_("This item has no talking points."))
        elif action in QA_ACTIONS:
            self.qa.on_key(action)
        elif action in COMMANDS:
            cmd, value = COMMANDS[action]
            if cmd is Cmd.TOGGLE and self._first_start() and self.ask_rehearsal(starting=True):
                return None  # the item starts once the question is answered
            if cmd is Cmd.SILENCE and self.alarm is not None:
                self.alarm.stop()
            self.command(cmd, value)
        else:
            self.say(_(keymap.STAGE.reminder))
        return None

    def on_answer(self, key: str) -> Outcome | None:
        """The key after a question: y (or n) answers it, any other key leaves things as they were."""
        confirm, self._confirm = self._confirm, None
        self.say("")
        if confirm is not None and confirm.startswith("rehearsal"):
            self.answer_rehearsal(keymap.REHEARSAL.action(key), start=confirm == "rehearsal-start")
            return None
        if keymap.CONFIRM.action(key) is not Action.YES:
            return None
        if confirm == "quit":
            return Outcome.QUIT
        self.command(Cmd.NEXT, None)
        return None

    def on_join_key(self, action: Action) -> None:
        """j shows phones how to join (and hides it again), Esc hides it; only with --participate."""
        if action is Action.HIDE_JOIN or self.join:
            self.join = False
        elif not self.options.phones:
            self.say(_("Phones are not on: start with `retreat run --participate`."))
        else:
            self.join, self.overview, self.tasks_for = True, False, None
            self.options = replace(self.options, show_timer=False)  # j opens on the phones' join code

    def on_switch_code(self) -> None:
        """Tab on the join screen: the phones' join code or the podium timer's, in turn."""
        if not self.options.phones:
            self.say(_("Phones are not on: start with `retreat run --participate`."))
        elif not self.join:
            self.say(_("Tab switches the code on the phones' screen: press j first."))
        elif self.options.timer_url:
            self.options = replace(self.options, show_timer=not self.options.show_timer)
            self._shown = None  # the view is the same: repaint for the other code

    def on_tasks_key(self) -> None:
        """l during a department's work report: its tasks of last year, from the recorded snapshot."""
        state = self.session.state
        if state.item.item.kind != "report" or state.ended_at is not None:
            self.say(_("l shows a department's tasks of last year during its work report."))
            return
        self.tasks_for, self.overview, self.join = state.item.item.id, False, False

    def record_previous(self) -> None:
        """Record the previous sessions' tasks as the meeting's first item starts (once)."""
        if self._previous is None or self.session.state.previous_tasks is not None:
            return
        try:
            self.session.handle(Cmd.RECORD_PREVIOUS, self._previous())
        except CommandRefused as e:
            self.say(str(e))

    # --- questions from the grassroots: prompts off the stage ----------------------------
    @property
    def prompter(self) -> Prompter:
        return self.qa.prompter

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
        from retreat.meeting.schedule import needs_answer

        state = self.session.state
        date = state.agenda.meeting.date
        if date is None or not needs_answer(state, self.session.stamp(), self.session.clock.utc_offset()):
            return False
        question = _("Today is not the meeting's date ({date}). Is this a rehearsal?").format(
            date=format_date_in(date, language()))
        keys = _((keymap.REHEARSAL_START if starting else keymap.REHEARSAL).reminder)
        self._ask("rehearsal-start" if starting else "rehearsal", f"{question}\n{keys}")
        return True

    def answer_rehearsal(self, action: Action | None, *, start: bool = False) -> None:
        """y: a rehearsal, n: the meeting itself; the answer is an event. Any other key records
        nothing (and starts nothing)."""
        rehearsal = action is Action.REHEARSAL
        if not rehearsal and action is not Action.MEETING:
            self.say(_("Not started; nothing was recorded.") if start
                     else _("Not answered; nothing was recorded. You will be asked when the first item starts."))  # fmt: skip
            return
        try:
            self.session.handle(Cmd.REHEARSAL, rehearsal)
        except CommandRefused as e:
            self.say(str(e))
            return
        if start:
            self.command(Cmd.TOGGLE, None)
        self.say(_("Recorded as a rehearsal: ahead and behind count from its first start; the minutes say so.")
                 if rehearsal else
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

    def command(self, cmd: Cmd, value: object) -> list[Event] | None:
        """Send one command; a refusal is said, and None returned instead of its events."""
        if cmd in (Cmd.TOGGLE, Cmd.START) and self._first_start():
            self.record_previous()
        try:
            events = self.session.handle(cmd, value)
        except CommandRefused as e:
            self.say(str(e))
            return None
        if cmd is Cmd.ADJUST and events:
            limit = self.session.state.item.timer.limit
            self.say(_("Limit now {limit}").format(limit=_clock(limit)))
        elif cmd is Cmd.SILENCE:
            self.say(_("Alarm silenced"))
        elif self._message and self._message_until is not None:
            self.say("")  # an old complaint must not linger over a new state (the Q&A desk may say its own)
        return events

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
        tasks = self.tasks_panel()
        key: tuple[object, ...] = (view, self.console.size) if tasks is None else (view, self.console.size, tasks)
        if key == self._shown:
            return False
        self._shown = key
        assert self._screen is not None
        if tasks is not None:
            from retreat.ui.previous_view import TasksScreen

            self._screen.update(TasksScreen(view, tasks, self.options), refresh=True)
        else:
            self._screen.update(self.desk.frame(view, self.options), refresh=True)
        self.stats.frames += 1
        return True


    def tasks_panel(self) -> TasksPanel | None:
        """What `l` shows, while it is on for the current item (it closes with the item)."""
        state = self.session.state
        if self.tasks_for is None or self.tasks_for != state.item.item.id or state.ended_at is not None:
            return None
        from retreat.ui.previous_view import panel

        return panel(state, state.item.item)


def _clock(seconds: int) -> str:
    from retreat.durations import format_clock

    return format_clock(seconds)
