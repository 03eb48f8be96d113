"""`retreat run` in a real terminal: tmux types the keys and reads the screen.

Start, pause, extend, next; on a 20-second item reach the warning and overtime; quit;
resume with --resume (the overtime kept counting while the program was away); silence,
end the meeting, quit; then the minutes show the adjusted limit and the overtime.
Every wait polls `capture-pane` with a deadline: no fixed sleeps.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from support.tmux import NEEDS_TMUX, RETREAT, Pane, tmux

AGENDA = Path(__file__).parent / "data" / "agendas" / "stage-e2e.yaml"

pytestmark = NEEDS_TMUX


@pytest.fixture
def pane(tmp_path: Path):
    p = Pane(tmp_path)
    yield p
    p.close()


def test_a_meeting_on_the_stage_then_resumed_then_minuted(pane: Pane, tmp_path: Path) -> None:
    run = f"{RETREAT} run {AGENDA} --no-sound"
    pane.command(f"{run}; echo EXIT=$?")
    screen = pane.wait_for(r"Ready\. Press space to start\.")
    assert "First report" in screen and "Chen Jing" in screen and "Session: stage-e2e.retreat" in screen

    pane.keys(" ")  # start
    pane.wait_for(r"00:0[1-9] / 00:20")
    pane.keys(" ")  # pause
    pane.wait_for(r"PAUSED")
    pane.keys(" ")  # resume
    pane.wait_for(r"(?m)^ *━+")
    pane.keys("+")  # extend by a minute
    pane.wait_for(r"/ 01:20 \(\+01:00\)")
    pane.keys("t")  # tick a talking point
    pane.wait_for(r"\[x\] Last year")
    pane.keys("n")  # next item
    screen = pane.wait_for(r"2/2 +Remarks|2/2  Leader's remarks")
    assert "Second item" in screen

    pane.keys(" ")
    pane.wait_for(r"Time is almost up\.", timeout=60)  # warning at 10 s
    pane.wait_for(r"TIME IS UP", timeout=60)  # overtime at 20 s
    # At least a whole second over before quitting: on a fast machine the keys can
    # otherwise land a fraction of a second into overtime, which rounds to none.
    pane.wait_for(r"00:2[1-9] / 00:20", timeout=60)
    pane.keys("q")
    pane.wait_for(r"Quit\? Press y")
    pane.keys("y")
    screen = pane.wait_for(r"EXIT=0")
    assert "Session saved in stage-e2e.retreat" in screen

    pane.command(f"{run} --resume; echo EXIT=$?")
    screen = pane.wait_for(r"TIME IS UP")  # still in overtime: it kept counting
    assert "Second item" in screen
    pane.keys("a")
    pane.wait_for(r"OVERTIME \(alarm silenced\)")
    pane.keys("n")
    pane.wait_for(r"end the meeting\?")
    pane.keys("y")
    pane.wait_for(r"The meeting has ended")
    pane.keys("q", "y")
    pane.wait_for(r"EXIT=0.*\n(.*\n)*.*EXIT=0")

    minutes = subprocess.run(
        [str(RETREAT), "minutes", "stage-e2e.retreat"], cwd=tmp_path, check=True, capture_output=True, text=True
    ).stdout
    first = next(line for line in minutes.splitlines() if line.startswith("| 1 |"))
    second = next(line for line in minutes.splitlines() if line.startswith("| 2 |"))
    assert "| 00:20 | +01:00 |" in first and "done" in first  # planned, adjusted
    assert re.search(r"\*\*\+00:\d\d\*\*", second), second  # overtime flagged
    assert "1 over their time" in minutes


def test_ctrl_c_exits_130_and_keeps_the_session(pane: Pane, tmp_path: Path) -> None:
    pane.command(f"{RETREAT} run {AGENDA} --no-sound --ascii; echo EXIT=$?")
    screen = pane.wait_for(r"Ready\. Press space")
    assert "\u2588" not in screen and "#" in screen
    pane.keys(" ")
    pane.wait_for(r"00:0[1-9] / 00:20")
    tmux("send-keys", "-t", pane.name, "C-c", check=True)
    screen = pane.wait_for(r"EXIT=130")
    assert "--resume" in screen
    assert (tmp_path / "stage-e2e.retreat").exists()


QA_AGENDA = Path(__file__).parent / "data" / "agendas" / "qa-e2e.yaml"
QUESTIONS = [  # (question, department: Down presses, gist, follow-up promise or None)
    ("小区停车难，能否在周边增加临时停车位？", 1, "协调周边单位错时开放车位", "一个月内协调两家单位开放车位"),
    ("业委会成员必须是党员吗？", 0, "鼓励党员参选，不作硬性要求", None),
    ("违法建设举报后多久处理？", 1, "三所联动平台受理后七日内处置", None),
]


@pytest.fixture
def small_pane(tmp_path: Path):
    p = Pane(tmp_path, 80, 24)
    yield p
    p.close()


def test_grassroots_questions_through_the_real_prompts(small_pane: Pane, tmp_path: Path) -> None:
    """Draw, capture three questions with questionary (one a follow-up), then minutes and followups."""
    pane = small_pane
    pane.command(f"{RETREAT} run {QA_AGENDA} --no-sound; echo EXIT=$?")
    pane.wait_for(r"按 d 抽取下一位提问代表")
    pane.keys(" ")
    pane.wait_for(r"本环节 09:5")
    for n, (text, downs, gist, promise) in enumerate(QUESTIONS, start=1):
        pane.keys("d")
        screen = pane.wait_for(rf"第 {n} 位提问代表（共 3 位）")
        assert re.search(r"(林 秀 英|马 国 庆|何 建 华)", screen), screen  # the drawn name, spaced, large
        pane.keys("k")
        pane.wait_for(r"的提问：")
        if n == 1:  # an empty question is refused at the prompt and asked again
            pane.special("Enter")
            pane.wait_for(r"问题为空")
        pane.keys(text)
        pane.special("Enter")
        pane.wait_for(r"由哪个部门答复")
        pane.special(*(["Down"] * downs), "Enter")
        screen = pane.wait_for(rf"第 {n} 个问题已记录")
        assert text in screen and "正在答复" in screen
        pane.keys("r")
        pane.wait_for(r"答复人：")
        pane.special("Enter")  # the answerer listed for the department
        pane.wait_for(r"答复要点：")
        pane.keys(gist)
        pane.special("Enter")
        pane.wait_for(r"答复结果：")
        if promise is None:
            pane.special("Enter")
        else:
            pane.special("Down", "Enter")
            pane.wait_for(r"由哪个部门负责跟进落实")
            pane.special("Enter")
            pane.wait_for(r"承诺内容：")
            pane.keys(promise)
            pane.special("Enter")
            pane.wait_for(r"完成时限")
            pane.special("Enter")  # the offered date, 30 days on
        pane.wait_for(r"提问人是否满意")
        pane.special("Enter")
        screen = pane.wait_for(rf"第 {n} 个问题的答复已记录")
    screen = pane.wait_for(r"已提问 3 个 · 待跟进 1 项")
    assert "受邀代表已全部抽完" in screen
    pane.keys("k")  # Esc in a prompt cancels: back on the stage, nothing recorded, meeting goes on
    screen = pane.wait_for(r"的提问：")
    pane.special("Escape")
    screen = pane.wait_for(r"已取消，未记录任何内容")
    assert "已提问 3 个" in screen and "本环节" in screen  # the stage came back whole
    pane.keys("q")
    pane.wait_for(r"Press y|按 y")
    pane.keys("y")
    pane.wait_for(r"EXIT=0")

    def retreat(*args: str) -> str:
        return subprocess.run([str(RETREAT), *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout

    minutes = retreat("minutes", "qa-e2e.retreat")
    assert "共提出问题 3 个：当场答复 2 个，会后跟进 1 个" in minutes
    for text, _downs, gist, _promise in QUESTIONS:
        assert text in minutes and gist in minutes
    assert "一个月内协调两家单位开放车位" in minutes
    listed = retreat("followups", "qa-e2e.retreat")
    assert "qa-e2e:1" in listed and "一个月内协调两家单位开放车位" in listed and "0.0%" in listed
    done = retreat("followups", "qa-e2e.retreat", "--done", "qa-e2e:1")
    assert "100.0%" in done


REHEARSAL_AGENDA = Path(__file__).parent / "data" / "agendas" / "rehearsal-e2e.yaml"  # dated 2000-01-08


def test_a_rehearsal_on_another_day_is_asked_once_marked_and_minuted(pane: Pane, tmp_path: Path) -> None:
    run = f"{RETREAT} run {REHEARSAL_AGENDA} --no-sound"
    pane.command(f"{run}; echo EXIT=$?")
    screen = pane.wait_for(r"今天不是会议日期（2000年1月8日）。这是彩排吗？")
    assert "按 y 是彩排" in screen and "按 Esc 暂不回答" in screen
    assert "彩排" not in screen.splitlines()[0]
    pane.keys("y")
    screen = pane.wait_for(r"已记为彩排")
    assert re.match(r"^ +彩排 +1/2 +工作汇报", screen), screen  # the header, from now on
    pane.keys(" ")
    screen = pane.wait_for(r"00:0[1-9] / 00:20")
    # Counted from the first start a second ago, not from 08:30 on some day years back.
    assert re.search(r"彩排（\d\d:\d\d 起算）· 与计划一致", screen), screen
    assert "延后" not in screen
    pane.keys("o")
    screen = pane.wait_for(r"议程执行情况")
    assert re.match(r"^ *彩排 +议程执行情况", screen), screen
    pane.keys("o", "q")
    pane.wait_for(r"按 y")
    pane.keys("y")
    pane.wait_for(r"EXIT=0")

    pane.command(f"{run} --resume; echo EXIT=$?")  # asked once per session: not again
    screen = pane.wait_for(r"^ +彩排 +1/2")
    assert "这是彩排吗" not in screen
    pane.keys("q", "y")
    pane.wait_for(r"EXIT=0.*\n(.*\n)*.*EXIT=0")

    minutes = subprocess.run([str(RETREAT), "minutes", "rehearsal-e2e.retreat"], cwd=tmp_path, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
    assert minutes.splitlines()[0] == "# 舞台测试会彩排记录"
    assert "2000年1月8日" not in minutes  # the day it ran, not the agenda's


def test_the_meeting_itself_on_another_day_after_esc_is_asked_at_the_first_start(pane: Pane, tmp_path: Path) -> None:
    pane.command(f"{RETREAT} run {REHEARSAL_AGENDA} --no-sound --lang en; echo EXIT=$?")
    pane.wait_for(r"Is this a rehearsal\?")
    pane.special("Escape")  # not now: nothing recorded
    pane.wait_for(r"Not answered; nothing was recorded")
    pane.keys(" ")  # the first start asks again, and waits
    screen = pane.wait_for(r"Esc: do not start yet")
    assert "Ready. Press space to start." in screen
    pane.keys("n")  # the meeting itself, held on another day: it starts now
    screen = pane.wait_for(r"00:0[1-9] / 00:20")
    assert "Rehearsal" not in screen and re.search(r"On plan · ends ~\d\d:\d\d", screen), screen
    pane.keys("q", "y")
    pane.wait_for(r"EXIT=0")
    minutes = subprocess.run([str(RETREAT), "minutes", "rehearsal-e2e.retreat"], cwd=tmp_path, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
    assert "彩排" not in minutes.splitlines()[0] and "2000年1月8日" not in minutes
