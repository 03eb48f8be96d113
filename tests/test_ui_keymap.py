"""The keymap is the one list of keys: no key means two things on a screen, the loop handles
exactly the keys it lists, and the help lines name only keys of their own screen."""

from __future__ import annotations

import io
import string

import pytest
from rich.console import Console
from support.stage import Desk, Frames, NoKeys

from retreat.i18n import _
from retreat.ui import keymap
from retreat.ui.keymap import Action
from retreat.ui.runloop import RunLoop
from retreat.ui.stage import StageOptions, key_help

NAMED = ["escape", "up", "down", "left", "right", "c-m", "c-j", "c-h", "backspace", "c-u", "c-w", "c-i",
         "home", "end", "delete", "pageup", "f1"]
CANDIDATES = [*string.printable.strip(), " ", *NAMED]
# How a help line names a key, where it is not the key itself.
SHOWN = {"space": (" ",), "Enter": keymap.ENTER_KEYS, "Esc": ("escape",), "+/-": ("+", "-")}
CONDITIONS = ("phones", "waiting", "hidden", "revealed", "chair", "runoff")


@pytest.mark.parametrize("screen", keymap.SCREENS, ids=lambda s: s.name)
def test_no_two_actions_share_a_key_on_one_screen(screen: keymap.Screen) -> None:
    actions: dict[str, set[Action]] = {}
    for binding in screen.bindings:
        for key in binding.keys:
            actions.setdefault(key, set()).add(binding.action)
    assert {k: a for k, a in actions.items() if len(a) > 1} == {}


def test_the_loops_own_table_agrees_with_every_screen_it_merges() -> None:
    for screen in (keymap.STAGE, keymap.QA, keymap.JOIN):
        for binding in screen.bindings:
            assert all(keymap.LOOP[k] is binding.action for k in binding.keys), (screen.name, binding)


@pytest.mark.parametrize("screen", keymap.SCREENS, ids=lambda s: s.name)
def test_help_lines_only_name_keys_of_their_screen(screen: keymap.Screen) -> None:
    for shown, _label in screen.help(*CONDITIONS):
        assert set(SHOWN.get(shown, (shown,))) <= screen.keys(), (screen.name, shown)
    assert set(screen.drop) <= {shown for shown, _label in screen.help(*CONDITIONS)}


def _parts(line: str) -> list[str]:
    """The key each part of a drawn help line starts with (parts are two spaces apart)."""
    return [part.split()[0] for part in line.strip().split("  ") if part.strip()]


def _named(screen: keymap.Screen) -> set[str]:
    return {shown for shown, _label in screen.help(*CONDITIONS)}


def test_drawn_help_lines_name_keys_of_their_screen(session, vs) -> None:
    for width in (20, 60, 120):
        assert set(_parts(key_help(width))) <= _named(keymap.STAGE)
        assert set(_parts(key_help(width, dict(keymap.QA.help(*CONDITIONS)), keymap.QA.drop))) <= _named(keymap.QA)
    loop = RunLoop(session, NoKeys(), Console(file=io.StringIO(), width=100, height=30), screen=Frames(session),
                   options=StageOptions(phones="http://10.0.0.2:8000"))  # fmt: skip
    loop.draw()
    stage = loop._screen.text(0).rstrip().splitlines()[-1]  # type: ignore[union-attr]
    assert set(_parts(stage)) <= _named(keymap.STAGE) and "j" in _parts(stage)
    desk = Desk(vs)
    for typed, screen in (("", keymap.VOTE_BOARD), ("b1", keymap.BALLOT_LINE)):
        desk.type(typed)
        line = desk.screen(100, 30).rstrip().splitlines()[-1]
        assert set(_parts(line)) <= _named(screen), line


def _said(session, key: str) -> str:
    loop = RunLoop(session, NoKeys(), Console(file=io.StringIO()), screen=Frames(session))
    loop.on_key(key)
    return loop.view().message


def test_the_loop_handles_exactly_the_keys_in_the_keymap(session) -> None:
    reminder = _(keymap.STAGE.reminder)
    for key in CANDIDATES:
        name = key.lower() if len(key) == 1 else key
        listed = name in keymap.LOOP and keymap.LOOP[name] is not Action.HIDE_JOIN  # Esc only on the join screen
        assert (_said(session, key) != reminder) == listed, repr(key)


def test_the_vote_desk_takes_exactly_its_board_keys(vs) -> None:
    desk = Desk(vs).loop.desk
    for key in CANDIDATES:
        assert desk.takes(key) == (keymap.VOTE_BOARD.action(key) in keymap.BOARD_ACTIONS), repr(key)
    board = {k for b in keymap.VOTE_BOARD.bindings for k in b.keys}
    assert {k for k in board if not desk.takes(k)} <= set(keymap.LOOP)  # the rest are the stage's


def test_sentences_name_the_keys_of_their_screen() -> None:
    assert {"j", "escape"} <= keymap.JOIN.keys() and keymap.JOIN.reminder.startswith("j or Esc")
    for screen in (keymap.REHEARSAL, keymap.REHEARSAL_START):
        assert {"y", "n", "escape"} <= screen.keys() and screen.reminder.startswith("y: a rehearsal   n: no")
    assert keymap.OVERVIEW.action("o") is Action.OVERVIEW and keymap.OVERVIEW.reminder.startswith("o ")


def test_the_message_keys_work_on_every_screen_that_shows_the_timing_and_nowhere_else() -> None:
    keys = {"1": Action.MESSAGE_1, "2": Action.MESSAGE_2, "3": Action.MESSAGE_3, "0": Action.CLEAR_MESSAGE}
    for screen in (keymap.STAGE, keymap.QA, keymap.OVERVIEW, keymap.JOIN, keymap.VOTE_BOARD):
        assert {k: screen.action(k) for k in keys} == keys, screen.name
    for screen in (keymap.BALLOT_LINE, keymap.ENTRY_LINE, keymap.CONFIRM, keymap.REHEARSAL):
        assert not set(keys) & screen.keys(), screen.name
