from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.ballot_box import chosen, parse_import, tally
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, load

VOTE_AGENDA = Path(__file__).parent / "data" / "agendas" / "vote.yaml"
_ids = itertools.count(1)


@pytest.fixture
def vs(tmp_path: Path, clock: FakeClock) -> Session:
    s = Session.create(tmp_path / "v.retreat", agenda_mod.load(VOTE_AGENDA), clock)
    s.handle(Cmd.START)
    return s


def cast(s: Session, ranking: object, group: str | None = "g1") -> None:
    s.handle(Cmd.CAST, {"ballot": f"b{next(_ids)}", "ranking": ranking, "group": group})


def test_keyboard_ballots_by_number_are_counted_by_borda(vs: Session) -> None:
    for line in ["1 2 3", "1 3", "2 1 4", "3 1 2"]:
        cast(vs, line)
    vote = vs.state.vote()
    assert [b.ranking for b in vote.counted][:2] == [("canteen", "room", "alliance"), ("canteen", "alliance")]
    result = tally(vote)
    # m = 4 standing: 1st 4 points, 2nd 3, 3rd 2. canteen 4+4+3+3=14, room 3+4+2=9, alliance 2+3+4=9, parking 2
    assert result.rounds[0].tallies["社区食堂"] == 14
    assert result.winners[0] == "社区食堂"


@pytest.mark.parametrize(
    ("line", "message"),
    [("", "empty ballot"), ("1 9", "not a candidate number"), ("1 1", "ranked twice"), ("1 2 3 4", "at most 3"),
     ("1 x", "is not a candidate"), ("1 ²", "is not a candidate")],  # '²'.isdigit(), yet int() refuses it
)
def test_bad_ballot_lines_are_refused_with_the_reason_and_not_counted(vs: Session, line: str, message: str) -> None:
    with pytest.raises(CommandRefused, match=message):
        cast(vs, line)
    assert vs.state.votes == {}


def test_the_group_is_required_when_groups_vote(vs: Session) -> None:
    with pytest.raises(CommandRefused, match="第一组"):
        cast(vs, "1 2", group=None)
    cast(vs, "1 2", group="第二组")  # by name too
    assert vs.state.vote().counted[0].group == "g2"


def test_undo_removes_the_last_ballot_as_an_event(vs: Session) -> None:
    cast(vs, "1 2")
    cast(vs, "3 4")
    vs.handle(Cmd.UNDO_BALLOT)
    vote = vs.state.vote()
    assert [b.ranking for b in vote.counted] == [("canteen", "room")]
    assert len(vote.ballots) == 2 and vote.ballots[1].undone
    assert load(vs.path).state.votes["v"].counted == vote.counted


def test_reveal_closes_the_vote_and_records_the_seed(vs: Session) -> None:
    cast(vs, "1 2")
    vs.handle(Cmd.REVEAL, {"scope": "g1", "seed": 5})
    with pytest.raises(CommandRefused, match="closed"):
        cast(vs, "2 1")
    vs.handle(Cmd.REVEAL, {"scope": "all", "seed": 99})
    vote = load(vs.path).state.votes["v"]
    assert vote.revealed == [("g1", 5), ("all", 99)] and vote.seed == 99


def test_per_group_tally(vs: Session) -> None:
    cast(vs, "1 2", "g1")
    cast(vs, "2 1", "g2")
    cast(vs, "2 3", "g2")
    vote = vs.state.vote()
    assert tally(vote, "g1").winners[0] == "社区食堂"
    assert tally(vote, "g2").winners[0] == "社区客厅"


def test_a_lot_is_reproducible_from_the_recorded_seed(vs: Session) -> None:
    for line in ["1 2", "2 1", "3 4", "4 3"]:  # every candidate 7 points: a lot for 2 seats
        cast(vs, line)
    vote = vs.state.vote()
    first = tally(vote, seed=1)
    assert first.winners == tally(vote, seed=1).winners
    assert first.ties and first.ties[0].seed == 1
    outcomes = {tuple(tally(vote, seed=s).winners) for s in range(20)}
    assert len(outcomes) > 1  # the seed really decides


def tie_three(s: Session, item: str) -> None:
    s.handle(Cmd.GOTO, item)
    s.handle(Cmd.START)
    for line in ["1", "2", "3"]:
        s.handle(Cmd.CAST, {"ballot": f"b{next(_ids)}", "ranking": line, "group": "g1"})
    s.handle(Cmd.REVEAL, {"scope": "all", "seed": 7})


def test_chair_decides_a_tie(vs: Session) -> None:
    tie_three(vs, "chair")
    vote = vs.state.vote()
    assert chosen(vs.state.votes, vote) is None  # waiting for the chair
    with pytest.raises(CommandRefused, match="choose 1 of the tied"):
        vs.handle(Cmd.CHAIR_DECIDES, ["甲方案", "乙方案"])
    vs.handle(Cmd.CHAIR_DECIDES, ["乙方案"])
    assert chosen(vs.state.votes, vs.state.vote()) == ["乙方案"]


def test_runoff_among_the_tied_is_a_vote_of_its_own(vs: Session) -> None:
    tie_three(vs, "runoff")
    vs.handle(Cmd.OPEN_RUNOFF)
    runoff = vs.state.vote()
    assert runoff.key == "runoff/runoff-1" and runoff.titles == ("甲方案", "乙方案", "丙方案")
    for line in ["3", "3", "1"]:
        cast(vs, line)
    vs.handle(Cmd.REVEAL, {"scope": "all", "seed": 8})
    parent = vs.state.votes["runoff"]
    assert chosen(vs.state.votes, parent) == ["丙方案"]


def test_groups_vote_as_groups_with_their_size_as_weight(vs: Session) -> None:
    vs.handle(Cmd.GOTO, "groups")
    vs.handle(Cmd.START)
    cast(vs, "1", "g1")
    with pytest.raises(CommandRefused, match="already in"):
        cast(vs, "2", "g1")
    cast(vs, "2", "g2")
    vote = vs.state.vote()
    assert [(b.group, b.weight, b.source) for b in vote.counted] == [("g1", 3, "group"), ("g2", 2, "group")]
    assert tally(vote).winners == ["甲方案"]


def test_import_reports_rejected_rows_and_casts_the_rest(vs: Session) -> None:
    vote = vs.state.vote()
    text = "\ufeffrank1,rank2,rank3\n社区食堂,社区客厅,\n社区客厅,社区客厅,\n养老服务联盟,停车位改造,社区食堂\n"
    rows, rejected = parse_import(vote, text, "form.csv")
    assert [r[0] for r in rows] == [("canteen", "room"), ("alliance", "parking", "canteen")]
    assert len(rejected) == 1 and rejected[0][0] == 3
    vs.handle(Cmd.IMPORT_BALLOTS, {"rows": rows, "ids": ["x1", "x2"], "source": "form.csv"})
    assert [b.source for b in vs.state.vote().counted] == ["file:form.csv", "file:form.csv"]


def test_import_of_unknown_candidates_is_refused(vs: Session) -> None:
    with pytest.raises(CommandRefused, match="does not have"):
        parse_import(vs.state.vote(), "rank1\n火星基地\n", "form.csv")


def test_not_a_vote_item(tmp_path: Path, short_agenda: agenda_mod.Agenda, clock: FakeClock) -> None:
    with Session.create(tmp_path / "s.retreat", short_agenda, clock) as s, pytest.raises(CommandRefused):
        s.handle(Cmd.CAST, {"ballot": "x", "ranking": "1"})


def test_no_voter_identity_is_stored(vs: Session) -> None:
    cast(vs, "1 2")
    event = [e for e in vs.store.events() if e.kind.value == "ballot_cast"][0]
    assert set(event.data) == {"item", "vote", "ballot", "ranking", "group", "weight", "source"}
