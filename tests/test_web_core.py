"""The core of phone participation, without the web: proposals, codes, phone ballots."""

from __future__ import annotations

from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat import votes as ballot_box
from retreat.clock import FakeClock
from retreat.engine import Cmd
from retreat.errors import CommandRefused
from retreat.session import Session, load

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
    qs.handle(Cmd.ISSUE_CODES, {"salt": "s1", "hashes": [ballot_box.hash_code("ABCD2345", "s1")]})
    qs.handle(Cmd.ISSUE_CODES, {"salt": "s2", "hashes": [ballot_box.hash_code("WXYZ6789", "s2")]})
    book = qs.state.codes
    assert ballot_box.find_code(book, "abcd-2345") and ballot_box.find_code(book, "wxyz 6789")
    assert ballot_box.find_code(book, "ABCD2346") is None and ballot_box.find_code(book, "0OIL1111") is None
    digest = ballot_box.find_code(book, "ABCD2345")
    qs.handle(Cmd.REVOKE_CODE, digest)
    assert not book.valid(str(digest))
    with pytest.raises(CommandRefused, match="already revoked"):
        qs.handle(Cmd.REVOKE_CODE, digest)
