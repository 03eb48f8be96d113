"""The phone app through Starlette's TestClient: join, codes, CSRF, ballots, questions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from support import Ticks
from support.web import CODES, SALT, VOTE_AGENDA, ballot_form, field

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.i18n import translator
from retreat.meeting import ballot_box, phone_codes
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session, load
from retreat.web.app import create_app
from retreat.web.gate import Gate

tr = translator("zh-CN").gettext  # the pages speak the meeting's language (this agenda: Chinese)


@pytest.fixture
def client(vs: Session, ticks: Ticks) -> Iterator[TestClient]:
    with TestClient(create_app(Gate(vs), clock=ticks, desk_token="desk"), follow_redirects=True) as c:
        yield c


def join(client: TestClient, code: str = CODES[0]) -> str:
    page = client.get("/")
    r = client.post("/join", data={"code": code, "csrf": field(page.text, "csrf")})
    return r.text


def on_disk(session: Session) -> bytes:
    """The session file and its WAL, byte for byte: what a copied laptop disk would give away."""
    path = Path(session.path)
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_join_with_a_code_shows_the_open_vote(client: TestClient) -> None:
    text = join(client, "aaaa-2222")  # case and the dash do not matter
    assert tr("You have joined.") in text and "民生实事推荐" in text


def test_a_bad_code_is_refused_and_attempts_are_rate_limited(client: TestClient, ticks: Ticks) -> None:
    page = client.get("/")
    csrf = field(page.text, "csrf")
    for _ in range(5):
        r = client.post("/join", data={"code": "ZZZZ9999", "csrf": csrf})
        assert r.status_code == 403 and tr("That code is not valid. Check it and try again.") in r.text
    r = client.post("/join", data={"code": CODES[0], "csrf": csrf})
    assert r.status_code == 429  # even a good code waits once the limit is reached
    ticks.now += 61
    r = client.post("/join", data={"code": CODES[0], "csrf": csrf})
    assert r.status_code == 200 and tr("You have joined.") in r.text


def test_forms_without_the_csrf_token_are_refused(client: TestClient, vs: Session) -> None:
    client.get("/")
    assert client.post("/join", data={"code": CODES[0], "csrf": "forged"}).status_code == 403
    join(client)
    form = ballot_form(client)
    r = client.post("/vote", data={**form, "csrf": "forged", "ranking": "1 2"})
    assert r.status_code == 403
    assert client.post("/ask", data={"text": "hi", "csrf": "x", "key": "k"}).status_code == 403
    assert vs.state.vote().counted == []


def test_oversized_input_is_refused(client: TestClient) -> None:
    join(client)
    form = ballot_form(client)
    r = client.post("/vote", data={**form, "ranking": "1 " * 5000})
    assert r.status_code == 413


def test_rank_submit_change_and_resubmit(client: TestClient, vs: Session) -> None:
    join(client)
    form = ballot_form(client)
    r = client.post("/vote", data={**form, "ranking": "2 1 3"})
    assert r.status_code == 200 and 'id=received' in r.text
    vote = vs.state.vote()
    assert [b.ranking for b in vote.counted] == [("room", "canteen", "alliance")]
    assert vote.counted[0].group == "g1" and vote.counted[0].source == "phone"
    # flaky Wi-Fi: the same form sent again records nothing
    before = vs.state.events
    client.post("/vote", data={**form, "ranking": "2 1 3"})
    assert vs.state.events == before and len(vote.counted) == 1
    # change it: same ballot id, new ranking
    form2 = ballot_form(client)
    client.post("/vote", data={**form2, "ranking": "4"})
    assert [b.ranking for b in vote.counted] == [("parking",)]
    kinds = [e.kind for e in vs.store.events()]
    assert kinds.count(EventKind.BALLOT_CAST) == 1 and kinds.count(EventKind.BALLOT_REPLACED) == 1


def test_the_stored_ballot_carries_no_code(client: TestClient, vs: Session) -> None:
    join(client)
    client.post("/vote", data={**ballot_form(client), "ranking": "1"})
    text = Path(vs.path).read_bytes()
    for code in CODES:
        assert code.encode() not in text


def test_one_ballot_per_code_across_phones(client: TestClient, vs: Session) -> None:
    join(client)
    client.post("/vote", data={**ballot_form(client), "ranking": "1"})
    client.cookies.clear()
    join(client)  # the same code on another phone changes the same ballot
    client.post("/vote", data={**ballot_form(client), "ranking": "2"})
    assert [b.ranking for b in vs.state.vote().counted] == [("room",)]


def test_a_bad_ranking_is_explained_and_nothing_stored(client: TestClient, vs: Session) -> None:
    join(client)
    r = client.post("/vote", data={**ballot_form(client), "ranking": "1 1"})
    assert r.status_code == 422 and "1" in r.text and 'class="card err"' in r.text
    assert vs.state.vote().counted == []


def test_a_closed_vote_refuses_and_forgets_the_link(client: TestClient, vs: Session) -> None:
    join(client)
    form = ballot_form(client)
    client.post("/vote", data={**form, "ranking": "1"})
    space = ballot_box.LINK_SPACE + vs.state.vote().key
    assert list(vs.store.scratch(space).values()) == [vs.state.vote().counted[0].id]
    assert b"links:" in on_disk(vs)
    vs.handle(Cmd.REVEAL, {"scope": "all", "seed": 1})
    r = client.post("/vote", data={**form, "ranking": "2"})
    assert r.status_code == 403 and tr("Voting is closed") in r.text
    assert client.get("/vote").status_code == 403
    assert vs.store.scratch(space) == {}
    assert b"links:" not in on_disk(vs)  # overwritten, not just unlinked from the table
    assert [b.ranking for b in vs.state.vote().counted] == [("canteen",)]


def test_a_revoked_code_can_no_longer_join_or_vote(client: TestClient, vs: Session) -> None:
    join(client)
    form = ballot_form(client)
    vs.handle(Cmd.REVOKE_CODE, phone_codes.find_code(vs.state.codes, CODES[0]))
    assert client.post("/vote", data={**form, "ranking": "1"}).status_code == 403
    client.cookies.clear()
    assert tr("That code is not valid. Check it and try again.") in join(client)


def test_the_desk_undo_leaves_phone_ballots_alone(client: TestClient, vs: Session) -> None:
    vs.handle(Cmd.CAST, {"ballot": "k1", "ranking": "3", "group": "g2"})
    join(client)
    client.post("/vote", data={**ballot_form(client), "ranking": "1"})
    vs.handle(Cmd.UNDO_BALLOT)
    assert [b.source for b in vs.state.vote().counted] == ["phone"]


def test_a_question_from_a_phone_waits_for_the_facilitator(client: TestClient, vs: Session) -> None:
    join(client)
    page = client.get("/ask")
    form = {"csrf": field(page.text, "csrf"), "key": field(page.text, "key")}
    r = client.post("/ask", data={**form, "text": "  社区食堂  能否对老人优惠？ "})
    assert r.status_code == 200 and "id=received" in r.text
    client.post("/ask", data={**form, "text": "社区食堂 能否对老人优惠？"})  # sent twice: kept once
    page = client.get("/ask")
    client.post("/ask", data={"csrf": field(page.text, "csrf"), "key": field(page.text, "key"), "text": "停车难"})
    assert [(p.pid, p.text, p.status) for p in vs.state.qa.proposals.values()] == [
        (1, "社区食堂 能否对老人优惠？", "proposed"), (2, "停车难", "proposed")]
    assert client.get("/desk?t=wrong").status_code == 403
    desk = client.get("/desk?t=desk")
    csrf = field(desk.text, "csrf")
    client.post("/desk?t=desk", data={"csrf": csrf, "pid": "1", "decision": "accepted"})
    client.post("/desk?t=desk", data={"csrf": csrf, "pid": "2", "decision": "merged", "into": "1"})
    assert [p.status for p in vs.state.qa.proposals.values()] == ["accepted", "merged"]
    assert [p.pid for p in load(vs.path).state.qa.proposals.values() if p.status == "accepted"] == [1]


def test_unjoined_phones_are_sent_to_the_join_page(client: TestClient) -> None:
    r = client.get("/vote")
    assert tr("Type the code on your slip.") in r.text


def test_the_facilitator_revokes_a_code_live(client: TestClient, vs: Session) -> None:
    join(client)
    form = ballot_form(client)
    desk = client.get("/desk?t=desk")
    r = client.post("/desk?t=desk", data={"csrf": field(desk.text, "csrf"), "revoke": CODES[0].lower()})
    assert r.status_code == 200
    assert client.post("/vote", data={**form, "ranking": "1"}).status_code == 403
    r = client.post("/desk?t=desk", data={"csrf": field(desk.text, "csrf"), "revoke": "ZZZZ9999"})
    assert r.status_code == 422


def test_after_a_crash_phones_keep_their_place_and_their_one_ballot(tmp_path: Path, clock: FakeClock) -> None:
    """The server dies mid-vote and comes back: a phone's cookie still works, and a voter who
    lost the cookie and joins again with the same code changes the same ballot."""
    path = tmp_path / "crash.retreat"
    first = Session.create(path, agenda_mod.load(VOTE_AGENDA), clock)
    first.handle(Cmd.ISSUE_CODES, {"salt": SALT, "hashes": [phone_codes.hash_code(c, SALT) for c in CODES],
                                   "group": "g1"})
    first.handle(Cmd.START)
    with TestClient(create_app(Gate(first), desk_token="desk"), follow_redirects=True) as phone:
        join(phone)
        phone.post("/vote", data={**ballot_form(phone), "ranking": "1"})
        cookies = dict(phone.cookies)
    first.store._conn.close()  # killed: no checkpoint, no goodbye
    again = Session.resume(path, clock)
    try:
        with TestClient(create_app(Gate(again), desk_token="desk"), follow_redirects=True) as same:
            same.cookies.update(cookies)
            assert 'name="vote"' in same.get("/vote").text  # the ballot, not the join page: no code to type again
            same.post("/vote", data={**ballot_form(same), "ranking": "2"})
        with TestClient(create_app(Gate(again), desk_token="desk"), follow_redirects=True) as cleared:
            join(cleared)
            cleared.post("/vote", data={**ballot_form(cleared), "ranking": "3"})
        assert [b.ranking for b in again.state.vote().counted] == [("alliance",)]
    finally:
        again.close()


def test_a_code_revoked_from_another_terminal_counts_at_once(client: TestClient, vs: Session,
                                                               clock: FakeClock) -> None:
    """`retreat codes --revoke` while the meeting runs: the running server refuses the code
    on its next request, and the stage's own next command is decided on the whole log."""
    from retreat.meeting.engine import Command
    from retreat.meeting.session import record

    join(client)
    form = ballot_form(client)
    record(vs.path, Command(Cmd.REVOKE_CODE, phone_codes.find_code(vs.state.codes, CODES[0])), clock)
    assert client.post("/vote", data={**form, "ranking": "1"}).status_code == 403
    vs.handle(Cmd.TOGGLE)  # decided after catching up: the log stays in one order
    kinds = [e.kind for e in vs.store.events()]
    assert kinds[-2:] == [EventKind.CODE_REVOKED, EventKind.ITEM_PAUSED]
    assert load(vs.path).state.codes.revoked == vs.state.codes.revoked



def test_a_code_typed_full_width_joins(client: TestClient) -> None:
    typed = "".join(chr(ord(ch) + 0xFEE0) for ch in CODES[1].lower())  # ｂｂｂｂ３３３３ from an input method
    assert tr("You have joined.") in join(client, typed[:4] + "－" + typed[4:])


def test_a_ranking_in_superscript_digits_is_refused_not_a_500(client: TestClient, vs: Session) -> None:
    join(client)
    form = ballot_form(client)
    r = client.post("/vote", data={**form, "ranking": "1 ²"})  # '²'.isdigit(), yet int() refuses it
    assert r.status_code == 422 and "id=received" not in r.text  # refused as a bad ballot is
    assert vs.state.vote().counted == []
