"""Phones on the projected screen: accepted phone questions in the Q&A segment (m), the phone
address and the phones' ballots on the vote board, phone questions in the minutes.

Fake prompter, fake clock, frames rendered to an 80x24 recording console, as in test_ui_qa
and test_ui_vote.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from support import kinds
from support.markdown import tables
from support.stage import OFFSET, QA_AGENDA, Desk, FakePrompter
from support.stage import VOTE_STAGE_AGENDA as VOTE_AGENDA

from retreat import agenda as agenda_mod
from retreat import i18n
from retreat.clock import FakeClock
from retreat.meeting import ballot_box
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, load
from retreat.minutes import render as minutes
from retreat.ui.prompts import Cancelled, capture_phone_question, context
from retreat.ui.runloop import Outcome
from retreat.ui.stage import StageOptions, frame
from retreat.ui.view import snapshot

URL = "http://192.168.1.23:8765/"
PHONE_Q = "老旧小区加装电梯，资金从哪里来？"


@pytest.fixture
def qs(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "qa.retreat", agenda_mod.load(QA_AGENDA), clock)
    yield s
    s.close()


def screen(session: Session, options: StageOptions | None = None) -> str:
    view = snapshot(session.state, session.stamp(), OFFSET)
    console = Console(file=io.StringIO(), record=True, width=80, height=24, color_system=None)
    console.print(frame(view, options or StageOptions(session_path="qa.retreat")))
    return console.export_text()


def propose(session: Session, *texts: str, accept: bool = True) -> None:
    for text in texts:
        session.handle(Cmd.PROPOSE_QUESTION, {"text": text, "key": text})
        if accept:
            session.handle(Cmd.DECIDE_PROPOSAL, {"pid": max(session.state.qa.proposals), "decision": "accepted"})


# --- the Q&A segment ------------------------------------------------------------------------


def test_waiting_phone_questions_show_with_their_key_only_when_accepted(qs: Session) -> None:
    qs.handle(Cmd.START)
    propose(qs, "还没审的问题", accept=False)
    text = screen(qs)
    assert "phone question" not in text and " m " not in text
    propose(qs, PHONE_Q, "停车难怎么办？")
    text = screen(qs)
    assert "2 phone questions accepted: press m to put one to the room" in text
    assert "m phone question" in text  # the help line
    qs.handle(Cmd.ASK, {"proposal": 2, "department": "sgo"})
    assert "1 phone question accepted: press m to put it to the room" in screen(qs)


def test_the_phone_question_prompt_lists_the_accepted_ones(qs: Session, clock: FakeClock) -> None:
    qs.handle(Cmd.START)
    propose(qs, PHONE_Q, "x" * 80)
    prompter = FakePrompter("3", "2", "jus")
    value = capture_phone_question(prompter, context(qs.state, clock.now(), OFFSET), qs.state.qa.proposals.values())
    assert value == {"proposal": 2, "department": "jus"}
    assert prompter.errors == ["3 is not offered"] and prompter.defaults[0] == "1"


@pytest.fixture
def drive(qs: Session, clock: FakeClock, monkeypatch: pytest.MonkeyPatch):
    from prompt_toolkit.input import create_pipe_input
    from support.stage import FakeAlarm, Frames, Script

    from retreat.ui.keys import KeyReader
    from retreat.ui.runloop import RunLoop

    def run(*steps, prompter: FakePrompter | None = None):
        console = Console(file=io.StringIO(), width=80, height=24, color_system=None)
        frames = Frames(qs)
        prompter = prompter or FakePrompter()
        with create_pipe_input() as pipe, KeyReader(pipe, clock=clock.monotonic) as reader:
            loop = RunLoop(qs, Script(reader, pipe, clock, steps), console, alarm=FakeAlarm(), screen=frames,
                           prompter=prompter, options=StageOptions(session_path="qa.retreat"))  # fmt: skip
            outcome = loop.run()
        return outcome, prompter, [frames.text(i) for i in range(len(frames.frames))]

    return run


def test_m_puts_an_accepted_phone_question_to_the_room_and_r_records_its_answer(drive, qs: Session) -> None:
    qs.handle(Cmd.START)
    propose(qs, PHONE_Q)
    prompter = FakePrompter("jus",  # m: which department (the only accepted question needs no choosing)
                            "<default>", "分摊方案下月公布", "answered", "satisfied")  # r  # fmt: skip
    outcome, p, texts = drive("m", 30, "r", "q", "y", prompter=prompter)
    assert outcome is Outcome.QUIT and p.answers == []
    assert p.asked[:1] == ["Which department answers?"]
    assert kinds(qs).count("question_asked") == 1 and kinds(qs).count("question_answered") == 1
    q = qs.state.qa.questions[1]
    assert (q.text, q.department, q.answerer, q.outcome, q.proposal) == (PHONE_Q, "jus", "吴敏", "answered", 1)
    assert q.answer_seconds == pytest.approx(30) and q.from_phone
    assert qs.state.qa.proposals[1].status == "asked"
    assert any("Question 1 recorded" in t and f"Question 1: {PHONE_Q}" in t for t in texts)
    assert any("Answering: 司法所 · 吴敏" in t for t in texts)
    assert not any("phone question accepted" in t for t in texts[-2:])  # none waits any more


def test_m_asks_which_question_when_several_wait(drive, qs: Session) -> None:
    qs.handle(Cmd.START)
    propose(qs, PHONE_Q, "停车难怎么办？")
    outcome, p, _texts = drive("m", "q", "y", prompter=FakePrompter("2", "sgo"))
    assert p.asked == ["Which phone question?", "Which department answers?"]
    assert qs.state.qa.questions[1].text == "停车难怎么办？"


def test_d_draws_an_accepted_phone_question_like_an_asker_and_k_puts_it(drive, qs: Session,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.meeting.qa import decide_draw
    from retreat.ui import qa_desk

    qs.handle(Cmd.START)
    propose(qs, PHONE_Q)
    item = qs.state.item.item
    seed = next(n for n in range(1000)
                if decide_draw(qs.agenda, qs.state.qa, item, n, qs.stamp())[-1].data.get("proposal") == 1)
    monkeypatch.setattr(qa_desk.secrets, "randbits", lambda _bits: seed)
    outcome, p, texts = drive("d", "k", "q", "y", prompter=FakePrompter("sgo"))
    assert p.asked == ["Which department answers?"]  # the question is the one drawn
    drawn = next(t for t in texts if "A question from a phone" in t)
    assert PHONE_Q in drawn and "Press k to put this phone question" in drawn
    assert "Drawn: A question from a phone" in drawn and "Asker " not in drawn
    q = qs.state.qa.questions[1]
    assert (q.proposal, q.department, q.text) == (1, "sgo", PHONE_Q)
    assert qs.state.qa.drawn_phone == {}


def test_m_explains_itself_when_it_cannot_work(drive, qs: Session) -> None:
    qs.handle(Cmd.START)
    _o, _p, texts = drive("m", "q", "y")
    assert any("No phone question is waiting" in t for t in texts)
    propose(qs, PHONE_Q, "第二个")
    qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})
    _o, _p, texts = drive("m", "q", "y")
    assert any("Question 1 is still being answered: press r" in t for t in texts)
    assert kinds(qs).count("question_asked") == 1


def test_a_cancelled_phone_question_records_nothing(drive, qs: Session) -> None:
    qs.handle(Cmd.START)
    propose(qs, PHONE_Q)
    _o, _p, texts = drive("m", "q", "y", prompter=FakePrompter("1", Cancelled))
    assert "question_asked" not in kinds(qs) and qs.state.qa.proposals[1].status == "accepted"
    assert any("Cancelled: nothing was recorded." in t for t in texts)


# --- the minutes ------------------------------------------------------------------------------


@pytest.mark.parametrize(("stage", "lang", "label"), [("en", "zh-CN", "会场手机提问"), ("zh-CN", "en", "a phone in the room")])
def test_an_accepted_phone_question_is_in_the_minutes_qa_table(qs: Session, clock: FakeClock, stage: str,
                                                                lang: str, label: str) -> None:
    i18n.set_language(stage)  # the core records the label in the stage's language
    qs.handle(Cmd.START)
    propose(qs, PHONE_Q)
    qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})
    clock.advance(40)
    qs.handle(Cmd.ANSWER, {"qid": 1, "answer": "分摊方案下月公布", "outcome": "answered", "satisfaction": "satisfied"})
    text = minutes(load(qs.path), lang=lang)
    rows = [row for table in tables(text) for row in table if PHONE_Q in row]
    assert len(rows) == 1 and label in rows[0]
    other = "a phone in the room" if lang == "zh-CN" else "会场手机提问"
    assert other not in text


def test_a_phone_question_given_an_asker_afterwards_keeps_that_asker(qs: Session) -> None:
    qs.handle(Cmd.START)
    propose(qs, PHONE_Q)
    qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})
    qs.handle(Cmd.EDIT_QUESTION, {"qid": 1, "asker": "林秀英"})
    assert not qs.state.qa.questions[1].from_phone
    assert "林秀英" in minutes(load(qs.path), lang="en")


def test_the_minutes_say_how_phone_questions_joined_the_draw(qs: Session) -> None:
    from retreat.meeting.qa import decide_draw

    qs.handle(Cmd.START)
    qs.handle(Cmd.DRAW, 7)  # the invited are ordered; no phone question waits yet
    propose(qs, PHONE_Q)
    item = qs.state.item.item
    seed = next(n for n in range(1000)
                if decide_draw(qs.agenda, qs.state.qa, item, n, qs.stamp())[-1].data.get("proposal") == 1)
    qs.handle(Cmd.DRAW, seed)
    qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})
    text = minutes(load(qs.path), lang="en")
    assert "Accepted phone questions joined the draw" in text
    assert f"seed {seed}, pool of 4: phone question 1." in text  # 3 representatives waiting + 1 question
    assert "seed 7, pool" not in text  # the first draw had no phone question in it


# --- the vote board ---------------------------------------------------------------------------


@pytest.fixture
def vs(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "vote-stage.retreat", agenda_mod.load(VOTE_AGENDA), clock)
    yield s
    s.close()


def phone_ballot(session: Session, bid: str, ranking: str, group: str | None = None) -> None:
    session.handle(Cmd.CAST, {"ballot": bid, "ranking": ranking, "group": group, "source": ballot_box.PHONE,
                              "key": bid})


def test_the_board_shows_the_phone_address_and_the_phones_ballots_live(vs: Session) -> None:
    desk = Desk(vs)
    desk.loop.options = StageOptions(session_path="vote-stage.retreat", phones=URL)
    text = desk.screen()
    # 80 columns: the short form, to keep the hint that j shows the QR code
    assert f"Phones: {URL}   j: QR code" in text
    wide = desk.screen(width=100)
    assert f"Phones: connect to this network and open {URL}   j: QR code" in wide
    assert "phones: 0" in text and "0 ballots in" in text
    desk.type("b1", "1 2 3\r", "escape")  # a paper ballot for the first group
    phone_ballot(vs, "p1", "2 1", "g2")  # a phone of the second group
    phone_ballot(vs, "p2", "3", "g2")
    text = desk.screen()
    assert "第一组 1/4" in text and "第二组 2/3" in text and "phones: 2" in text and "3 ballots in" in text
    lines = text.split("\n")
    assert len(lines) == 25 and all(len(line) <= 80 for line in lines)


NO_GROUPS = """\
version: 1
meeting: {title: Phones only, language: en}
items:
  - {id: v, kind: vote, title: Projects, limit: 5m, seats: 1, ranks: 2, candidates: [{id: a, title: Canteen}, {id: b, title: Lift}]}
"""


def test_phone_ballots_without_a_group_are_counted_as_phones(tmp_path: Path, clock: FakeClock) -> None:
    (tmp_path / "phones.yaml").write_text(NO_GROUPS, encoding="utf-8")
    with Session.create(tmp_path / "phones.retreat", agenda_mod.load(tmp_path / "phones.yaml"), clock) as s:
        desk = Desk(s)
        desk.loop.options = StageOptions(phones=URL)
        desk.type("b", "1 2\r", "escape")
        phone_ballot(s, "p1", "2 1")
        phone_ballot(s, "p2", "2")
        text = desk.screen()
        assert "phones: 2" in text and "3 ballots in" in text and f"Phones: {URL}" in text


def test_without_participate_the_board_has_no_phone_line(vs: Session) -> None:
    desk = Desk(vs)
    text = desk.screen()
    assert "Phones" not in text and "phones:" not in text


def test_a_narrow_board_keeps_the_address_whole(vs: Session) -> None:
    desk = Desk(vs)
    desk.loop.options = StageOptions(phones=URL)
    text = desk.screen(width=50, height=20)
    assert f"Phones: {URL}" in text


def test_the_stage_footer_carries_the_address(qs: Session) -> None:
    text = screen(qs, StageOptions(session_path="qa.retreat", phones=URL))
    assert f"Session: qa.retreat · Phones: {URL}" in text


# --- prompts do not hold the phones up --------------------------------------------------------


def test_phones_are_served_while_a_prompt_waits_for_the_secretary(qs: Session) -> None:
    """The stage holds the session except while it waits: for a key, or for a prompt's answer."""
    import threading

    from retreat.ui.runloop import RunLoop
    from retreat.web.gate import Busy, Gate, LockedKeys

    gate = Gate(qs)
    outcomes: list[object] = []

    def phone_asks(text: str, wait: float) -> None:
        def go() -> None:
            try:
                outcomes.append(gate.run(lambda s: s.handle(Cmd.PROPOSE_QUESTION, {"text": text, "key": text}),
                                         wait=wait))
            except Busy as e:
                outcomes.append(e)
        worker = threading.Thread(target=go)
        worker.start()
        worker.join(10)

    class Typing:
        def text(self, message: str, *, default: str = "", validate: object = None) -> str:
            phone_asks("停车难怎么办？", wait=5.0)  # the secretary is still typing
            return "typed"

    class NoKeys:
        def get(self, deadline: float | None = None) -> str | None:
            return None

    keys = LockedKeys(NoKeys(), gate)
    try:
        loop = RunLoop(qs, keys, Console(file=io.StringIO()), prompter=Typing())  # type: ignore[arg-type]
        assert loop.prompter.text("问题") == "typed"
        assert [p.text for p in qs.state.qa.proposals.values()] == ["停车难怎么办？"]
        phone_asks("drawing a frame", wait=0.05)  # outside a prompt the stage has the session
        assert isinstance(outcomes[-1], Busy)
    finally:
        keys.release()
