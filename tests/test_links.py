"""`retreat links`: the room's addresses, stored when the server listens, asked before printed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from support.web import PIN, pin_agenda
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session
from retreat.paths import bundled_agenda
from retreat.web import addresses

runner = CliRunner()


def links(path: str | Path, *args: str, lang: str | None = "en") -> tuple[int, str, str]:
    result = runner.invoke(app, ["links", str(path), *args, *(["--lang", lang] if lang else [])])
    return result.exit_code, result.stdout, result.stderr


def served(session: Session):  # type: ignore[no-untyped-def]
    from rich.console import Console

    from retreat.web.launch import serve

    return serve(session, ("127.0.0.1", 0), Console(file=io.StringIO()), wait_for_key=False)


@pytest.fixture
def chinese(tmp_path: Path, clock: FakeClock) -> Iterator[Session]:
    s = Session.create(tmp_path / "demo.retreat", agenda_mod.load(bundled_agenda("zh-CN")), clock)
    yield s
    s.close()


def test_a_session_never_served_has_no_links(session: Session) -> None:
    code, out, err = links(session.path)
    assert code == 2 and out == ""
    assert "has not been served to phones" in err and "--participate" in err and "Traceback" not in err


def test_a_session_file_that_is_not_one_exits_2(tmp_path: Path) -> None:
    code, _out, err = links(tmp_path / "nothing.retreat")
    assert code == 2 and "no such session file" in err
    (tmp_path / "x.retreat").write_text("hello", encoding="utf-8")
    code, _out, err = links(tmp_path / "x.retreat")
    assert code == 2 and "not a retreat session" in err


def test_an_unknown_format_is_refused(session: Session) -> None:
    code, _out, err = links(session.path, "--format", "yaml")
    assert code == 2 and "--format takes text or json, not yaml" in err


def test_a_stored_address_where_nothing_answers_exits_2(session: Session) -> None:
    session.handle(Cmd.SET_VIEW_TOKEN, "a" * 22)
    # a port nothing listens on: bound, never listened, closed
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    session.store.put_scratch(addresses.SERVER_SPACE, addresses.URL, f"http://127.0.0.1:{port}/")
    session.store.put_scratch(addresses.SERVER_SPACE, addresses.DESK, "desk-token")
    code, out, err = links(session.path, "--format", "json")
    assert code == 2 and out == ""
    assert f"Nothing answers at http://127.0.0.1:{port}/" in err and "is not running" in err


@pytest.mark.slow  # a real server
def test_links_while_served_then_exit_2_once_stopped(tmp_path: Path, clock: FakeClock) -> None:
    session = Session.create(tmp_path / "p.retreat", pin_agenda(), clock)
    session.handle(Cmd.SET_PIN, PIN)
    phones = served(session)
    try:
        code, out, err = links(session.path, "--format", "json")
        assert code == 0, err
        pages = json.loads(out)
        assert list(pages) == ["join", "timer", "agenda", "stage", "desk"]
        base, token = phones.url, session.state.view_token
        assert base.startswith("http://127.0.0.1:") and token
        assert pages == {"join": f"{base}?pin={PIN}", "timer": f"{base}timer?v={token}",
                         "agenda": f"{base}agenda?v={token}", "stage": f"{base}stage?v={token}",
                         "desk": phones.server.desk_url}
        assert pages["timer"] == phones.timer_url and pages["join"] == phones.join_url
    finally:
        phones.stop()
    code, out, err = links(session.path)
    assert code == 2 and out == "" and "Nothing answers at" in err
    session.close()
    code, out, err = links(session.path, lang=None)  # a closed, checkpointed file: the same sentence, in Chinese
    assert code == 2 and "没有应答" in err and "Traceback" not in err


@pytest.mark.slow  # a real server
def test_text_labels_align_in_chinese_and_a_resume_keeps_the_desk_address(chinese: Session, clock: FakeClock) -> None:
    phones = served(chinese)
    try:
        code, out, err = links(chinese.path, lang=None)  # the meeting's language
        assert code == 0, err
        lines = out.splitlines()
        assert len(lines) == 5
        assert lines[1].startswith("讲台计时") and lines[0].startswith("手机加入")
        assert {cell_len(line[: line.index("http://")]) for line in lines} == {cell_len(lines[4].split("http")[0])}
        assert [line.split()[-1] for line in lines][1] == phones.timer_url
        code, out, _err = links(chinese.path)
        assert code == 0 and out.splitlines()[1].startswith("Podium timer ")
        assert len({line.index("http://") for line in out.splitlines()}) == 1
        desk, first = phones.server.desk_url, phones.url
    finally:
        phones.stop()
    path = chinese.path
    chinese.close()
    with Session.resume(path, clock) as again:
        phones = served(again)
        try:
            code, out, err = links(path, "--format", "json")
            assert code == 0, err
            pages = json.loads(out)
            assert pages["desk"].split("?")[1] == desk.split("?")[1]  # the printed desk link stays valid
            assert pages["timer"].startswith(phones.url) and phones.url != first  # the new port overwrote the old
        finally:
            phones.stop()


def test_a_program_that_does_not_speak_http_at_the_stored_address_is_nothing_answering(session: Session) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def garbage() -> None:
        conn, _addr = listener.accept()
        conn.recv(1024)
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        conn.close()

    threading.Thread(target=garbage, daemon=True).start()
    session.handle(Cmd.SET_VIEW_TOKEN, "b" * 22)
    session.store.put_scratch(addresses.SERVER_SPACE, addresses.URL, f"http://127.0.0.1:{listener.getsockname()[1]}/")
    session.store.put_scratch(addresses.SERVER_SPACE, addresses.DESK, "desk-token")
    try:
        code, _out, err = links(session.path)
    finally:
        listener.close()
    assert code == 2 and "Nothing answers at" in err and "internal error" not in err


@pytest.mark.slow  # a real server
def test_serving_a_hall_freezes_what_was_loaded_and_collects_young_objects_less_often(session: Session) -> None:
    import gc

    from retreat.web.server import GC_YOUNG

    assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] < GC_YOUNG  # Python's own, as conftest leaves it
    phones = served(session)
    try:
        assert gc.get_threshold()[0] == GC_YOUNG
        assert gc.get_freeze_count() > 10_000  # the meeting, the modules: never walked by a full collection again
    finally:
        phones.stop()
