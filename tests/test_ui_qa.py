"""The Q&A segment on the stage: its view, its frame at several sizes, its keys in the run loop.

The run loop gets a fake prompter (scripted answers, re-asked on a validator's complaint,
`Cancelled` on cue), keys through a pipe and a fake clock, as in test_ui_runloop.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from rich.cells import cell_len
from rich.console import Console
from support import kinds
from support.stage import OFFSET, QA_AGENDA, FakeAlarm, FakePrompter, Frames, Script

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session
from retreat.meeting.timer import Phase
from retreat.ui.keys import KeyReader
from retreat.ui.prompts import Cancelled
from retreat.ui.qa_stage import QAStage, spaced
from retreat.ui.runloop import Outcome, RunLoop
from retreat.ui.stage import StageOptions, frame
from retreat.ui.view import snapshot

SIZES = [(40, 12), (60, 16), (80, 24), (120, 40), (200, 60)]
BLOCK = "\u2588"
QUESTION = "小区业委会成员必须有党员吗？如果选不出党员来怎么办？"


@pytest.fixture
def qs(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "qa.retreat", agenda_mod.load(QA_AGENDA), clock)
    yield s
    s.close()


def render(session: Session, width: int = 80, height: int = 24, *, ascii: bool = False) -> list[str]:
    view = snapshot(session.state, session.stamp(), OFFSET)
    console = Console(file=io.StringIO(), record=True, width=width, height=height, color_system=None)
    console.print(frame(view, StageOptions(ascii=ascii, session_path="qa.retreat")))
    return console.export_text().split("\n")[:-1]


def asking(session: Session, clock: FakeClock, seconds: float = 30) -> None:
    session.handle(Cmd.START)
    session.handle(Cmd.DRAW, 7)  # order 罗春梅, ...
    session.handle(Cmd.ASK, {"text": QUESTION, "department": "sgo"})
    clock.advance(seconds)
    session.tick()


# --- the view and the frame ---------------------------------------------------------------


def test_only_a_qa_item_has_a_qa_view(session: Session, qs: Session) -> None:
    assert snapshot(session.state, session.stamp(), OFFSET).qa is None
    view = snapshot(qs.state, qs.stamp(), OFFSET)
    assert view.qa is not None and view.qa.mode == "draw"
    assert isinstance(frame(view, StageOptions()), QAStage)
    hash(view)  # the loop compares views: they must stay plain data


def test_before_the_first_draw_the_segment_clock_is_big(qs: Session) -> None:
    lines = render(qs)
    text = "\n".join(lines)
    assert sum(BLOCK in line for line in lines) >= 10
    assert "Press d to draw the next asker." in text
    assert "Segment 20:00" in text and "0 asked · 0 to follow up · 4 of 4 still to draw" in text
    assert "d draw  k question  r answer  e edit  w withdraw" in text


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_drawn_asker_fills_the_middle_at_every_size(qs: Session, width: int, height: int) -> None:
    qs.handle(Cmd.START)
    qs.handle(Cmd.DRAW, 7)
    lines = render(qs, width, height)
    assert len(lines) == height and all(cell_len(line) <= width for line in lines)
    name = next(i for i, line in enumerate(lines) if "罗 春 梅" in line)
    assert "北街社区" in "\n".join(lines[name:])
    assert 2 <= name <= height - 4  # in the middle, not crammed at an edge
    assert "Press k to record the question of" in "\n".join(lines)
    if height >= 16:
        assert any("Asker 1 of 4" in line for line in lines)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_while_answering_the_answer_countdown_is_big(qs: Session, clock: FakeClock, width: int, height: int) -> None:
    asking(qs, clock, 30)
    lines = render(qs, width, height)
    text = "\n".join(lines)
    assert len(lines) == height and all(cell_len(line) <= width for line in lines)
    assert sum(BLOCK in line for line in lines) >= 5  # 01:30 of the answer's 02:00
    assert "Press r to record the answer." in text
    if height >= 16:
        assert "罗春梅 · 北街社区" in text and "Question 1: 小区业委会成员" in text
        assert "Answering: 居民自治办公室 · 周志强" in text
        assert "Segment 19:30" in text


def test_80x24_while_answering_wraps_the_question_the_cjk_way(qs: Session, clock: FakeClock) -> None:
    asking(qs, clock, 10)
    lines = render(qs, 80, 24)
    first = next(line for line in lines if "Question 1:" in line)
    assert first.rstrip().endswith("怎么办？") or "选不出" in first  # filled to the edge, not broken at a space
    assert not any(line.strip() == "" and i < 3 for i, line in enumerate(lines))


def test_after_the_answer_the_outcome_shows(qs: Session, clock: FakeClock) -> None:
    asking(qs, clock, 30)
    qs.handle(Cmd.ANSWER, {"answer": "可以", "outcome": "follow-up", "satisfaction": "satisfied",
                           "promise": "出台指导意见", "due": "2026-03-31"})  # fmt: skip
    text = "\n".join(render(qs, 80, 24))
    assert "follow-up · 居民自治办公室 by 2026-03-31 · satisfied" in text
    assert "Answered by: 居民自治办公室 · 周志强" in text
    assert "1 asked · 1 to follow up · 3 of 4 still to draw" in text
    assert "Press d to draw the next asker." in text


def test_answer_warning_then_time_up_then_silenced(qs: Session, clock: FakeClock) -> None:
    asking(qs, clock, 61)  # answer limit 2m: the warning at 1m left
    assert snapshot(qs.state, qs.stamp(), OFFSET).qa.phase is Phase.WARNING  # type: ignore[union-attr]
    assert "Answer time is almost up." in "\n".join(render(qs))
    clock.advance(60)
    qs.tick()
    view = snapshot(qs.state, qs.stamp(), OFFSET)
    assert view.flash and view.qa is not None and view.qa.clock == "+00:01"
    assert "ANSWER TIME IS UP" in "\n".join(render(qs))
    qs.handle(Cmd.SILENCE)
    assert not snapshot(qs.state, qs.stamp(), OFFSET).flash
    assert "Answer overtime (alarm silenced)" in "\n".join(render(qs))


def test_ascii_qa_stage_has_no_ambiguous_characters(qs: Session, clock: FakeClock) -> None:
    asking(qs, clock, 10)
    text = "\n".join(render(qs, 80, 24, ascii=True))
    assert "\u00b7" not in text and "\u2501" not in text and BLOCK not in text
    assert "罗春梅 | 北街社区" in text


def test_long_latin_names_are_not_spaced() -> None:
    assert spaced("林秀英") == "林 秀 英"
    assert spaced("Lin Xiuying") == "Lin Xiuying"


# --- the keys, in the loop -------------------------------------------------------------------


@pytest.fixture
def qa_drive(qs: Session, clock: FakeClock, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("retreat.ui.qa_desk.secrets.randbits", lambda bits: 12345)

    def run(*steps, prompter: FakePrompter | None = None, width: int = 80, height: int = 24):
        console = Console(file=io.StringIO(), width=width, height=height, color_system=None)
        screen = Frames(qs)
        alarm = FakeAlarm()
        prompter = prompter or FakePrompter()
        with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
            loop = RunLoop(qs, Script(reader, pipe, clock, steps), console, alarm=alarm, screen=screen,
                           prompter=prompter, options=StageOptions(session_path="qa.retreat"))  # fmt: skip
            outcome = loop.run()
        texts = [screen.text(i) for i in range(len(screen.frames))]
        return outcome, prompter, texts, alarm

    return run


def test_d_draws_with_a_fresh_seed_then_in_order(qa_drive, qs: Session) -> None:
    outcome, _p, texts, _a = qa_drive(" ", "d", "d", "q", "y")
    assert outcome is Outcome.QUIT
    ordered = [e for e in qs.store.events() if e.kind is EventKind.ASKERS_ORDERED]
    assert len(ordered) == 1 and ordered[0].data["seed"] == 12345
    drawn = qs.state.qa.drawn["qa"]
    assert drawn == ordered[0].data["order"][:2]
    assert any(f"Drawn: {drawn[1]}" in t for t in texts)


def test_k_asks_r_answers_with_a_follow_up(qa_drive, qs: Session) -> None:
    prompter = FakePrompter(QUESTION, "jus",  # k: the question, the department
                            "<default>", "一个月内答复", "follow-up", "<default>", "出台方案", "2026-03-31",
                            "basically satisfied")  # fmt: skip
    outcome, p, texts, _a = qa_drive(" ", "d", "k", 30, "r", "q", "y", prompter=prompter)
    assert outcome is Outcome.QUIT and p.answers == []
    log = kinds(qs)
    assert log.count("question_asked") == 1 and log.count("question_answered") == 1
    q = qs.state.qa.questions[1]
    assert (q.text, q.department, q.answerer, q.outcome) == (QUESTION, "jus", "吴敏", "follow-up")
    assert q.followup is not None and (q.followup.owner, q.followup.due) == ("jus", "2026-03-31")
    assert q.satisfaction == "basically satisfied" and q.answer_seconds == pytest.approx(30)
    assert any("Question 1 recorded" in t for t in texts) and any("Answer to question 1 recorded" in t for t in texts)


@pytest.mark.slow
def test_enter_also_captures_the_question(qa_drive, qs: Session) -> None:
    qa_drive(" ", "d", "\r", "q", "y", prompter=FakePrompter("问题", "sgo"))
    assert qs.state.qa.questions[1].text == "问题"


def test_bad_input_is_reasked_and_only_the_good_is_recorded(qa_drive, qs: Session) -> None:
    prompter = FakePrompter("", QUESTION, "城管", "sgo",
                            "<default>", "答", "follow-up", "<default>", "方案", "下周", "2026-01-07", "2026-01-08",
                            "satisfied")  # fmt: skip
    qa_drive(" ", "d", "k", "r", "q", "y", prompter=prompter)
    assert len(prompter.errors) == 4
    assert "empty" in prompter.errors[0] and "is not a department" in prompter.errors[1]
    assert "not a date" in prompter.errors[2] and "in the past (today is 2026-01-08)" in prompter.errors[3]
    assert kinds(qs).count("question_asked") == 1 and qs.state.qa.questions[1].followup.due == "2026-01-08"  # type: ignore[union-attr]


@pytest.mark.parametrize("cancel_after", [0, 1])
def test_a_cancelled_question_records_nothing_and_the_meeting_goes_on(qa_drive, qs: Session, cancel_after) -> None:
    prompter = FakePrompter(*([QUESTION] * cancel_after), Cancelled)
    outcome, _p, texts, _a = qa_drive(" ", "d", "k", " ", "q", "y", prompter=prompter)
    assert outcome is Outcome.QUIT  # not quit by the cancel
    assert "question_asked" not in kinds(qs) and qs.state.qa.questions == {}
    assert any("Cancelled: nothing was recorded." in t for t in texts)
    assert kinds(qs)[-1] == "item_paused"  # the next key still worked


def test_a_cancelled_answer_leaves_the_countdown_running(qa_drive, qs: Session) -> None:
    prompter = FakePrompter(QUESTION, "sgo", "<default>", "答", "follow-up", "<default>", "方案", Cancelled)
    qa_drive(" ", "d", "k", "r", "q", "y", prompter=prompter)
    assert "question_answered" not in kinds(qs)
    assert qs.state.qa.answering == 1 and qs.state.qa.answer_timer is not None


def test_e_edits_and_w_withdraws(qa_drive, qs: Session) -> None:
    prompter = FakePrompter(QUESTION, "sgo", "<default>", "答", "answered", "satisfied",
                            "1", "text", "改过的问题",  # e: which question, which field, the new text
                            "1", "keep",  # w, then keep it after all
                            "1", "withdraw")  # fmt: skip
    qa_drive(" ", "d", "k", "r", "e", "w", "w", "q", "y", prompter=prompter)
    log = kinds(qs)
    assert log.count("question_edited") == 1 and log.count("question_withdrawn") == 1
    q = qs.state.qa.questions[1]
    assert q.text == "改过的问题" and q.withdrawn
    assert [h[1] for h in q.history] == ["edited", "withdrawn"]


def test_qa_keys_explain_themselves_when_they_cannot_work(qa_drive, qs: Session) -> None:
    _o, prompter, texts, _a = qa_drive(" ", "k", "r", "e", "w", "q", "y")
    assert prompter.asked == []
    joined = "\n".join(texts)
    for message in ("Draw an asker first: press d.", "No question is waiting for its answer",
                    "No question has been recorded in this item yet."):  # fmt: skip
        assert message in joined, message


def test_qa_keys_outside_a_qa_item(drive_short) -> None:
    texts = drive_short("d", "k", "q", "y")
    assert any("work on a Q&A item" in t for t in texts)


@pytest.fixture
def drive_short(session: Session, clock: FakeClock):
    def run(*steps):
        console = Console(file=io.StringIO(), width=80, height=24, color_system=None)
        screen = Frames(session)
        with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
            RunLoop(session, Script(reader, pipe, clock, steps), console, screen=screen,
                    prompter=FakePrompter()).run()  # fmt: skip
        return [screen.text(i) for i in range(len(screen.frames))]

    return run


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_the_answer_alarm_rings_flashes_and_a_silences_it(qa_drive, qs: Session) -> None:
    # answer limit 2m, alarm every 20 s: time up at 120 s, repeated at 140 s, silenced at 150 s
    prompter = FakePrompter(QUESTION, "sgo")
    outcome, _p, texts, alarm = qa_drive(" ", "d", "k", 150, "a", 30, "q", "y", prompter=prompter)
    log = kinds(qs)
    assert log.count("time_up") == 1 and log.count("alarm_repeated") == 1 and log.count("alarm_silenced") == 1
    answer_events = [e for e in qs.store.events() if e.kind in (EventKind.TIME_UP, EventKind.ALARM_SILENCED)]
    assert all(e.data.get("answer") == 1 for e in answer_events)
    assert alarm.fired == 2 and alarm.stopped == 1
    assert any("ANSWER TIME IS UP" in t for t in texts)
    assert "Answer overtime (alarm silenced)" in texts[-1] or any("Alarm silenced" in t for t in texts)
    assert not qs.state.item.timer.time_up  # the segment itself is on time


def test_the_answer_flash_wakes_the_loop_every_half_second(qs: Session, clock: FakeClock) -> None:
    asking(qs, clock, 121)
    console = Console(file=io.StringIO(), width=80, height=24, color_system=None)
    with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
        loop = RunLoop(qs, Script(reader, pipe, clock, []), console, screen=Frames(qs), prompter=FakePrompter())
        assert loop.next_wake() - clock.monotonic() <= 0.5 + 1e-9


def test_the_message_to_the_speaker_shows_on_the_qa_stage(qs: Session) -> None:
    qs.handle(Cmd.MESSAGE, 1)
    for width, height in ((40, 12), (80, 24), (120, 40)):
        lines = render(qs, width, height)
        assert len(lines) == height and "请抓紧时间" in lines[0] and cell_len(lines[0]) <= width
