"""The year's tasks: chosen items and commitments in one ledger, updated and reported back on."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.clock import FakeClock
from retreat.errors import CommandRefused
from retreat.meeting.engine import Cmd, Command
from retreat.meeting.ledger import by_department, summary, tasks
from retreat.meeting.session import load, record

runner = CliRunner()
CANTEEN = "retreat-demo:livelihood-vote:canteen"
VOLUNTEER = "retreat-demo:key-task-vote:volunteer"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    from retreat.cli.main import app

    assert runner.invoke(app, ["demo", "--out", str(tmp_path)]).exit_code == 0
    return tmp_path / "retreat-demo.retreat"


def followups(*args: str) -> tuple[int, str, str]:
    from retreat.cli.main import app

    result = runner.invoke(app, ["followups", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_every_chosen_item_is_a_task_owned_by_its_department(demo: Path) -> None:
    items = tasks([load(demo)], dt.date(2026, 4, 1))
    projects = [t for t in items if t.kind == "project"]
    assert len(projects) == 10 and len(items) == 12
    canteen = next(t for t in projects if t.id == CANTEEN)
    assert (canteen.title, canteen.owner, canteen.status, canteen.due) == ("社区食堂", "社区服务办公室", "open", "")
    assert summary(items) == "任务 12 项，已完成 0 项，完成率 0.0%"
    assert summary(projects, "project") == "表决选出事项 10 项，已完成 0 项，完成率 0.0%"
    # The two id forms never collide: after the stem, digits only for a commitment, a colon for a chosen item.
    keys = [t.id.removeprefix("retreat-demo:") for t in items]
    assert all(k.isdigit() for k, t in zip(keys, items, strict=True) if t.kind == "commitment")
    assert all(":" in k for k, t in zip(keys, items, strict=True) if t.kind == "project")
    assert len(set(keys)) == len(keys)


@pytest.mark.slow
def test_updates_are_events_after_the_meeting_ended(demo: Path) -> None:
    clock = FakeClock()
    assert load(demo).state.ended_at is not None
    before = load(demo).state.events
    record(demo, Command(Cmd.TASK_PROGRESS, {"task": "livelihood-vote:canteen", "note": "选址已确定"}), clock)
    record(demo, Command(Cmd.TASK_DUE, {"task": "livelihood-vote:canteen", "due": "2026-02-01"}), clock)
    record(demo, Command(Cmd.TASK_OWNER, {"task": "2", "owner": "城市管理办公室"}), clock)
    record(demo, Command(Cmd.TASK_DONE, {"task": "key-task-vote:volunteer"}), clock)
    state = load(demo).state
    assert state.events == before + 4
    items = {t.id: t for t in tasks([load(demo)], dt.date(2026, 4, 1))}
    canteen = items[CANTEEN]
    assert canteen.status == "in progress" and canteen.due == "2026-02-01" and canteen.overdue
    assert canteen.latest is not None and canteen.latest[1] == "选址已确定"
    assert items["retreat-demo:2"].owner == "城市管理办公室"
    assert items[VOLUNTEER].status == "done" and not items[VOLUNTEER].overdue
    lines = dict(by_department(list(items.values())))
    assert len(lines["城市管理办公室"]) == 3
    with pytest.raises(CommandRefused):
        record(demo, Command(Cmd.TASK_DONE, {"task": "key-task-vote:volunteer"}), clock)
    with pytest.raises(CommandRefused):
        record(demo, Command(Cmd.TASK_DONE, {"task": "key-task-vote:nothing"}), clock)
    with pytest.raises(CommandRefused):
        record(demo, Command(Cmd.TASK_DUE, {"task": "2", "due": "soon"}), clock)


@pytest.mark.slow
def test_cli_updates_a_chosen_item_and_lists_per_department(demo: Path) -> None:
    code, out, err = followups(str(demo), "--progress", CANTEEN, "选址已确定", "--due", CANTEEN, "2026-02-01",
                               "--owner", VOLUNTEER, "pgo")
    assert code == 0, err
    assert CANTEEN in out and "选址已确定" in out and "已逾期" in out
    assert "任务 12 项，已完成 0 项，完成率 0.0%" in out
    assert "社区服务办公室：任务 2 项，已完成 0 项，完成率 0.0%，逾期 1 项" in out
    assert "党政办公室：任务 2 项" in out
    code, out, err = followups(str(demo), "--done", VOLUNTEER, "--kind", "project")
    assert code == 0, err
    assert "表决选出事项 10 项，已完成 1 项，完成率 10.0%" in out and "retreat-demo:2 " not in out
    code, out, _ = followups(str(demo), "--kind", "commitment")
    assert "承诺事项 2 项，已完成 0 项，完成率 0.0%" in out and CANTEEN not in out


@pytest.mark.slow
def test_ids_are_printed_whole_on_a_narrow_terminal(demo: Path) -> None:
    from retreat.cli.main import app

    result = runner.invoke(app, ["followups", str(demo)], env={"COLUMNS": "60"})
    assert result.exit_code == 0
    assert "retreat-demo:key-task-vote:secretary-training" in result.stdout


@pytest.mark.parametrize(("args", "words"), [
    (["--owner", CANTEEN, "不存在办"], "不是 "),
    (["--due", CANTEEN, "soon"], "不是日期"),
    (["--done", "retreat-demo:livelihood-vote:nothing"], CANTEEN),
    (["--kind", "everything"], "--kind"),
])
@pytest.mark.slow
def test_bad_updates_exit_2_with_a_sentence(demo: Path, args: list[str], words: str) -> None:
    before = demo.read_bytes()
    code, _, err = followups(str(demo), *args)
    assert code == 2 and words in err and "Traceback" not in err
    assert demo.read_bytes() == before


@pytest.mark.slow
def test_progress_report_in_markdown_html_and_docx(demo: Path, tmp_path: Path) -> None:
    import docx

    assert followups(str(demo), "--progress", CANTEEN, "选址已确定")[0] == 0
    for ext in ("md", "html", "docx"):
        code, out, err = followups(str(demo), "-o", str(tmp_path / f"progress.{ext}"))
        assert code == 0, err
    md = (tmp_path / "progress.md").read_text(encoding="utf-8")
    assert md.startswith("# 阶段性进展反馈")
    assert "**任务 12 项，已完成 0 项，完成率 0.0%**" in md
    assert md.index("任务 12 项") < md.index("## 社区服务办公室")
    assert f"| {CANTEEN} | 社区食堂 | 表决选出：民生实事项目“公众推荐、小组推荐” | 社区服务办公室 | — | 推进中 |" in md
    assert "| retreat-demo:3 |" in md and "第 3 个提问" in md and "选址已确定" in md
    html = (tmp_path / "progress.html").read_text(encoding="utf-8")
    assert "阶段性进展反馈" in html and CANTEEN in html and "选址已确定" in html
    document = docx.Document(io.BytesIO((tmp_path / "progress.docx").read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    assert "阶段性进展反馈" in text and "任务 12 项，已完成 0 项，完成率 0.0%" in text
    assert CANTEEN in cells and "社区食堂" in cells and any("选址已确定" in c for c in cells)


def test_items_chosen_by_the_chair_or_in_a_runoff_keep_the_vote_items_id(tmp_path: Path, clock: FakeClock) -> None:
    from retreat import agenda as agenda_mod
    from retreat.meeting.session import Session

    s = Session.create(tmp_path / "v.retreat", agenda_mod.load(Path(__file__).parent / "data" / "agendas" / "vote.yaml"),
                       clock)
    for item in ("chair", "runoff"):
        s.handle(Cmd.GOTO, item)
        s.handle(Cmd.START)
        for n, line in enumerate(["1", "2", "3"]):
            s.handle(Cmd.CAST, {"ballot": f"{item}{n}", "ranking": line, "group": "g1"})
        s.handle(Cmd.REVEAL, {"scope": "all", "seed": 7})
    s.handle(Cmd.GOTO, "chair")
    assert [t.id for t in tasks([load(s.path)], dt.date(2026, 4, 1), "project")] == []  # both wait
    s.handle(Cmd.CHAIR_DECIDES, ["乙方案"])
    s.handle(Cmd.GOTO, "runoff")
    s.handle(Cmd.OPEN_RUNOFF)
    for n, line in enumerate(["3", "3", "1"]):
        s.handle(Cmd.CAST, {"ballot": f"r{n}", "ranking": line, "group": "g1"})
    s.handle(Cmd.REVEAL, {"scope": "all", "seed": 8})
    items = tasks([load(s.path)], dt.date(2026, 4, 1), "project")
    assert [(t.id, t.title) for t in items] == [("v:chair:b", "乙方案"), ("v:runoff:c", "丙方案")]
    s.handle(Cmd.TASK_PROGRESS, {"task": "runoff:c", "note": "started"})
    assert tasks([load(s.path)], dt.date(2026, 4, 1), "project")[1].status == "in progress"
    s.close()
