"""The core of phone participation, without the web: proposals, codes, phone ballots."""

from __future__ import annotations

from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting import phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, load

DATA = Path(__file__).parent / "data" / "agendas"


@pytest.fixture
def qs(tmp_path: Path, clock: FakeClock) -> Session:
    s = Session.create(tmp_path / "qa.retreat", agenda_mod.load(DATA / "qa.yaml"), clock)
    s.handle(Cmd.START)
    return s


def test_an_accepted_phone_question_is_put_to_the_room(qs: Session) -> None:
    qs.handle(Cmd.PROPOSE_QUESTION, {"text": "停车难怎么办？", "key": "k1"})
    qs.handle(Cmd.PROPOSE_QUESTION, {"text": "停车难", "key": "k2"})
    with pytest.raises(CommandRefused):
        qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})  # not accepted yet
    qs.handle(Cmd.DECIDE_PROPOSAL, {"pid": 1, "decision": "accepted"})
    qs.handle(Cmd.DECIDE_PROPOSAL, {"pid": 2, "decision": "merged", "into": 1})
    with pytest.raises(CommandRefused, match="already decided"):
        qs.handle(Cmd.DECIDE_PROPOSAL, {"pid": 2, "decision": "rejected"})
    qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})
    question = qs.state.qa.questions[1]
    assert question.text == "停车难怎么办？" and question.asker
    replayed = load(qs.path).state.qa
    assert [(p.pid, p.status, p.into) for p in replayed.proposals.values()] == [(1, "asked", None), (2, "merged", 1)]


@pytest.mark.parametrize("value", [{"text": ""}, {"text": "x" * 501}])
def test_empty_or_long_proposals_are_refused(qs: Session, value: dict[str, str]) -> None:
    with pytest.raises(CommandRefused):
        qs.handle(Cmd.PROPOSE_QUESTION, value)


def test_codes_are_found_by_their_hash_only(qs: Session) -> None:
    qs.handle(Cmd.ISSUE_CODES, {"salt": "s1", "hashes": [phone_codes.hash_code("ABCD2345", "s1")]})
    qs.handle(Cmd.ISSUE_CODES, {"salt": "s2", "hashes": [phone_codes.hash_code("WXYZ6789", "s2")]})
    book = qs.state.codes
    assert phone_codes.find_code(book, "abcd-2345") and phone_codes.find_code(book, "wxyz 6789")
    assert phone_codes.find_code(book, "ABCD2346") is None and phone_codes.find_code(book, "0OIL1111") is None
    digest = phone_codes.find_code(book, "ABCD2345")
    qs.handle(Cmd.REVOKE_CODE, digest)
    assert not book.valid(str(digest))
    with pytest.raises(CommandRefused, match="already revoked"):
        qs.handle(Cmd.REVOKE_CODE, digest)


def accept(session: Session, *texts: str) -> None:
    for text in texts:
        session.handle(Cmd.PROPOSE_QUESTION, {"text": text, "key": text})
        session.handle(Cmd.DECIDE_PROPOSAL, {"pid": max(session.state.qa.proposals), "decision": "accepted"})


@pytest.mark.slow
def test_accepted_phone_questions_are_drawn_like_the_representatives(tmp_path: Path, clock: FakeClock) -> None:
    """Each accepted phone question has the same chance as each representative still waiting
    (here 3 of the 4 invited, and 1 question: 1 in 4); each such draw logs its seed and replays."""
    agenda = agenda_mod.load(DATA / "qa.yaml")
    phone_draws = 0
    for seed in range(400):
        with Session.create(tmp_path / f"d{seed}.retreat", agenda, clock) as s:
            s.handle(Cmd.START)
            s.handle(Cmd.DRAW, seed)
            accept(s, "加装电梯资金从哪里来？")
            ev = s.handle(Cmd.DRAW, seed + 10_000)[-1]
            assert (ev.data["seed"], ev.data["pool"]) == (seed + 10_000, 4)
            phone_draws += ev.data.get("proposal") == 1
            assert load(s.path).state.qa.drawn_phone == s.state.qa.drawn_phone
    assert 70 <= phone_draws <= 130  # 100 expected; 3 standard deviations either side


def test_in_a_listed_order_phone_questions_come_after_the_list(qs: Session) -> None:
    qs.handle(Cmd.GOTO, "listed")
    qs.handle(Cmd.START)
    accept(qs, "停车难怎么办？")
    drawn = [qs.handle(Cmd.DRAW)[-1].data for _n in range(4)]
    assert [d["asker"] for d in drawn[:3]] == ["罗春梅", "林秀英", "新代表"] and drawn[3]["proposal"] == 1
    with pytest.raises(CommandRefused):
        qs.handle(Cmd.DRAW)


def test_a_drawn_phone_question_is_put_with_k_and_leaves_the_pool(qs: Session) -> None:
    accept(qs, "停车难怎么办？")
    seed = next(n for n in range(1000) if _draws_phone(qs, n))
    qs.handle(Cmd.DRAW, seed)
    assert qs.state.qa.drawn_phone == {"qa": 1}
    qs.handle(Cmd.ASK, {"proposal": 1, "department": "sgo"})
    assert qs.state.qa.drawn_phone == {} and qs.state.qa.proposals[1].status == "asked"
    assert all(not qs.handle(Cmd.DRAW, n)[-1].data.get("proposal") for n in range(3) if qs.state.qa.answering is None
               and qs.state.qa.undrawn("qa"))


def _draws_phone(session: Session, seed: int) -> bool:
    from retreat.meeting.qa import decide_draw

    item = session.state.item.item
    events = decide_draw(session.agenda, session.state.qa, item, seed, session.stamp())
    return events[-1].data.get("proposal") is not None
