"""Next year, against the table: the previous sessions' tasks recorded once, as the first item
starts; `l` shows a department's during its report; the minutes list them with the completion
rates; `retreat check` and `retreat run` name a previous session that cannot be read."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from support.stage import Frames, NoKeys
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat import i18n
from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd
from retreat.meeting.events import EventKind
from retreat.meeting.session import Session, load
from retreat.minutes import render
from retreat.ui.runloop import RunLoop

runner = CliRunner()
LONG_NOTE = "社区食堂开业，80岁以上老人就餐优惠，每天供应午餐和晚餐，周末也开放，居民反映良好"
SNAPSHOT = {
    "sessions": [{"file": "2025年度工作务虚会.retreat", "meeting": "2025年度工作务虚会", "year": 2025}],
    "tasks": [
        {"id": "2025年度工作务虚会:livelihood-vote:canteen", "kind": "project", "title": "社区食堂",
         "department": "pgo", "owner": "党政办公室", "due": "2025-09-30", "status": "done", "overdue": False,
         "origin": "表决选出：民生实事项目", "progress": LONG_NOTE, "progress_date": "2025-09-26",
         "session": "2025年度工作务虚会.retreat"},
        {"id": "2025年度工作务虚会:2", "kind": "commitment", "title": "二季度完成“三所联动”平台联调",
         "department": "jus", "owner": "司法所", "due": "2025-06-30", "status": "in progress", "overdue": True,
         "origin": "第 2 个提问", "progress": "平台完成初步联调", "progress_date": "2025-05-15",
         "session": "2025年度工作务虚会.retreat"},
        {"id": "2025年度工作务虚会:3", "kind": "commitment", "title": "3月底前完成周边空地摸排",
         "department": "", "owner": "党政办公室", "due": "2025-03-31", "status": "open", "overdue": True,
         "origin": "第 3 个提问", "progress": "", "progress_date": "", "session": "2025年度工作务虚会.retreat"},
    ],
}


@pytest.fixture(autouse=True)
def _chinese() -> None:
    i18n.set_language("zh-CN")  # the meeting's language, as `retreat run` sets it; conftest sets it back


def _loop(session: Session, **kwargs: object) -> RunLoop:
    return RunLoop(session, NoKeys(), Console(file=io.StringIO()), screen=Frames(session), **kwargs)  # type: ignore[arg-type]


def _screen(loop: RunLoop, width: int = 80, height: int = 24) -> str:
    loop.draw()
    return loop._screen.text(-1, width, height)  # type: ignore[union-attr]


# --- the snapshot in the log ---------------------------------------------------------------


def test_the_snapshot_is_recorded_once_and_replays(session: Session) -> None:
    session.handle(Cmd.RECORD_PREVIOUS, SNAPSHOT)
    tasks = session.state.previous_tasks
    assert tasks is not None and [t.title for t in tasks] == ["社区食堂", "二季度完成“三所联动”平台联调", "3月底前完成周边空地摸排"]
    assert tasks[0].latest == ("2025-09-26", LONG_NOTE) and tasks[0].department == "pgo" and tasks[1].overdue
    assert [s.year for s in session.state.previous_sessions] == [2025]
    with pytest.raises(CommandRefused, match="已记入本次会议"):
        session.handle(Cmd.RECORD_PREVIOUS, SNAPSHOT)
    replayed = load(session.path).state
    assert replayed.previous_tasks == tasks and replayed.previous_sessions == session.state.previous_sessions


def test_no_snapshot_after_the_meeting_has_started(session: Session) -> None:
    session.handle(Cmd.START)
    with pytest.raises(CommandRefused, match="本次会议已经开始"):
        session.handle(Cmd.RECORD_PREVIOUS, SNAPSHOT)
    assert session.state.previous_tasks is None


def test_a_task_of_an_unknown_kind_or_status_is_a_bug_not_an_event(session: Session) -> None:
    bad = copy.deepcopy(SNAPSHOT)
    bad["tasks"][0]["status"] = "finished"  # type: ignore[index]
    with pytest.raises(TypeError):
        session.handle(Cmd.RECORD_PREVIOUS, bad)
    assert session.state.previous_tasks is None


def test_the_stage_records_the_snapshot_just_before_the_first_start(session: Session) -> None:
    reads: list[int] = []

    def read() -> dict[str, object]:
        reads.append(1)
        return SNAPSHOT

    loop = _loop(session, previous=read)
    loop.on_key(" ")  # start
    loop.on_key(" ")  # pause
    loop.on_key(" ")  # resume: not the first start
    kinds = [e.kind for e in session.store.events()]
    first = kinds.index(EventKind.PREVIOUS_RECORDED)
    assert kinds[first + 1] is EventKind.ITEM_STARTED and kinds.count(EventKind.PREVIOUS_RECORDED) == 1
    assert reads == [1]


# --- the `l` screen --------------------------------------------------------------------------


def test_l_during_a_report_shows_the_departments_tasks_and_l_or_esc_returns(session: Session) -> None:
    loop = _loop(session, previous=lambda: SNAPSHOT)
    loop.on_key(" ")
    loop.on_key("l")
    screen = _screen(loop)
    assert "2025年度工作任务完成情况" in screen and "党政办公室" in screen
    assert "任务 2 项，已完成 1 项，完成率 50.0%，逾期 1 项" in screen
    assert "社区食堂" in screen and "3月底前完成周边空地摸排" in screen  # by id, and by name alone
    assert "三所联动" not in screen  # another department's
    assert screen.splitlines()[1].split()[0] == "02:00"  # the countdown stays in view
    lines = screen.splitlines()
    # CJK aligned: the status has its own column; the title's details wrap under the title, not under it.
    title = next(line for line in lines if "社区食堂" in line)
    column = cell_len(title[: title.index("社区食堂")])
    detail = [line for line in lines[lines.index(title) + 1:] if line.strip()][:3]
    assert all(cell_len(line) - cell_len(line.lstrip()) == column for line in detail), detail
    assert "已完成" in title and any("已逾期" in line for line in lines)
    assert "最新进展 2025-09-26" in screen
    loop.on_key("l")
    assert "2025年度工作任务完成情况" not in _screen(loop)
    loop.on_key("l")
    loop.on_key("escape")
    assert "2025年度工作任务完成情况" not in _screen(loop)


def test_l_closes_with_the_item_and_on_an_alarm(session: Session) -> None:
    loop = _loop(session, previous=lambda: SNAPSHOT)
    loop.on_key(" ")
    loop.on_key("l")
    assert loop.tasks_panel() is not None
    session.clock.advance(121)  # type: ignore[attr-defined]
    loop.on_time()  # time is up: the room must see the alarm
    assert loop.tasks_panel() is None
    loop.on_key("l")
    loop.on_key("n")
    assert loop.tasks_panel() is None


def test_l_off_a_report_says_what_it_is_for(session: Session) -> None:
    session.handle(Cmd.NEXT)  # r2: the leader's remarks
    loop = _loop(session)
    loop.on_key("l")
    assert loop.tasks_panel() is None and "部门工作汇报时" in loop.view().message


def test_l_without_a_snapshot_says_why(session: Session, tmp_path: Path) -> None:
    loop = _loop(session)
    loop.on_key("l")
    assert "meeting.previous" in _screen(loop)
    text = (Path(__file__).parent / "data" / "agendas" / "short.yaml").read_text(encoding="utf-8")
    text = text.replace("  language: zh-CN\n", "  language: zh-CN\n  previous: [old.retreat]\n")
    waiting = Session.create(tmp_path / "next.retreat", agenda_mod.loads(text, str(tmp_path / "next.yaml")), FakeClock())
    loop = _loop(waiting)
    loop.on_key("l")
    assert "第一项议程开始时记入" in _screen(loop)
    empty = {"sessions": SNAPSHOT["sessions"], "tasks": []}
    waiting.handle(Cmd.RECORD_PREVIOUS, empty)
    assert "党政办公室在此前的会议中没有工作任务" in _screen(loop)
    waiting.close()


def test_many_tasks_are_counted_when_they_do_not_fit(session: Session) -> None:
    many = copy.deepcopy(SNAPSHOT)
    many["tasks"] = [{**SNAPSHOT["tasks"][0], "id": f"x:{n}", "title": f"任务{n}"} for n in range(30)]  # type: ignore[index]
    loop = _loop(session, previous=lambda: many)
    loop.on_key(" ")
    loop.on_key("l")
    screen = _screen(loop, 80, 24)
    assert len(screen.splitlines()) <= 24 and "……另有" in screen


# --- the minutes -----------------------------------------------------------------------------


def test_the_minutes_list_last_years_tasks_per_department_with_the_rates(session: Session) -> None:
    session.handle(Cmd.RECORD_PREVIOUS, SNAPSHOT)
    session.handle(Cmd.START)
    text = render(load(session.path))
    assert "## 四、2025年度工作任务完成情况" in text
    assert "**任务 3 项，已完成 1 项，完成率 33.3%**；逾期 2 项" in text
    assert "- 党政办公室：任务 2 项，已完成 1 项，完成率 50.0%，逾期 1 项" in text
    assert "- 司法所：任务 1 项，已完成 0 项，完成率 0.0%，逾期 1 项" in text
    assert "| 2025年度工作务虚会:2 | 二季度完成“三所联动”平台联调 | 第 2 个提问 | 2025-06-30 | 推进中（已逾期） |" in text
    english = render(load(session.path), lang="en")
    assert "Tasks of 2025: completion" in english and "3 tasks, 1 done, 33.3%" in english


def test_minutes_without_a_snapshot_have_no_such_section(session: Session) -> None:
    session.handle(Cmd.START)
    text = render(load(session.path))
    assert "工作任务完成情况" not in text and "## 三、各项议程纪要" in text


# --- check and run name a previous session that cannot be read -------------------------------


def _agenda_with(tmp_path: Path, previous: str) -> Path:
    text = (Path(__file__).parent / "data" / "agendas" / "short.yaml").read_text(encoding="utf-8")
    path = tmp_path / "next.yaml"
    path.write_text(text.replace("  language: zh-CN\n", f"  language: zh-CN\n  previous: {previous}\n"),
                    encoding="utf-8")
    return path


def test_check_names_a_missing_or_unreadable_previous_session(tmp_path: Path) -> None:
    from retreat.cli.main import app

    (tmp_path / "junk.retreat").write_text("not a session", encoding="utf-8")
    agenda = _agenda_with(tmp_path, "[2025年度工作务虚会.retreat, junk.retreat]")
    result = runner.invoke(app, ["check", str(agenda)])
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"{agenda}:9:14: meeting.previous[1]: 2025年度工作务虚会.retreat：找不到该会议记录文件")
    assert lines[1].startswith(f"{agenda}:9:35: meeting.previous[2]: junk.retreat 无法作为会议记录读取")
    assert "Traceback" not in result.stderr


def test_check_lists_a_readable_previous_session(tmp_path: Path, session: Session) -> None:
    from retreat.cli.main import app

    session.close()
    agenda = _agenda_with(tmp_path, "[short.retreat]")
    result = runner.invoke(app, ["check", str(agenda)])
    assert result.exit_code == 0, result.stderr
    assert "上一次会议记录 short.retreat（测试务虚会）：任务 0 项，已完成 0 项，完成率 0.0%" in result.stdout


def test_run_refuses_to_start_without_a_previous_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.cli.main import app

    monkeypatch.chdir(tmp_path)
    agenda = _agenda_with(tmp_path, "[old.retreat]")
    result = runner.invoke(app, ["run", str(agenda)])
    assert result.exit_code == 2
    assert "next.yaml:9:14: meeting.previous[1]: old.retreat：找不到该会议记录文件" in result.stderr
    assert not (tmp_path / "next.retreat").exists()  # refused before anything was created


# --- the demo, a year later ----------------------------------------------------------------


@pytest.mark.slow
def test_demo_next_year_is_reproducible_and_its_record_does_not_follow_the_old_session(tmp_path: Path) -> None:
    from retreat.cli.main import app

    runs = []
    for name in ("one", "two"):
        out = tmp_path / name
        out.mkdir()
        result = runner.invoke(app, ["demo", "--next-year", "--out", str(out)])
        assert result.exit_code == 0, result.stderr
        runs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert sorted(runs[0]) == ["retreat-demo-minutes.md", "retreat-demo-next-minutes.md", "retreat-demo-next.retreat",
                               "retreat-demo.retreat"]
    assert runs[0] == runs[1]  # byte for byte
    assert "社区服务办公室 · 2026年度工作任务完成情况" in result.stdout and "l" in result.stdout
    out = tmp_path / "two"
    minutes = (out / "retreat-demo-next-minutes.md").read_text(encoding="utf-8")
    assert "2026年度工作任务完成情况" in minutes
    assert "**任务 12 项，已完成 5 项，完成率 41.7%**；逾期 3 项" in minutes
    state = load(out / "retreat-demo-next.retreat").state
    assert state.previous_tasks is not None and len(state.previous_tasks) == 12
    # Later progress in the old session does not change this meeting's record.
    done = runner.invoke(app, ["followups", str(out / "retreat-demo.retreat"), "--done",
                               "retreat-demo:key-task-vote:pilot-area"])
    assert done.exit_code == 0, done.stderr
    assert render(load(out / "retreat-demo-next.retreat")) == minutes
    assert load(out / "retreat-demo-next.retreat").state.previous_tasks == state.previous_tasks


@pytest.mark.slow
def test_plain_demo_records_nothing_of_a_next_year(tmp_path: Path) -> None:
    from retreat.cli.main import app

    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["retreat-demo-minutes.md", "retreat-demo.retreat"]
    from retreat.meeting.store import Store

    with Store.open(tmp_path / "retreat-demo.retreat", readonly=True) as store:
        kinds = {e.kind for e in store.events()}
    assert not kinds & {EventKind.PREVIOUS_RECORDED, EventKind.TASK_DONE, EventKind.TASK_DUE}
    assert "工作任务完成情况" not in (tmp_path / "retreat-demo-minutes.md").read_text(encoding="utf-8")


def test_the_run_command_reads_the_previous_sessions_once_before_the_stage_and_again_at_the_start(
        tmp_path: Path, session: Session) -> None:
    from retreat.cli.run_cmd import _previous_reader
    from retreat.errors import AgendaErrors

    session.handle(Cmd.NOTE, "写入一条，以便会议记录可读")
    session.close()
    agenda = agenda_mod.load(_agenda_with(tmp_path, "[short.retreat]"))
    nxt = Session.create(tmp_path / "next.retreat", agenda, FakeClock())
    read = _previous_reader(nxt)
    assert read is not None
    taken = read()
    assert taken["sessions"] == [{"file": "short.retreat", "meeting": "测试务虚会", "year": 2026}]
    (tmp_path / "short.retreat").rename(tmp_path / "gone.retreat")
    assert read() == taken  # gone between the launch and the first start: the tasks as read at the launch
    with pytest.raises(AgendaErrors, match="short.retreat"):
        _previous_reader(nxt)  # at a launch (a --resume before the first start), it is named
    nxt.handle(Cmd.RECORD_PREVIOUS, taken)
    assert _previous_reader(nxt) is None  # recorded: nothing more to read
    nxt.close()


def test_a_resume_from_another_folder_finds_the_previous_sessions_beside_the_session(
        tmp_path: Path, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.cli.run_cmd import _previous_reader

    session.handle(Cmd.NOTE, "写入一条，以便会议记录可读")
    session.close()
    (tmp_path / "past").mkdir()
    (tmp_path / "short.retreat").rename(tmp_path / "past" / "short.retreat")
    _agenda_with(tmp_path, "[past/short.retreat]")
    monkeypatch.chdir(tmp_path)
    agenda = agenda_mod.load(Path("next.yaml"))  # `retreat run next.yaml`, from the agenda's folder
    nxt = Session.create(tmp_path / "next.retreat", agenda, FakeClock())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the laptop restarted; --resume --session ../next.retreat from another folder
    read = _previous_reader(nxt)
    # named as the agenda names it, not by the file's bare name
    assert read is not None and read()["sessions"] == [{"file": "past/short.retreat", "meeting": "测试务虚会", "year": 2026}]
    nxt.close()


def test_the_schema_offers_meeting_previous() -> None:
    schema = agenda_mod.json_schema()
    previous = schema["$defs"]["MeetingSpec"]["properties"]["previous"]
    assert previous["type"] == "array" and previous["items"]["type"] == "string"
