from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.meeting.qa import FollowUp, Question, completion, draw_order
from retreat.meeting.session import Session, load

QA_AGENDA = Path(__file__).parent / "data" / "agendas" / "qa.yaml"
REPS = ["林秀英", "马国庆", "何建华", "罗春梅"]


@pytest.fixture
def qs(tmp_path: Path, clock: FakeClock) -> Session:
    s = Session.create(tmp_path / "qa.retreat", agenda_mod.load(QA_AGENDA), clock)
    s.handle(Cmd.START)
    return s


@given(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=30, unique=True), st.integers(0, 2**63))
@pytest.mark.slow
def test_draw_order_is_a_permutation_reproducible_from_its_seed(names: list[str], seed: int) -> None:
    order = draw_order(names, seed)
    assert sorted(order) == sorted(names)
    assert order == draw_order(names, seed)


def test_draw_order_is_the_documented_algorithm() -> None:
    import random

    expected = list(REPS)
    random.Random(42).shuffle(expected)
    assert draw_order(REPS, 42) == expected
    assert draw_order(REPS, None) == REPS


def test_draw_is_roughly_fair_over_many_seeds() -> None:
    firsts = [draw_order(REPS, seed)[0] for seed in range(4000)]
    counts = {name: firsts.count(name) for name in REPS}
    assert all(850 < c < 1150 for c in counts.values()), counts


def test_every_representative_is_drawn_exactly_once(qs: Session) -> None:
    drawn = []
    for n in range(4):
        events = qs.handle(Cmd.DRAW, 12345 if n == 0 else None)
        drawn.append(events[-1].data["asker"])
    assert sorted(drawn) == sorted(REPS)
    assert drawn == draw_order(REPS, 12345)
    with pytest.raises(CommandRefused, match="every invited representative"):
        qs.handle(Cmd.DRAW)
    order_event = [e for e in qs.store.events() if e.kind is EventKind.ASKERS_ORDERED][0]
    assert order_event.data["seed"] == 12345


def test_listed_order_needs_no_seed(qs: Session) -> None:
    qs.handle(Cmd.GOTO, "listed")
    qs.handle(Cmd.START)
    names = [qs.handle(Cmd.DRAW)[-1].data["asker"] for _ in range(3)]
    assert names == ["罗春梅", "林秀英", "新代表"]


def ask(s: Session, text: str = "物业管理委员会必须有党员吗？", department: str = "居民自治办公室") -> int:
    return int(s.handle(Cmd.ASK, {"text": text, "department": department})[0].data["qid"])


def test_question_answered_on_the_spot(qs: Session, clock: FakeClock) -> None:
    qs.handle(Cmd.DRAW, 7)
    qid = ask(qs)
    clock.advance(95)
    qs.handle(Cmd.ANSWER, {"answer": "应当有党员，选不出时由社区党组织推荐", "outcome": "answered",
                           "satisfaction": "satisfied"})
    q = qs.state.qa.questions[qid]
    assert (q.asker, q.area) == (draw_order(REPS, 7)[0], {"林秀英": "东湖社区", "马国庆": "西苑小区",
                                                           "何建华": "南门社区", "罗春梅": "北街社区"}[q.asker])
    assert (q.department, q.answerer, q.outcome, q.satisfaction) == ("sgo", "周志强", "answered", "satisfied")
    assert q.answer_seconds == 95
    assert qs.state.qa.answering is None


def test_answer_countdown_warns_and_alarms(qs: Session, clock: FakeClock) -> None:
    qs.handle(Cmd.DRAW, 1)
    ask(qs)
    clock.advance(60)
    assert [e.kind for e in qs.tick()] == [EventKind.WARNING_REACHED]
    clock.advance(60)
    events = qs.tick()
    assert [e.kind for e in events] == [EventKind.TIME_UP] and events[0].data["answer"] == 1
    assert qs.seconds_until_due() == pytest.approx(20)
    qs.handle(Cmd.SILENCE)
    assert qs.state.qa.answer_timer is not None and qs.state.qa.answer_timer.silenced
    assert qs.state.item.timer.alarms == 0  # the segment's own countdown is untouched


def test_answer_countdown_pauses_with_the_segment(qs: Session, clock: FakeClock) -> None:
    qs.handle(Cmd.DRAW, 1)
    ask(qs)
    clock.advance(30)
    qs.handle(Cmd.PAUSE)
    clock.advance(300)
    qs.handle(Cmd.RESUME)
    clock.advance(10)
    timer = qs.state.qa.answer_timer
    assert timer is not None and timer.elapsed(qs.stamp()) == 40


def test_follow_up_becomes_a_commitment(qs: Session) -> None:
    qs.handle(Cmd.DRAW, 3)
    qid = ask(qs, "希望“三所联动”平台真正管住违建", "司法所")
    qs.handle(Cmd.ANSWER, {"answer": "今年上半年建成平台", "outcome": "follow-up", "promise": "6月底前平台上线",
                           "due": "2026-06-30", "satisfaction": "basically satisfied"})
    q = qs.state.qa.questions[qid]
    assert q.answerer == "吴敏"
    assert q.followup == FollowUp(owner="jus", promise="6月底前平台上线", due="2026-06-30")
    qs.handle(Cmd.FOLLOWUP_PROGRESS, {"qid": qid, "note": "已完成招标"})
    assert q.followup.status == "in progress"
    qs.handle(Cmd.FOLLOWUP_DONE, {"qid": qid})
    assert q.followup.status == "done"
    with pytest.raises(CommandRefused, match="already done"):
        qs.handle(Cmd.FOLLOWUP_DONE, {"qid": qid})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"outcome": "follow-up", "promise": "", "due": "2026-06-30"}, "promise"),
        ({"outcome": "follow-up", "promise": "x", "due": "明年"}, "is not a date"),
        ({"outcome": "follow-up", "promise": "x", "due": "2026-06-30", "owner": "火星办"}, "not a department"),
        ({"outcome": "maybe"}, "is not an outcome"),
        ({"outcome": "answered", "satisfaction": "great"}, "is not one of"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_recorded(qs: Session, value: dict, message: str) -> None:
    qs.handle(Cmd.DRAW, 3)
    ask(qs)
    before = qs.state.events
    with pytest.raises(CommandRefused, match=message):
        qs.handle(Cmd.ANSWER, value)
    assert qs.state.events == before and qs.state.qa.answering == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [({"text": "  ", "department": "司法所"}, "empty"), ({"text": "问", "department": "教育局"}, "not a department")],
)
def test_bad_questions_are_refused(qs: Session, value: dict, message: str) -> None:
    qs.handle(Cmd.DRAW, 3)
    with pytest.raises(CommandRefused, match=message):
        qs.handle(Cmd.ASK, value)
    assert qs.state.qa.questions == {}


def test_cannot_ask_before_the_last_question_is_answered(qs: Session) -> None:
    qs.handle(Cmd.DRAW, 3)
    ask(qs)
    qs.handle(Cmd.DRAW)
    with pytest.raises(CommandRefused, match="still being answered"):
        ask(qs)


def test_edit_and_withdraw_keep_history(qs: Session, clock: FakeClock) -> None:
    qs.handle(Cmd.DRAW, 3)
    qid = ask(qs)
    qs.handle(Cmd.ANSWER, {"answer": "会研究", "outcome": "answered", "satisfaction": "not satisfied"})
    qs.handle(Cmd.NEXT)
    qs.handle(Cmd.END_MEETING)
    clock.advance(86400)  # the secretary corrects the record the next day
    qs.handle(Cmd.EDIT_QUESTION, {"qid": qid, "outcome": "follow-up", "promise": "一个月内答复", "due": "2026-02-08"})
    q = qs.state.qa.questions[qid]
    assert q.followup is not None and q.followup.due == "2026-02-08"
    assert q.history[0][1] == "edited" and q.history[0][2]["promise"] == "一个月内答复"
    qs.handle(Cmd.WITHDRAW_QUESTION, qid)
    assert q.withdrawn and qs.state.qa.followups() == []
    replayed = load(qs.path).state.qa.questions[qid]
    assert replayed == q


def test_edit_rejects_nonsense(qs: Session) -> None:
    qs.handle(Cmd.DRAW, 3)
    qid = ask(qs)
    for value, message in [
        ({"qid": qid, "colour": "red"}, "cannot edit"),
        ({"qid": qid}, "nothing to change"),
        ({"qid": 99, "text": "x"}, "no question 99"),
        ({"qid": qid, "due": "soon", "outcome": "follow-up", "promise": "p"}, "is not a date"),
    ]:
        with pytest.raises(CommandRefused, match=message):
            qs.handle(Cmd.EDIT_QUESTION, value)


@pytest.mark.parametrize(("done", "total", "rate"), [(7, 12, 58.3), (0, 3, 0.0), (3, 3, 100.0), (0, 0, 0.0)])
def test_completion_rate(done: int, total: int, rate: float) -> None:
    questions = []
    for n in range(total):
        q = Question(n + 1, "qa", "a", "", "q", "sgo", 0.0, outcome="follow-up")
        q.followup = FollowUp("sgo", "p", "2026-06-30", done_at=1.0 if n < done else None)
        questions.append(q)
    assert completion(questions) == (total, done, rate)


def test_overdue() -> None:
    f = FollowUp("sgo", "p", "2026-03-01")
    assert f.overdue(dt.date(2026, 3, 2)) and not f.overdue(dt.date(2026, 3, 1))
    f.done_at = 1.0
    assert not f.overdue(dt.date(2027, 1, 1))


def test_draw_outside_a_qa_item_is_refused(tmp_path: Path, short_agenda: agenda_mod.Agenda, clock: FakeClock) -> None:
    with Session.create(tmp_path / "s.retreat", short_agenda, clock) as s, pytest.raises(CommandRefused):
        s.handle(Cmd.DRAW, 1)


def test_answer_time_ends_when_the_answer_ended_not_when_it_was_typed_in(qs: Session, clock: FakeClock) -> None:
    qs.handle(Cmd.DRAW, 3)
    qid = ask(qs)
    clock.advance(80)  # the department answers for 80 s; the secretary then types for 40 s
    spoken = qs.state.qa.answer_timer.elapsed(qs.stamp()) if qs.state.qa.answer_timer else None
    clock.advance(40)
    qs.handle(Cmd.ANSWER, {"answer": "会研究", "outcome": "answered", "seconds": spoken})
    assert qs.state.qa.questions[qid].answer_seconds == 80
    assert load(qs.path).state.qa.questions[qid].answer_seconds == 80
