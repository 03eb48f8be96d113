"""The room's screens' projection (retreat.meeting.room): pure, on a fake clock."""

from __future__ import annotations

import json

from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.room import STATES, room
from retreat.meeting.session import Session


def shown(session: Session) -> dict[str, object]:
    data = room(session.state, session.stamp(), session.clock.utc_offset()).fields(agenda=True)
    json.dumps(data)  # every field goes into an event as it is
    return data


def test_states_through_an_item(session: Session, clock: FakeClock) -> None:
    seen = [shown(session)]
    session.handle(Cmd.START)
    clock.advance(10)
    seen.append(shown(session))
    clock.advance(60)  # 50 s left of 2 min: the warning (a minute before the end)
    session.tick()
    seen.append(shown(session))
    session.handle(Cmd.PAUSE)
    seen.append(shown(session))
    session.handle(Cmd.RESUME)
    clock.advance(60)
    session.tick()
    seen.append(shown(session))
    session.handle(Cmd.END)
    seen.append(shown(session))
    assert [s["state"] for s in seen] == ["ready", "running", "warning", "paused", "overtime", "ended"]
    assert set(s["state"] for s in seen) == set(STATES)
    assert [s["remaining"] for s in seen] == [120, 110, 50, 50, -10, -10]
    assert [s["limit"] for s in seen] == [120] * 6
    assert seen[4]["alarm"] is True and seen[4]["digits"] == "+00:10"
    assert seen[1]["running"] is True and seen[3]["running"] is False and seen[5]["running"] is False


def test_the_podium_fields_for_a_running_item_in_chinese(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    session.handle(Cmd.ADJUST, 60)
    session.handle(Cmd.MESSAGE, 2)
    clock.advance(30)
    data = shown(session)
    assert data["item"] == "r1" and data["title"] == "党政办公室工作汇报"
    assert data["presenter"] == "陈静 · 党政办公室"
    assert data["limit"] == 180 and data["remaining"] == 150 and data["state"] == "running"
    assert data["message"] == "请总结"
    nxt = data["next"]
    assert isinstance(nxt, dict) and nxt["title"] == "领导点评" and nxt["presenter"] == "王书记"
    rows = data["rows"]
    assert isinstance(rows, list) and rows[0]["current"] and rows[0]["state"] == "now"
    assert rows[0]["planned"] == "02:00>03:00"


def test_the_message_goes_with_the_next_item_and_the_meeting_ends(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    session.handle(Cmd.MESSAGE, 1)
    assert shown(session)["message"] == "请抓紧时间"
    session.handle(Cmd.NEXT)
    data = shown(session)
    assert data["message"] is None and data["item"] == "r2" and data["state"] == "ready"
    assert data["rows"][0]["state"] == "done"  # type: ignore[index]
    session.handle(Cmd.END_MEETING)
    data = shown(session)
    assert data["ended"] is True and data["state"] == "ended" and data["next"] is None


def test_ahead_and_behind_and_the_projected_end(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.START)
    clock.advance(120 + 5 * 60)  # five minutes over
    data = shown(session)
    assert data["behind"] == 5
    assert data["projected_end"] != data["planned_end"]
    assert "5" in str(data["schedule"])


def test_during_an_answer_the_answer_countdown(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.GOTO, "qa")
    session.handle(Cmd.START)
    session.handle(Cmd.ASK, {"text": "物业管理委员会必须有党员吗？", "department": "pgo", "asker": "李主任"})
    clock.advance(20)
    data = shown(session)
    answer = data["answer"]
    assert isinstance(answer, dict) and answer["state"] in ("running", "warning") and answer["running"]
    assert answer["remaining"] == answer["limit"] - 20
    assert data["remaining"] == 180 - 20  # the segment's own countdown runs beside it
    assert "党政办公室" in str(data["answering"])  # who answers, shown on the podium with the answer's time


def test_a_revealed_vote_lists_its_chosen_items(vs: Session) -> None:
    for n, ranking in enumerate(["1 2", "1 3", "2 1", "1 2"]):
        vs.handle(Cmd.CAST, {"ballot": f"b{n}", "ranking": ranking, "group": "g1"})
    assert shown(vs)["chosen"] == []  # counted, not revealed: nothing chosen yet
    vs.handle(Cmd.REVEAL, {"scope": "all", "seed": 7})
    (chosen,) = shown(vs)["chosen"]  # type: ignore[misc]
    assert chosen == {"item": "v", "title": "民生实事推荐", "chosen": ["社区食堂", "社区客厅"]}
