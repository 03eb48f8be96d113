"""Every key of the stage, in one place: which screen takes it, what it does, how the help line names it.

The run loop, the Q&A desk and the vote desk look a key's action up here, and the help
lines at the foot of each screen are drawn from the same declarations, so a key cannot
work without being listed, nor be listed where it does nothing. Keys are named as
`ui.keys.KeyReader` reports them: the character for a printable key (` ` is space),
prompt_toolkit's names for the rest (`c-m` and `c-j` are Enter, `escape`, `up`).

A screen whose help is a sentence (the join screen, the confirmations, the rehearsal
question) keeps its sentence here too, marked for translation, beside its keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from retreat.i18n import N_, _


class Action(StrEnum):
    # the stage
    TOGGLE = "toggle"
    NEXT = "next"
    BACK = "back"
    LONGER = "longer"
    SHORTER = "shorter"
    SILENCE = "silence"
    TICK = "tick"
    OVERVIEW = "overview"
    JOIN = "join"
    HIDE_JOIN = "hide-join"
    SWITCH_CODE = "switch-code"  # Tab on the join screen: the phones' join code or the podium timer's
    QUIT = "quit"
    MESSAGE_1 = "message-1"  # the facilitator's messages to the speaker
    MESSAGE_2 = "message-2"
    MESSAGE_3 = "message-3"
    CLEAR_MESSAGE = "clear-message"
    INTERRUPT = "interrupt"
    TASKS = "tasks"  # l: the department's tasks of last year, during its report
    HIDE_TASKS = "hide-tasks"
    # questions from the grassroots
    DRAW = "draw"
    QUESTION = "question"
    PHONE_QUESTION = "phone-question"
    ANSWER = "answer"
    EDIT = "edit"
    WITHDRAW = "withdraw"
    # the vote board
    ENTER_BALLOTS = "enter-ballots"
    UNDO = "undo"
    IMPORT = "import"
    REVEAL = "reveal"
    NEXT_ROUND = "next-round"
    PREVIOUS_ROUND = "previous-round"
    CHAIR = "chair"
    RUNOFF = "runoff"
    # the vote desk's entry line
    ENTER = "enter"
    LEAVE = "leave"
    ERASE = "erase"
    CLEAR = "clear"
    ERASE_WORD = "erase-word"
    RECALL = "recall"
    GROUP = "group"
    # confirmations and the rehearsal question
    YES = "yes"
    REHEARSAL = "rehearsal"
    MEETING = "meeting"
    LATER = "later"


@dataclass(frozen=True)
class Binding:
    action: Action
    keys: tuple[str, ...]  # as the key reader names them
    shown: str = ""  # how the help line names it; "" leaves it off the line
    label: str = ""  # marked with N_, translated when drawn
    when: str = ""  # on the help line only while this holds (e.g. "phones"); the key works regardless


@dataclass(frozen=True)
class Screen:
    name: str
    bindings: tuple[Binding, ...]
    drop: tuple[str, ...] = ()  # labels dropped first when the help line is short, by shown name
    reminder: str = ""  # a help sentence, marked with N_

    def action(self, key: str) -> Action | None:
        return next((b.action for b in self.bindings if key in b.keys), None)

    def keys(self) -> frozenset[str]:
        return frozenset(k for b in self.bindings for k in b.keys)

    def help(self, *when: str) -> tuple[tuple[str, str], ...]:
        """(key, what it does) for the help line, in screen order, for the conditions that hold."""
        return tuple((b.shown, _(b.label)) for b in self.bindings if b.shown and (not b.when or b.when in when))


ENTER_KEYS = ("c-m", "c-j")

_SPACE = Binding(Action.TOGGLE, (" ",), "space", N_("start/pause"))
_NEXT = Binding(Action.NEXT, ("n",), "n", N_("next"))
_BACK = Binding(Action.BACK, ("p",), "p", N_("back"))
_LONGER = Binding(Action.LONGER, ("+", "="), "+/-", N_("1 min"))  # = is the + key without Shift
_SHORTER = Binding(Action.SHORTER, ("-", "_"))  # named with + on the help line
_SILENCE = Binding(Action.SILENCE, ("a",), "a", N_("silence"))
_TICK = Binding(Action.TICK, ("t",), "t", N_("tick point"))
_OVERVIEW = Binding(Action.OVERVIEW, ("o",), "o", N_("overview"))
_JOIN = Binding(Action.JOIN, ("j",), "j", N_("phone QR"), when="phones")  # only with --participate
_QUIT = Binding(Action.QUIT, ("q",), "q", N_("quit"))
_INTERRUPT = Binding(Action.INTERRUPT, ("c-c",))
# During a department's report: its tasks of last year (去年工作完成情况), from the previous
# sessions' snapshot. Off the help lines, like the messages; the reminder names it.
_TASKS = Binding(Action.TASKS, ("l",))
# A short message to the speaker, top right of the stage until 0 or the next item. Left off the
# help lines (at 80 columns they would push out the keys the room needs); the reminder names them.
_MESSAGE_KEYS = (
    Binding(Action.MESSAGE_1, ("1",)),
    Binding(Action.MESSAGE_2, ("2",)),
    Binding(Action.MESSAGE_3, ("3",)),
    Binding(Action.CLEAR_MESSAGE, ("0",)),
)

STAGE = Screen(
    "stage",
    (_SPACE, _NEXT, _BACK, _LONGER, _SHORTER, _SILENCE, _TICK, _OVERVIEW, _JOIN, *_MESSAGE_KEYS, _TASKS, _QUIT,
     _INTERRUPT),
    drop=("t", "p", "o", "j", "+/-", "a", "n", "space", "q"),
    reminder=N_("Keys: space start/pause, n next, p back, + and - a minute, a silence, "
                "t tick a point, o overview, j phones' QR code, 1 2 3 a message to the speaker (0 clears it), "
                "l last year's tasks (in a report), q quit; on Q&A items d k r e w m, on votes b u i v."),  # fmt: skip
)

QA = Screen(
    "qa",
    (
        Binding(Action.DRAW, ("d",), "d", N_("draw")),
        Binding(Action.QUESTION, ("k", *ENTER_KEYS), "k", N_("question")),
        Binding(Action.PHONE_QUESTION, ("m",), "m", N_("phone question"), when="waiting"),
        Binding(Action.ANSWER, ("r",), "r", N_("answer")),
        Binding(Action.EDIT, ("e",), "e", N_("edit")),
        Binding(Action.WITHDRAW, ("w",), "w", N_("withdraw")),
        _SILENCE, _SPACE, _NEXT, _BACK, _LONGER, _SHORTER, _OVERVIEW, _JOIN, *_MESSAGE_KEYS, _QUIT, _INTERRUPT,
    ),
    # Most important last: dropped first when the line is short.
    drop=("o", "j", "+/-", "p", "n", "space", "q", "a", "w", "e", "r", "m", "k", "d"),
    reminder=N_("d, k, r, e, w and m work on a Q&A item (Questions from the grassroots)."),
)

OVERVIEW = Screen("overview", STAGE.bindings, STAGE.drop, reminder=N_("o back to the stage"))

JOIN = Screen(
    "join",
    (Binding(Action.JOIN, ("j",)), Binding(Action.HIDE_JOIN, ("escape",)), Binding(Action.SWITCH_CODE, ("c-i",)),
     _SPACE, _NEXT, _BACK, _LONGER, _SHORTER, _SILENCE, _TICK, _OVERVIEW, *_MESSAGE_KEYS, _QUIT, _INTERRUPT),
    reminder=N_("j or Esc: back to the stage"),
)
# What Tab does on the join screen, after its reminder: the code it switches to.
JOIN_TAB = N_("Tab: the podium timer's code")
TIMER_TAB = N_("Tab: the phones' join code")

# `l`: a department's tasks of last year (ui/previous_view); the stage's keys still work under it.
TASKS = Screen(
    "last year's tasks",
    (Binding(Action.TASKS, ("l",)), Binding(Action.HIDE_TASKS, ("escape",)),
     _SPACE, _NEXT, _BACK, _LONGER, _SHORTER, _SILENCE, _TICK, _OVERVIEW, *_MESSAGE_KEYS, _QUIT, _INTERRUPT),
    reminder=N_("l or Esc: back to the stage"),
)

_REVEALED, _HIDDEN = "revealed", "hidden"
VOTE_BOARD = Screen(
    "vote board",
    (
        Binding(Action.ENTER_BALLOTS, ("b",), "b", N_("enter ballots"), when=_HIDDEN),
        Binding(Action.UNDO, ("u",), "u", N_("undo"), when=_HIDDEN),
        Binding(Action.IMPORT, ("i",), "i", N_("import"), when=_HIDDEN),
        Binding(Action.REVEAL, ("v",), "v", N_("reveal"), when=_HIDDEN),
        Binding(Action.REVEAL, ("v",), "v", N_("next result"), when=_REVEALED),
        Binding(Action.NEXT_ROUND, (".", "right"), ".", N_("next round"), when=_REVEALED),
        Binding(Action.PREVIOUS_ROUND, (",", "left"), ",", N_("previous round"), when=_REVEALED),
        Binding(Action.CHAIR, ("c",), "c", N_("chair decides"), when="chair"),
        Binding(Action.RUNOFF, ("f",), "f", N_("runoff"), when="runoff"),
        Binding(Action.TOGGLE, (" ",), "space", N_("start/pause"), when=_HIDDEN),
        _NEXT, _OVERVIEW, _JOIN, _QUIT,
        _BACK, _LONGER, _SHORTER, _SILENCE, _TICK, *_MESSAGE_KEYS, _INTERRUPT,  # the stage's, left off the board's line
    ),
)
# What the vote desk takes on its board; the rest of the board's keys are the stage's.
BOARD_ACTIONS = frozenset({Action.ENTER_BALLOTS, Action.UNDO, Action.IMPORT, Action.REVEAL, Action.NEXT_ROUND,
                           Action.PREVIOUS_ROUND, Action.CHAIR, Action.RUNOFF})  # fmt: skip

_LINE_EDITING = (
    Binding(Action.ERASE, ("c-h", "backspace")),
    Binding(Action.CLEAR, ("c-u",)),
    Binding(Action.ERASE_WORD, ("c-w",)),
)
_LEAVE = Binding(Action.LEAVE, ("escape",), "Esc", N_("leave entry"))
BALLOT_LINE = Screen(
    "ballot line",
    (
        Binding(Action.ENTER, ENTER_KEYS, "Enter", N_("count it")),
        # u, g and i on an empty line only: typed into a line they are refused
        Binding(Action.UNDO, ("u", "U"), "u", N_("undo")),
        Binding(Action.GROUP, ("g", "G"), "g", N_("group")),
        Binding(Action.IMPORT, ("i", "I"), "i", N_("import")),
        _LEAVE,
        Binding(Action.RECALL, ("up",)),
        *_LINE_EDITING,
    ),
    reminder=N_("Type candidate numbers with spaces; Enter counts the line. On an empty line: "
                "u undo, g group, i import; Esc leaves."),  # fmt: skip
)
# The other lines of the vote desk: the working group, a ballot file, the chair's choice.
ENTRY_LINE = Screen("entry line", (Binding(Action.ENTER, ENTER_KEYS, "Enter", N_("OK")), _LEAVE, *_LINE_EDITING))

CONFIRM = Screen("confirmation", (Binding(Action.YES, ("y",)),))  # any other key: no
REHEARSAL = Screen(
    "rehearsal question",
    (Binding(Action.REHEARSAL, ("y",)), Binding(Action.MEETING, ("n",)), Binding(Action.LATER, ("escape",))),
    reminder=N_("y: a rehearsal   n: no, the meeting itself   Esc: not now"),
)
REHEARSAL_START = Screen("rehearsal question, starting", REHEARSAL.bindings,
                         reminder=N_("y: a rehearsal   n: no, the meeting itself   Esc: do not start yet"))

SCREENS = (STAGE, QA, OVERVIEW, JOIN, TASKS, VOTE_BOARD, BALLOT_LINE, ENTRY_LINE, CONFIRM, REHEARSAL, REHEARSAL_START)

# The run loop's own keys, on every item: the stage's, the Q&A keys (which explain
# themselves off a Q&A item) and the join screen's Esc.
LOOP: dict[str, Action] = {k: b.action for screen in (STAGE, QA, JOIN) for b in screen.bindings for k in b.keys}


def with_join(keys: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A board's help line with j (the phones' join screen) before its last key, q."""
    return (*keys[:-1], (_JOIN.shown, _(_JOIN.label)), keys[-1]) if keys else keys
