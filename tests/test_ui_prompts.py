"""The Q&A prompts: validators, the capture functions, and the questionary prompter itself.

The questionary prompts run on prompt_toolkit's pipe input and `DummyOutput`: keys are
typed into the pipe before each prompt reads them, so nothing waits on a terminal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from support.stage import FakePrompter

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.qa import Question
from retreat.meeting.session import Session
from retreat.ui.prompts import (
    Cancelled,
    Option,
    QAContext,
    QuestionaryPrompter,
    capture_answer,
    capture_edit,
    capture_question,
    confirm_withdraw,
    context,
    department_validator,
    due_validator,
    question_text,
)

QA_AGENDA = Path(__file__).parent / "data" / "agendas" / "qa.yaml"
TODAY = dt.date(2026, 1, 8)
DOWN, ENTER, ESC, CTRL_C, BACKSPACE = "\x1b[B", "\r", "\x1b", "\x03", "\x7f"
CTX = QAContext(
    departments=(Option("居民自治办公室", "sgo"), Option("司法所", "jus")),
    answerers={"sgo": "周志强", "jus": "吴敏"},
    today=TODAY,
)


def question(**fields) -> Question:
    base = {"qid": 3, "item": "qa", "asker": "林秀英", "area": "东湖社区", "text": "停车难", "department": "sgo",
            "asked_at": 0.0}  # fmt: skip
    return Question(**(base | fields))


# --- validators ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "\t"])
def test_an_empty_question_is_refused(value: str) -> None:
    assert "empty" in (question_text(value) or "")


def test_departments_are_known_by_id_or_name() -> None:
    check = department_validator(CTX)
    assert check("sgo") is None and check("司法所") is None
    error = check("街道办")
    assert error is not None and '"街道办" is not a department' in error and "居民自治办公室, 司法所" in error
    assert "which department" in (check(" ") or "")


def test_without_departments_any_name_goes() -> None:
    check = department_validator(QAContext(departments=()))
    assert check("城管") is None and check("") is not None


@pytest.mark.parametrize(
    ("value", "complaint"),
    [("next week", "is not a date; write it as 2026-02-07"), ("2026-13-01", "is not a date"),
     ("2026-01-07", "2026-01-07 is in the past (today is 2026-01-08)"), ("", "is not a date")],
)  # fmt: skip
def test_bad_due_dates_are_refused(value: str, complaint: str) -> None:
    assert complaint in (due_validator(TODAY)(value) or "")


@pytest.mark.parametrize("value", ["2026-01-08", " 2026-03-31 ", "2027-01-01"])
def test_today_and_later_are_due_dates(value: str) -> None:
    assert due_validator(TODAY)(value) is None


# --- the captures, with a fake prompter ---------------------------------------------------


def test_capture_question_reasks_an_empty_question() -> None:
    p = FakePrompter("", "  ", "物业委员会必须有党员吗？", "jus")
    assert capture_question(p, CTX, "林秀英") == {"text": "物业委员会必须有党员吗？", "department": "jus"}
    assert len(p.errors) == 2 and "林秀英" in p.asked[0]
    assert p.defaults[1] == "sgo"  # the first answering department is offered first


def test_capture_question_reasks_an_unknown_department() -> None:
    p = FakePrompter("问题", "城管", "sgo")
    assert capture_question(p, CTX, "林秀英")["department"] == "sgo"
    assert p.errors == ['"城管" is not a department of this meeting; choose one of: 居民自治办公室, 司法所']


def test_capture_answer_on_the_spot_defaults_to_the_listed_answerer() -> None:
    p = FakePrompter("<default>", "可以", "answered", "basically satisfied")
    value = capture_answer(p, CTX, question())
    assert value == {"qid": 3, "answerer": "周志强", "answer": "可以", "outcome": "answered",
                     "satisfaction": "basically satisfied"}  # fmt: skip


def test_capture_answer_follow_up_reasks_bad_dates() -> None:
    p = FakePrompter("吴敏", "年内解决", "follow-up", "<default>", "", "出台方案", "下个月", "2025-12-31",
                     "2026-03-31", "")  # fmt: skip
    value = capture_answer(p, CTX, question(department="jus"))
    assert value["owner"] == "jus" and value["promise"] == "出台方案" and value["due"] == "2026-03-31"
    assert value["satisfaction"] is None  # "not asked"
    assert len(p.errors) == 3  # an empty promise, a non-date, a past date
    assert any("not a date" in e for e in p.errors) and any("in the past" in e for e in p.errors)


def test_a_cancel_midway_raises_and_returns_nothing() -> None:
    p = FakePrompter("吴敏", "年内解决", "follow-up", Cancelled)
    with pytest.raises(Cancelled):
        capture_answer(p, CTX, question())


def test_capture_edit_changes_one_field() -> None:
    assert capture_edit(FakePrompter("text", "新的问题"), CTX, question()) == {"qid": 3, "text": "新的问题"}
    assert capture_edit(FakePrompter("department", "jus"), CTX, question()) == {"qid": 3, "department": "jus"}
    answered = question(outcome="answered")
    value = capture_edit(FakePrompter("outcome", "follow-up", "sgo", "出台方案", "2026-02-01"), CTX, answered)
    assert value == {"qid": 3, "outcome": "follow-up", "owner": "sgo", "promise": "出台方案", "due": "2026-02-01"}
    assert capture_edit(FakePrompter("satisfaction", ""), CTX, answered) == {"qid": 3, "satisfaction": None}


def test_confirm_withdraw() -> None:
    assert confirm_withdraw(FakePrompter("withdraw"), question()) is True
    assert confirm_withdraw(FakePrompter("<default>"), question()) is False  # keeping it is the default


def test_context_lists_answering_departments_first_and_today_in_the_meeting_zone(tmp_path: Path) -> None:
    clock = FakeClock(start_wall=1_767_898_800.0)  # 2026-01-08 19:00 UTC = 2026-01-09 03:00 in +8
    with Session.create(tmp_path / "qa.retreat", agenda_mod.load(QA_AGENDA), clock) as s:
        s.handle(Cmd.START)
        ctx = context(s.state, clock.now(), clock.utc_offset())
    assert [o.value for o in ctx.departments] == ["sgo", "jus"]
    assert ctx.answerers == {"sgo": "周志强", "jus": "吴敏"}
    assert ctx.today == dt.date(2026, 1, 9)
    assert context(s.state, clock.now(), 0).today == dt.date(2026, 1, 8)


# --- questionary, on a pipe -----------------------------------------------------------------


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as p:
        yield p


@pytest.fixture
def real(pipe: PipeInput) -> QuestionaryPrompter:
    return QuestionaryPrompter(pipe, DummyOutput())


def test_questionary_text_takes_chinese(pipe: PipeInput, real: QuestionaryPrompter) -> None:
    pipe.send_text("小区停车难，能否增加临时停车位？" + ENTER)
    assert real.text("Question:") == "小区停车难，能否增加临时停车位？"


def test_questionary_text_keeps_its_default(pipe: PipeInput, real: QuestionaryPrompter) -> None:
    pipe.send_text(ENTER)
    assert real.text("Who answered?", default="周志强") == "周志强"


def test_questionary_text_reasks_until_valid(pipe: PipeInput, real: QuestionaryPrompter) -> None:
    pipe.send_text("next week" + ENTER + BACKSPACE * 9 + "2025-12-31" + ENTER + BACKSPACE * 10 + "2026-02-01" + ENTER)
    assert real.text("Due:", validate=due_validator(TODAY)) == "2026-02-01"


def test_questionary_select_starts_at_the_default(pipe: PipeInput, real: QuestionaryPrompter) -> None:
    options = [Option("居民自治办公室", "sgo"), Option("司法所", "jus"), Option("服务办", "svc")]
    pipe.send_text(ENTER)
    assert real.select("Which department?", options, default="jus") == "jus"
    pipe.send_text(DOWN + ENTER)
    assert real.select("Which department?", options, default="jus") == "svc"


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_questionary_select_reasks_when_refused(pipe: PipeInput, real: QuestionaryPrompter) -> None:
    options = [Option("a", "a"), Option("b", "b")]
    said: list[str] = []
    real.say = said.append  # type: ignore[method-assign]
    pipe.send_text(ENTER)
    pipe.send_text(DOWN + ENTER)
    assert real.select("?", options, validate=lambda v: "not a" if v == "a" else None) == "b"
    assert said == ["not a"]


@pytest.mark.parametrize("key", [CTRL_C, ESC])
def test_ctrl_c_or_esc_cancels(pipe: PipeInput, real: QuestionaryPrompter, key: str) -> None:
    pipe.send_text("半句话" + key)
    with pytest.raises(Cancelled):
        real.text("Question:")
    pipe.send_text(key)
    with pytest.raises(Cancelled):
        real.select("Outcome:", [Option("a", "a")])


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_a_whole_capture_through_questionary(pipe: PipeInput, real: QuestionaryPrompter) -> None:
    pipe.send_text(ENTER + "物业委员会必须有党员吗？" + ENTER + DOWN + ENTER)
    assert capture_question(real, CTX, "林秀英") == {"text": "物业委员会必须有党员吗？", "department": "jus"}
    # answerer (default), gist, follow-up, owner (default), promise, a past date then a good one, satisfied
    pipe.send_text(ENTER + "年内出台方案" + ENTER + DOWN + ENTER + ENTER + "出台方案" + ENTER
                   + BACKSPACE * 10 + "2026-01-01" + ENTER + BACKSPACE * 10 + "2026-03-31" + ENTER + ENTER)  # fmt: skip
    value = capture_answer(real, CTX, question(department="jus"))
    assert value == {"qid": 3, "answerer": "吴敏", "answer": "年内出台方案", "outcome": "follow-up", "owner": "jus",
                     "promise": "出台方案", "due": "2026-03-31", "satisfaction": "satisfied"}  # fmt: skip
