"""The vote screen on the stage: ballot entry, the board, reveal, rounds and tie rules.

Keys go through the run loop (`on_key`, or typed into a pipe for the whole loop), frames
are rendered to a recording Console, time is a fake clock.
"""

from __future__ import annotations

import io
import random
import re
from collections import deque
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from rich.cells import cell_len
from rich.console import Console
from support import kinds
from support.stage import DEMO, Desk, Painted, render
from support.stage import VOTE_STAGE_AGENDA as AGENDA

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting.ballot_box import parse_ranking
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.ui.keys import KeyReader
from retreat.ui.runloop import Outcome, RunLoop
from retreat.ui.vote_stage import VoteStage


@pytest.fixture
def vs(tmp_path: Path, clock: FakeClock):
    s = Session.create(tmp_path / "vote-stage.retreat", agenda_mod.load(AGENDA), clock)
    yield s
    s.close()


@pytest.fixture
def desk(vs: Session) -> Desk:
    return Desk(vs)


def at(desk: Desk, item: str) -> Desk:
    desk.session.handle(Cmd.GOTO, item)
    return desk


# --- the board ---------------------------------------------------------------------------


def test_board_shows_numbers_groups_and_the_countdown_but_no_scores(desk: Desk) -> None:
    desk.type("b1", "1 2 3\r", "2 1\r", "escape")
    screen = desk.screen()
    for n, title in enumerate(["社区食堂", "社区客厅", "养老服务联盟", "“民愿民规”社区微更新项目"], 1):
        assert f"{n} {title}" in screen
    assert "第一组 2/4" in screen and "第二组 0/3" in screen and "2 ballots in" in screen
    assert "hidden until they are revealed (v)" in screen
    assert "\u2588" in screen  # the big digits of the countdown
    assert "Borda points" not in screen and "Chosen:" not in screen and "Overall result" not in screen


def test_fourteen_chinese_titles_fit_80x24_in_two_columns(tmp_path: Path, clock: FakeClock) -> None:
    with Session.create(tmp_path / "demo.retreat", agenda_mod.load(DEMO), clock) as s:
        s.handle(Cmd.GOTO, "key-task-vote")
        desk = Desk(s).type("b1", "14 3 7\r")
        screen = desk.screen(80, 24)
        lines = screen.splitlines()
        assert len(lines) == 24
        spec = s.state.vote()
        for n, title in enumerate(spec.titles, 1):
            assert f"{n} {title}" in screen, title
        row = next(line for line in lines if "1 建设街道投资服务中心" in line)
        assert "8 违法建设专项整治" in row  # column-major: 1..7 left, 8..14 right
        assert "第一组 > _" in screen


@pytest.mark.parametrize(("width", "height"), [(40, 12), (60, 20), (80, 24), (100, 30), (200, 60), (20, 6)])
@pytest.mark.parametrize("stage", ["board", "entry", "result"])
def test_every_size_gives_exactly_the_screen(vs: Session, width: int, height: int, stage: str) -> None:
    desk = Desk(vs)
    if stage != "board":
        desk.type("b1", "1 2 3\r", "4 5 6\r", "9 9")
    if stage == "result":
        desk.type("escape", "vvvv")
    view = desk.loop.view()
    console = Console(file=io.StringIO(), width=width, height=height, color_system=None)
    lines = VoteStage(view, view.vote, desk.loop.options).frame_lines(console, console.options)
    assert len(lines) == height
    assert all(sum(cell_len(seg.text) for seg in line) == width for line in lines)


def test_ascii_has_no_blocks_and_no_curly_quotes(vs: Session) -> None:
    desk = Desk(vs, ascii=True)
    desk.type("b1", "4 1 2\r", "1 4\r", "escape")
    board = desk.screen()
    assert "\u2588" not in board and "\u201c" not in board and '4 "民愿民规"社区微更新项目' in board
    desk.type("vvv")
    result = desk.screen()
    assert "#" in result and "\u2588" not in result and "\u201c" not in result


def test_a_group_over_its_size_is_flagged(desk: Desk) -> None:
    desk.type("b2", "1\r", "2\r", "3\r", "4\r")
    assert "第二组 4/3!" in desk.screen()


# --- entry ---------------------------------------------------------------------------------


def test_superscript_digits_on_the_desk_are_refused_not_a_crash(desk: Desk, vs: Session) -> None:
    desk.type("b1", "1 ²\r")  # str.isdigit accepts '²'; int() does not
    assert "Not counted: 1 ²" in desk.screen()
    desk.type("escape", "c", "²\r")  # the chair's choice line
    assert desk.rankings() == []


def test_bad_lines_are_refused_with_the_reason_and_never_counted(desk: Desk, vs: Session) -> None:
    desk.type("b1", "1 2 3\r")
    for line, reason in [("1 9", "9 is not a candidate number (1 to 6)"), ("2 2", "2 is ranked twice"),
                         ("1 2 3 4", "at most 3")]:
        desk.type(line)
        assert "! " in desk.screen() and reason in desk.screen()  # checked as it is typed
        desk.type("\r")
        screen = desk.screen()
        assert f"Not counted: {line}" in screen and reason in screen
        assert "第一组 > _" in screen  # asked again, on an empty line
    desk.type("up")
    assert "第一组 > 1 2 3 4_" in desk.screen()  # the refused line comes back to be fixed
    desk.type("c-h", "c-h", "\r")
    assert desk.rankings() == [("canteen", "living-room", "elderly")] * 2
    assert kinds(vs).count("ballot_cast") == 2


def test_letters_in_a_ballot_line_are_not_typed(desk: Desk) -> None:
    desk.type("b1", "1 x")
    screen = desk.screen()
    assert "第一组 > 1 _" in screen and "Type candidate numbers" in screen


def test_an_empty_enter_is_not_a_ballot(desk: Desk) -> None:
    desk.type("b1", "\r", "\r")
    assert desk.rankings() == []


def test_u_undoes_the_last_ballot_as_an_event(desk: Desk, vs: Session) -> None:
    desk.type("b1", "1 2\r", "4 5\r")
    assert "Ballot #2 (第一组): 4 5" in desk.screen()
    desk.type("u")
    assert "Undone: Ballot #2 (第一组): 4 5" in desk.screen()
    desk.type("6\r", "escape", "u")  # in the board too
    assert desk.rankings() == [("canteen", "living-room")]
    assert kinds(vs)[-4:] == ["ballot_cast", "ballot_undone", "ballot_cast", "ballot_undone"]
    desk.type("u", "u")
    assert "there is no ballot to undo" in desk.screen()


def test_the_group_is_chosen_once_and_can_change(desk: Desk) -> None:
    desk.type("b", "2", "1\r", "2\r", "g", "1", "3\r", "escape", "b", "4\r")
    assert [b.group for b in desk.vote.counted] == ["g2", "g2", "g1", "g1"]  # b again keeps the group
    desk.type("escape", "b")
    assert "第一组 > _" in desk.screen()


def test_keys_typed_while_entering_are_text_not_stage_commands(desk: Desk, vs: Session) -> None:
    desk.type("b1", "1 2\r")
    desk.type("n", "q", "p", " ")  # n next, q quit, p back: letters are refused, space is text
    assert vs.state.item.item.id == "projects" and desk.loop._confirm is None
    desk.type("escape", "n")
    assert vs.state.item.item.id == "stv"


def test_groups_voting_as_groups_enter_one_ranking_each(desk: Desk) -> None:
    at(desk, "groups").type("b")
    assert "Working group?" in desk.screen()
    desk.type("\r", "1\r")  # Enter keeps the group offered (the first without a ranking)
    assert "第二组 > _" in desk.screen()
    desk.type("2\r")
    assert "Every group's ranking is in." in desk.screen()
    assert [(b.group, b.weight) for b in desk.vote.counted] == [("g1", 4), ("g2", 3)]
    desk.type("b", "1")
    assert "already in" in desk.screen()


def test_import_reports_rejected_rows_and_counts_the_rest(desk: Desk, tmp_path: Path, vs: Session) -> None:
    form = tmp_path / "form.csv"
    form.write_text("\ufeffrank1,rank2,rank3\n社区食堂,社区客厅,\n社区客厅,社区客厅,\n养老服务联盟,社区食堂,\n",
                    encoding="utf-8")
    desk.type("b1", "i", str(form), "\r")
    screen = desk.screen(100, 30)
    assert "Imported 2 ballot(s) from form.csv for 第一组" in screen
    assert "rejected, not counted" in screen and "line 3:" in screen
    assert len(desk.rankings()) == 2 and {b.group for b in desk.vote.counted} == {"g1"}
    assert {b.source for b in desk.vote.counted} == {"file:form.csv"}
    assert "第一组 > _" in screen  # back to typing ballots


def test_import_of_a_missing_or_broken_file_says_so(desk: Desk, tmp_path: Path) -> None:
    desk.type("i", str(tmp_path / "nope.csv"), "\r")
    assert "Cannot read" in desk.screen() and desk.rankings() == []
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00rank1\n")
    desk.type("c-u", str(bad), "\r")
    assert "Cannot read" in desk.screen() and desk.rankings() == []
    desk.type("escape")
    assert desk.loop.desk.mode == "board"


def test_random_keys_never_crash_and_only_valid_ballots_count(desk: Desk) -> None:
    rng = random.Random(7)
    keys = list("0123456789 ,>xug") + ["c-m", "c-m", "c-h", "up", "c-u", "c-w"]
    desk.type("b1")
    for _ in range(3000):
        desk.loop.on_key(rng.choice(keys))
        if desk.loop.desk.mode == "board":
            desk.type("b")
        if desk.loop.desk.mode == "group":
            desk.type("1")
        if desk.loop.desk.mode == "import":
            desk.type("escape")
    desk.screen()
    assert kinds(desk.session).count("ballot_cast") > 10
    for ranking in desk.rankings():
        assert parse_ranking(desk.vote, list(ranking)) == ranking


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_ballots_typed_into_a_pipe_through_the_whole_loop(vs: Session, clock: FakeClock) -> None:
    """The real key reader and run loop: keys in a pipe, the fake clock, frames out."""
    frames = Painted()
    steps = deque(["b", "1", "3 1 2\r", "9\r", "5 6\r", "u", "\x1b", 1.0, "v", "v", "v", "q", "y"])
    with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:

        class Script:
            def get(self, deadline=None):
                if reader._keys:
                    return reader.get(clock.monotonic())
                if not steps:
                    raise EOFError
                step = steps.popleft()
                if isinstance(step, float):
                    clock.advance(step)
                    return None
                pipe.send_text(step)
                return reader.get(clock.monotonic() + (0.2 if step == "\x1b" else 5))

        loop = RunLoop(vs, Script(), Console(file=io.StringIO(), width=80, height=24), screen=frames)
        loop.desk.seed = lambda: 42
        outcome = loop.run()
    assert outcome is Outcome.QUIT
    vote = vs.state.vote()
    assert [b.ranking for b in vote.counted] == [("elderly", "canteen", "living-room")]
    assert vote.revealed == [("g1", 42), ("all", 42)]
    texts = [render(f) for f in frames.frames]
    assert any("9 is not a candidate number" in t for t in texts)
    assert "Overall result" in texts[-1] or "Overall result" in texts[-2]


# --- reveal ----------------------------------------------------------------------------------


def ballots(desk: Desk) -> Desk:
    return desk.type("b1", "1 2 3\r", "1 3\r", "2 1 4\r", "g2", "3 1 2\r", "2 3\r", "escape")


def test_the_chinese_result_lines_use_chinese_punctuation(desk: Desk) -> None:
    from retreat import i18n

    i18n.set_language("zh-CN")
    ballots(desk).type("v", "v", "v", "v")
    screen = desk.screen()
    assert "波达得分；5 张选票" in screen and "; " not in screen


def test_reveal_asks_first_then_shows_each_group_then_everyone(desk: Desk, vs: Session) -> None:
    ballots(desk).type("v")
    assert "Close voting and reveal" in desk.screen()
    desk.type("x")
    assert "nothing was revealed" in desk.screen() and not desk.vote.revealed
    desk.type("v", "v")
    screen = desk.screen()
    assert "Result of 第一组: Borda points; 3 ballots" in screen
    assert re.search(r"\+ +1 1 社区食堂 .* 17 top", screen)  # a group's top places: not "chosen"
    assert "chosen" not in screen.split("Result of")[1].split("v next")[0]
    desk.type("v")
    assert "Result of 第二组" in desk.screen()
    desk.type("v")
    screen = desk.screen()
    # m = 6: 1st 6, 2nd 5, 3rd 4. canteen 6+6+5+5=22, living-room 5+6+4+6=21, elderly 4+5+6+5=20
    assert "Overall result: Borda points; 5 ballots" in screen
    assert re.search(r"\* +1 1 社区食堂 +█+ +22 chosen", screen)
    assert re.search(r"\* +2 2 社区客厅 +█+ +21 chosen", screen) and "Chosen: 社区食堂, 社区客厅" in screen
    assert re.search(r"\n +3 3 养老服务联盟 +█+ +20 +\n", screen)
    assert "\u2588" * 10 in screen  # the bars
    assert kinds(vs).count("result_revealed") == 3
    desk.type("b")
    assert "voting is closed" in desk.screen()
    desk.type("v")  # all revealed: v shows them again in turn
    assert "Result of 第一组" in desk.screen()


def test_bars_are_proportional_to_the_scores(desk: Desk) -> None:
    ballots(desk).type("vvvv")
    lines = {re.search(r"\d ([^\s\d]\S*) ", line)[1]: line.count("\u2588")  # type: ignore[index]
             for line in desk.screen().splitlines() if "\u2588" in line}
    assert lines["社区食堂"] > lines["养老服务联盟"] > lines["“民愿民规”社区微更新项目"] > 0
    assert abs(lines["“民愿民规”社区微更新项目"] / lines["社区食堂"] - 4 / 22) < 0.05


def test_a_lot_shows_its_seed(desk: Desk) -> None:
    desk.type("b1", "1 2\r", "2 3\r", "3 1\r", "escape", "vvv")  # 11 points each, 2 seats: a lot
    screen = desk.screen()
    assert "Tie for the last seats among 社区食堂, 社区客厅, 养老服务联盟: drawn by lot," in screen
    assert "seed 42: 社区客厅." in screen


def test_stv_steps_through_the_rounds(desk: Desk) -> None:
    at(desk, "stv").type("b1")
    # 9 ballots, 2 seats: Droop quota 4. a 5 first choices, b 2, c 1, d 1.
    for line in ["1 2", "1 2", "1 2", "1 3", "1 4", "2 3", "2 1", "3 2", "4 3"]:
        desk.type(line, "\r")
    desk.type("escape", "v", "v", "v")  # confirm, the group, everyone
    screen = desk.screen()
    assert "Round 1 of" in screen and "first choices" in screen and "quota 4 (|)" in screen
    assert "Elected in this round: 建设街道投资服务中心" in screen
    assert "surplus passes on" in screen
    rounds = int(screen.split("Round 1 of ")[1].split(":")[0])
    assert rounds > 1 and "Chosen:" not in screen
    desk.type(".")
    assert "Round 2 of" in desk.screen() and "votes after transfers" in desk.screen()
    desk.type(*["right"] * rounds)
    final = desk.screen()
    assert f"Round {rounds} of {rounds}" in final and "Chosen: 建设街道投资服务中心, 基层党组织书记培训" in final
    desk.type(",", "left")
    assert f"Round {rounds - 2} of" in desk.screen()


def three_way_tie(desk: Desk, item: str) -> Desk:
    return at(desk, item).type("b1", "1\r", "2\r", "3\r", "escape", "vvv")


def test_chair_tie_rule_waits_for_the_chair(desk: Desk, vs: Session) -> None:
    screen = three_way_tie(desk, "chair").screen()
    assert "The chair decides:" in screen and "1 甲方案, 2 乙方案, 3 丙方案" in screen
    assert "Chosen" not in screen and "= =1 1 甲方案" in screen and "drawn by lot" not in screen
    desk.type("c")
    assert "The chair chooses (numbers)" in desk.screen()
    desk.type("1 2\r")
    assert "choose 1 of the tied" in desk.screen()
    desk.type("2\r")
    screen = desk.screen()
    assert "The chair chose 乙方案" in screen and "Chosen: 乙方案" in screen
    assert "tie_decided" in kinds(vs)


def test_runoff_tie_rule_opens_a_vote_among_the_tied(desk: Desk) -> None:
    screen = three_way_tie(desk, "runoff").screen()
    assert "press f to open it" in screen and "drawn by lot" not in screen
    desk.type("f")
    screen = desk.screen()
    assert "Runoff among the tied: 再次表决" in screen and "1 甲方案" in screen
    desk.type("b1", "3\r", "3\r", "1\r", "escape", "vvv")
    screen = desk.screen()
    assert "Overall result" in screen and "Chosen: 丙方案" in screen


def test_the_result_screen_costs_no_recount_per_frame(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    ballots(desk).type("vvvv")
    desk.loop.view()
    import retreat.ui.vote_view as vote_view

    calls = []
    real = vote_view.tally
    monkeypatch.setattr(vote_view, "tally", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(vote_view, "chosen", lambda *a, **k: calls.append(1))
    for _ in range(5):
        desk.loop.view()
    assert calls == []


def test_a_rehearsals_vote_board_and_results_are_marked(tmp_path: Path) -> None:
    s = Session.create(tmp_path / "eve.retreat", agenda_mod.load(AGENDA), FakeClock(start_wall=86_400.0 * 365))
    with s:
        s.handle(Cmd.REHEARSAL, True)
        desk = Desk(s).type("b1", "1 2 3\r", "escape")
        assert desk.screen().splitlines()[0].split()[:2] == ["Rehearsal", "1/5"]
        desk.type("vvvv")
        assert desk.screen().splitlines()[0].split()[:1] == ["Rehearsal"]


def test_message_keys_work_on_the_board_but_type_into_a_ballot_line(desk: Desk) -> None:
    desk.type("2")
    assert desk.session.state.speaker_message == "请总结"
    assert "请总结" in desk.screen(80, 24).splitlines()[0]
    desk.type("b1", "1 2 3")  # the digits are candidate numbers on the line
    assert desk.session.state.speaker_message == "请总结" and desk.loop.desk.mode != "board"
    desk.type("\r", "escape", "0")
    assert desk.session.state.speaker_message is None
    assert "请总结" not in desk.screen(80, 24)
