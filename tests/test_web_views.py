"""The room's screens: /timer, /agenda, /stage and their event streams (retreat.web.views, stream).

The streams are driven through the ASGI app itself (no server, no sleeping): a request is
answered until the test has read the events it wants, then the browser "disconnects".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.testclient import TestClient
from support.web import CODES

from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.web.app import create_app
from retreat.web.gate import Gate
from retreat.web.phones import CSRF_COOKIE, PHONE_COOKIE, VISITOR_COOKIE
from retreat.web.stream import Frames, Hub, Screens

TOKEN = "room-view-token-42"
VIEWS = ("/timer", "/agenda", "/stage")
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def viewed(session: Session) -> Session:
    """The short agenda (Chinese, a presenter and a department), with the views' token."""
    session.handle(Cmd.SET_VIEW_TOKEN, TOKEN)
    return session


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VIEWS)
async def test_a_view_with_its_token_is_a_whole_page(viewed: Session, path: str) -> None:
    client = TestClient(create_app(Gate(viewed)))
    page = client.get(f"{path}?v={TOKEN}")
    assert page.status_code == 200
    assert page.text.startswith("<!doctype html>") and page.text.rstrip().endswith("</html>")
    assert f"{path}".lstrip("/") in page.text and "EventSource" in page.text
    assert "http://" not in page.text and "https://" not in page.text and "@font-face" not in page.text
    assert '"Noto Sans CJK SC"' in page.text and '"Microsoft YaHei"' in page.text and "tabular-nums" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp


@pytest.mark.parametrize("path", [*VIEWS, *(f"{v}/events" for v in VIEWS)])
@pytest.mark.parametrize("query", ["", "?v=", "?v=room-view-token-41", "?v=ROOM-VIEW-TOKEN-42", "?t=" + TOKEN,
                                   "?v=房间"])
async def test_without_the_token_a_view_or_its_stream_is_refused(viewed: Session, path: str, query: str) -> None:
    answer = TestClient(create_app(Gate(viewed))).get(path + query)
    assert answer.status_code == 403
    assert "text/html" in answer.headers["content-type"]


async def test_before_the_meeting_has_a_token_nothing_opens(session: Session) -> None:
    client = TestClient(create_app(Gate(session)))
    assert client.get("/timer?v=").status_code == 403
    assert client.get("/timer/events?v=None").status_code == 403


async def test_the_phone_pages_keep_their_strict_policy(viewed: Session) -> None:
    csp = TestClient(create_app(Gate(viewed))).get("/").headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src" not in csp


async def test_a_view_token_cannot_join_vote_reach_the_desk_or_see_questions(vs: Session) -> None:
    vs.handle(Cmd.SET_VIEW_TOKEN, TOKEN)
    vs.handle(Cmd.PROPOSE_QUESTION, {"text": "秘密的待审问题", "group": None, "key": "k1"})
    client = TestClient(create_app(Gate(vs)), follow_redirects=False)
    joined = client.get(f"/?v={TOKEN}")
    assert 'name=code' in joined.text  # still the join form
    client.cookies.set(CSRF_COOKIE, "x")
    assert client.post("/join", data={"code": TOKEN, "csrf": "x"}).status_code == 403
    for cookie in (PHONE_COOKIE, VISITOR_COOKIE, CSRF_COOKIE):
        client.cookies.set(cookie, TOKEN)
    assert client.get(f"/vote?v={TOKEN}").status_code == 303  # not a phone: back to the join page
    assert client.post("/vote", data={"csrf": TOKEN, "ranking": "1", "vote": "v"}).status_code == 303
    assert client.post("/ask", data={"csrf": TOKEN, "text": "x"}).status_code == 303
    for desk in (f"/desk?t={TOKEN}", f"/desk?v={TOKEN}", f"/desk?t={TOKEN}&v={TOKEN}"):
        page = client.get(desk)
        assert page.status_code == 403 and "秘密的待审问题" not in page.text
    assert client.post(f"/desk?t={TOKEN}", data={"csrf": TOKEN, "pid": "1", "decision": "accepted"}).status_code == 403
    events = await read_events(create_app(Gate(vs)), "/stage/events", 1)
    assert "秘密的待审问题" not in json.dumps(events, ensure_ascii=False)
    assert [b for b in vs.state.vote().ballots] == []
    assert all(p.status == "proposed" for p in vs.state.qa.proposals.values())
    assert len(vs.state.codes.groups) == len(CODES)


# --- streams through the app -----------------------------------------------------------------


async def read_events(app: Any, path: str, count: int, *, after: Callable[[int], object] | None = None,
                      query: str = "v=" + TOKEN) -> list[dict[str, Any]]:
    """The first `count` events a browser reads from `path`; `after(n)` runs once the n-th is in."""
    events: list[dict[str, Any]] = []
    started: dict[str, Any] = {}
    gone = anyio.Event()
    buffer = ""

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal buffer
        if message["type"] == "http.response.start":
            started.update(status=message["status"], headers=dict(message["headers"]))
            return
        buffer += message.get("body", b"").decode("utf-8")
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            for line in block.splitlines():
                if line.startswith("data: "):
                    events.append(json.loads(line[len("data: "):]))
                    if after is not None and len(events) < count:
                        after(len(events))
        if len(events) >= count:
            gone.set()

    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "headers": [(b"host", b"testserver")],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    with anyio.fail_after(10):
        await app(scope, receive, send)
    assert started["status"] == 200
    assert started["headers"][b"content-type"].startswith(b"text/event-stream")
    return events


async def test_the_first_event_is_the_current_state(viewed: Session, clock: FakeClock) -> None:
    viewed.handle(Cmd.START)
    viewed.handle(Cmd.MESSAGE, 1)
    clock.advance(15)
    (first,) = await read_events(create_app(Gate(viewed)), "/timer/events", 1)
    assert {"item", "title", "state", "remaining", "limit", "message", "presenter", "next", "answer"} <= set(first)
    assert first["item"] == "r1" and first["title"] == "党政办公室工作汇报" and first["presenter"] == "陈静 · 党政办公室"
    assert first["state"] == "running" and first["remaining"] == 105 and first["limit"] == 120
    assert first["message"] == "请抓紧时间" and first["next"]["title"] == "领导点评"


async def test_each_view_gets_what_it_draws(viewed: Session) -> None:
    app = create_app(Gate(viewed))
    (timer,) = await read_events(app, "/timer/events", 1)
    (agenda,) = await read_events(app, "/agenda/events", 1)
    (stage,) = await read_events(app, "/stage/events", 1)
    assert "rows" not in timer
    assert [r["title"] for r in agenda["rows"]] == ["党政办公室工作汇报", "领导点评", "基层提问", "民生实事推荐"]
    assert agenda["chosen"] == [] and agenda["projected_end"] and agenda["schedule"]
    assert stage["screen"] == "timing" and stage["kind_label"] and stage["qa"] is None


async def test_a_command_on_the_stage_sends_an_event(viewed: Session, clock: FakeClock) -> None:
    viewed.handle(Cmd.START)
    app = create_app(Gate(viewed))

    def press_plus() -> None:  # the stage's thread commits; the listener tells the streams
        viewed.handle(Cmd.ADJUST, 60)

    first, second = await read_events(app, "/timer/events", 2, after=lambda n: press_plus())
    assert (first["limit"], second["limit"]) == (120, 180)
    assert second["remaining"] == 180


async def test_a_message_key_reaches_the_podium(viewed: Session) -> None:
    app = create_app(Gate(viewed))
    first, second, third = await read_events(
        app, "/timer/events", 3, after=lambda n: viewed.handle(Cmd.MESSAGE, 3 if n == 1 else 0))
    assert first["message"] is None and third["message"] is None
    assert second["message"] == "时间到，请结束"


# --- the hub: one keep-alive timer, one computation per change --------------------------------


class Timers:
    """call_later by hand: the test fires what is due."""

    def __init__(self) -> None:
        self.pending: list[Handle] = []

    def __call__(self, delay: float, fn: Callable[[], None]) -> Handle:
        handle = Handle(delay, fn)
        self.pending.append(handle)
        return handle

    def live(self) -> list[Handle]:
        return [h for h in self.pending if not h.cancelled and not h.fired]

    def fire(self) -> None:
        (due,) = self.live()
        due.fired = True
        due.fn()


class Handle:
    def __init__(self, delay: float, fn: Callable[[], None]) -> None:
        self.delay, self.fn, self.cancelled, self.fired = delay, fn, False, False

    def cancel(self) -> None:
        self.cancelled = True


class Counted:
    def __init__(self) -> None:
        self.screens = Screens()
        self.calls: list[frozenset[str]] = []

    def __call__(self, session: Session, views: Collection[str]) -> Frames:
        self.calls.append(frozenset(views))
        return self.screens(session, views)


async def test_keep_alive_every_3_s_from_one_timer_with_the_time_counted(viewed: Session, clock: FakeClock) -> None:
    viewed.handle(Cmd.START)
    timers = Timers()
    hub = Hub(Gate(viewed), later=timers, gap=0)
    a, b = hub.stream("timer"), hub.stream("agenda")
    first_a, first_b = json.loads(await anext(a)), json.loads(await anext(b))
    assert first_a["remaining"] == first_b["remaining"] == 120
    assert [h.delay for h in timers.live()] == [3.0]  # one timer for both streams
    clock.advance(3)
    timers.fire()
    again_a, again_b = json.loads(await anext(a)), json.loads(await anext(b))
    assert again_a["remaining"] == again_b["remaining"] == 117
    assert len(timers.live()) == 1
    await a.aclose()
    assert len(timers.live()) == 1  # the agenda is still watched
    await b.aclose()
    assert timers.live() == []  # nobody connected: no timer


async def test_a_change_is_computed_once_for_every_stream(viewed: Session, clock: FakeClock) -> None:
    counted, timers = Counted(), Timers()
    hub = Hub(Gate(viewed), counted, later=timers, gap=0)
    streams = [hub.stream("timer") for _ in range(5)]
    for stream in streams:
        await anext(stream)
    counted.calls.clear()
    viewed.handle(Cmd.START)  # in this thread: the listener computes here, the loop publishes
    got = [json.loads(await anext(stream)) for stream in streams]
    assert counted.calls == [frozenset({"timer"})]
    assert {g["state"] for g in got} == {"running"}
    assert len(timers.live()) == 1  # the keep-alive now counts from this change
    for stream in streams:
        await stream.aclose()


async def test_a_change_the_page_would_not_show_sends_nothing_and_the_keep_alive_still_comes(
        viewed: Session, clock: FakeClock) -> None:
    viewed.handle(Cmd.START)
    timers = Timers()
    hub = Hub(Gate(viewed), later=timers, gap=0)
    timer, stage = hub.stream("timer"), hub.stream("stage")
    await anext(timer), await anext(stage)
    (keepalive,) = timers.live()
    clock.advance(1)
    viewed.handle(Cmd.NOTE, "会上补充：社区食堂选址")  # the secretary's note: nothing the room's screens show
    await asyncio.sleep(0)  # the loop publishes what the listener computed
    assert hub.published == 1
    assert all(c.pending is None for clients in hub.clients.values() for c in clients)
    assert timers.live() == [keepalive]  # not pushed back: the pages still hear from us within 3 s
    viewed.handle(Cmd.PAUSE)  # shown: every stream gets it, and the keep-alive counts from here
    await asyncio.sleep(0)
    assert json.loads(await anext(timer))["state"] == "paused"
    assert json.loads(await anext(stage))["state"] == "paused"
    assert keepalive.cancelled and len(timers.live()) == 1
    clock.advance(3)
    timers.fire()
    again = json.loads(await anext(timer))
    assert again["state"] == "paused" and again["remaining"] == 119  # sent again although nothing changed
    await timer.aclose(), await stage.aclose()


async def test_a_burst_of_commits_is_computed_and_sent_once_and_a_lone_key_at_once(viewed: Session) -> None:
    counted, timers, now = Counted(), Timers(), [100.0]
    hub = Hub(Gate(viewed), counted, later=timers, gap=0.1, clock=lambda: now[0])
    stream = hub.stream("timer")
    await anext(stream)
    counted.calls.clear()
    viewed.handle(Cmd.START)  # alone: computed and sent at once
    assert json.loads(await anext(stream))["state"] == "running"
    now[0] += 0.01
    viewed.handle(Cmd.ADJUST, 60)  # within the gap, like a hall's ballots committed in batches
    viewed.handle(Cmd.PAUSE)
    viewed.handle(Cmd.ADJUST, 60)
    await asyncio.sleep(0)
    assert len(counted.calls) == 1  # only START's: the three that followed wait for one update
    (catch_up,) = [h for h in timers.live() if h.delay != 3.0]  # beside the keep-alive
    assert abs(catch_up.delay - 0.09) < 1e-9  # the rest of the gap
    catch_up.fired = True
    catch_up.fn()
    for _ in range(50):  # the update reads the session in a worker thread
        if len(counted.calls) == 2:
            break
        await asyncio.sleep(0.01)
    frame = json.loads(await anext(stream))
    assert (frame["state"], frame["limit"]) == ("paused", 120 + 120)  # everything that came meanwhile
    assert len(counted.calls) == 2
    now[0] += 1  # a key long after: at once again
    viewed.handle(Cmd.RESUME)
    assert json.loads(await anext(stream))["state"] == "running"
    await stream.aclose()


async def test_a_commit_while_the_deferred_update_reads_gets_an_update_of_its_own(viewed: Session) -> None:
    counted, timers, now = Counted(), Timers(), [100.0]

    def reading(session: Session, views: Collection[str]) -> Frames:
        frames = counted(session, views)
        if len(counted.calls) == 3:  # the deferred update's read: a key lands right after it
            session.handle(Cmd.PAUSE)
        return frames

    hub = Hub(Gate(viewed), reading, later=timers, gap=0.1, clock=lambda: now[0])
    stream = hub.stream("timer")
    await anext(stream)
    viewed.handle(Cmd.START)
    await anext(stream)
    viewed.handle(Cmd.ADJUST, 60)  # within the gap: deferred
    await asyncio.sleep(0)
    (catch_up,) = [h for h in timers.live() if h.delay != 3.0]
    catch_up.fired = True
    catch_up.fn()
    assert json.loads(await anext(stream))["state"] == "running"  # read before the PAUSE
    await asyncio.sleep(0)
    (again,) = [h for h in timers.live() if h.delay != 3.0]  # the PAUSE is not taken as sent
    again.fired = True
    again.fn()
    assert json.loads(await anext(stream))["state"] == "paused"
    await stream.aclose()


async def test_no_stream_no_work(viewed: Session) -> None:
    counted, timers = Counted(), Timers()
    hub = Hub(Gate(viewed), counted, later=timers, gap=0)
    viewed.handle(Cmd.START)
    viewed.handle(Cmd.PAUSE)
    assert counted.calls == [] and timers.pending == [] and hub.published == 0


async def test_an_older_state_never_replaces_a_newer_one(viewed: Session) -> None:
    hub = Hub(Gate(viewed), later=Timers(), gap=0)
    stream = hub.stream("timer")
    await anext(stream)
    hub.publish(Frames(10**6, {"timer": '{"new":1}'}))
    hub.publish(Frames(1, {"timer": '{"old":1}'}))
    assert json.loads(await anext(stream)) == {"new": 1}
    await stream.aclose()


def test_pages_carry_no_state_of_their_own(tmp_path: Path) -> None:
    """The pages are the same for every meeting: everything shown comes from the stream."""
    from retreat.web import view_pages

    assert view_pages.timer() == view_pages.timer()
    assert "连接中断" not in view_pages.timer()  # English here (the test's language)
    assert "Connection lost" in view_pages.timer()


async def test_stopping_the_server_ends_every_stream(viewed: Session) -> None:
    timers = Timers()
    hub = Hub(Gate(viewed), later=timers, gap=0)
    streams = [hub.stream("timer"), hub.stream("stage")]
    for stream in streams:
        await anext(stream)
    hub.close()  # the server's stop: open streams would otherwise hold its shutdown up
    for stream in streams:
        with pytest.raises(StopAsyncIteration):
            await anext(stream)
    assert timers.live() == [] and hub.on_commit not in viewed.listeners
    with pytest.raises(StopAsyncIteration):
        await anext(hub.stream("timer"))  # a late browser is turned away too


def test_the_stage_shows_the_vote_board_and_its_result_only_once_revealed(vs: Session) -> None:
    for n, ranking in enumerate(["1 2", "1 3", "2 1"]):
        vs.handle(Cmd.CAST, {"ballot": f"b{n}", "ranking": ranking, "group": "g1"})
    board = json.loads(Screens()(vs, ["stage"]).data["stage"])
    assert board["screen"] == "vote" and board["vote"]["outcome"] is None
    assert [c["title"] for c in board["vote"]["choices"]][:2] == ["社区食堂", "社区客厅"]
    assert "entry" not in board["vote"] and "keys" not in board["vote"]  # the secretary's line stays on the laptop
    vs.handle(Cmd.REVEAL, {"scope": "all", "seed": 7})
    result = json.loads(Screens()(vs, ["stage"]).data["stage"])["vote"]["outcome"]
    assert result["bars"][0]["title"] == "社区食堂" and result["bars"][0]["state"] == "winner"
    assert "社区食堂" in result["chosen"]


def test_the_stage_shows_the_qa_band_without_the_facilitators_hints(session: Session, clock: FakeClock) -> None:
    session.handle(Cmd.GOTO, "qa")
    session.handle(Cmd.START)
    session.handle(Cmd.PROPOSE_QUESTION, {"text": "尚未审核的手机提问", "group": None, "key": "k"})
    session.handle(Cmd.ASK, {"text": "加装电梯什么时候开工？", "department": "pgo", "asker": "李主任"})
    clock.advance(10)
    data = json.loads(Screens()(session, ["stage"]).data["stage"])
    assert data["screen"] == "qa" and "加装电梯什么时候开工？" in data["qa"]["question"]
    assert data["answer"]["running"] and data["answer"]["remaining"] == data["answer"]["limit"] - 10
    assert not {"hint", "phones", "pending"} & set(data["qa"])
    assert "尚未审核的手机提问" not in json.dumps(data, ensure_ascii=False)


def test_the_pages_speak_the_meetings_language() -> None:
    from retreat import i18n
    from retreat.web import view_pages

    i18n.set_language("zh-CN")
    page = view_pages.timer()
    assert '<html lang="zh-CN">' in page and "连接中断" in page and "时间快到了" in page and "答复计时" in page


@pytest.mark.slow
def test_a_real_stream_hears_the_keep_alive_every_3_s(viewed: Session) -> None:
    """On a real server and the real clock: nothing changes, and the state comes again ~3 s later."""
    import socket
    import time

    from retreat.web.server import start

    viewed.handle(Cmd.START)
    server = start(Gate(viewed), "127.0.0.1", 0)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=15) as conn:
            conn.sendall(f"GET /timer/events?v={TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            got, arrivals = b"", []
            while len(arrivals) < 3:
                chunk = conn.recv(65536)
                assert chunk, "the stream ended"
                got += chunk
                while got.count(b"data: ") > len(arrivals):
                    arrivals.append(time.monotonic())
        assert got.startswith(b"HTTP/1.1 200") and b"text/event-stream" in got
        gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
        assert all(2.5 < gap < 6 for gap in gaps), gaps
    finally:
        server.stop()


async def test_a_screens_bug_never_fails_the_stages_command(viewed: Session) -> None:
    def broken(session: Session, views: Collection[str]) -> Frames:
        if session.state.item.timer.running:
            raise ZeroDivisionError("a bug in a view")
        return Screens()(session, views)

    timers = Timers()
    hub = Hub(Gate(viewed), broken, later=timers, gap=0)
    stream = hub.stream("timer")
    await anext(stream)
    viewed.handle(Cmd.START)  # committed and applied whatever the views make of it
    assert viewed.state.item.timer.running and isinstance(hub.failure, ZeroDivisionError)
    for handle in timers.live():
        handle.cancel()
    await hub.refresh()  # the keep-alive fails the same way, and keeps going
    assert len(timers.live()) == 1
    await stream.aclose()
