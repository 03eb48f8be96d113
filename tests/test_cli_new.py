"""`retreat new`: bundled agendas of each kind, the questions in a terminal, and `--from`
a rundown sheet (real .xlsx written with openpyxl, a GBK CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat import i18n
from retreat.cli import new_cmd
from retreat.cli.main import app
from retreat.paths import data_dir
from retreat.ui.prompts import Option, Validate

KINDS = ["retreat", "mobilisation", "forum", "symposium"]
BUNDLED = {"retreat": "retreat-demo.yaml", "mobilisation": "mobilisation.yaml", "forum": "forum.yaml",
           "symposium": "symposium.yaml"}


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    i18n.set_language("en")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setattr(new_cmd, "IS_TERMINAL", lambda: False)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["new", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("kind", KINDS)
def test_without_a_terminal_the_bundled_agenda_is_written_unchanged(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "agenda.yaml"
    code, text = run("--kind", kind, "-o", str(out))
    assert code == 0, text
    assert "No terminal to ask in" in text and BUNDLED[kind] in text
    assert out.read_bytes() == (data_dir("agendas") / BUNDLED[kind]).read_bytes()
    check = CliRunner().invoke(app, ["check", str(out), "--lang", "en"])
    assert check.exit_code == 0, check.output


def test_default_output_and_never_overwritten_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run()[0] == 0
    (tmp_path / "agenda.yaml").write_text("mine", encoding="utf-8")
    code, text = run("--kind", "forum")
    assert code == 2 and "agenda.yaml exists" in text and "--force" in text
    assert (tmp_path / "agenda.yaml").read_text(encoding="utf-8") == "mine"
    assert run("--kind", "forum", "--force")[0] == 0
    assert "交流分享" in (tmp_path / "agenda.yaml").read_text(encoding="utf-8")


class FakePrompter:
    """Answers by the start of the question; the default where no answer is given."""

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def text(self, message: str, *, default: str = "", validate: Validate | None = None) -> str:
        self.asked.append(message)
        value = next((v for k, v in self.answers.items() if message.startswith(k)), default)
        if validate is not None:
            assert validate(value) is None, (message, value)
        return value

    def select(self, message: str, options: Sequence[Option], *, default: str | None = None,
               validate: Validate | None = None) -> str:
        raise AssertionError("not asked")


@pytest.mark.parametrize("kind", KINDS)
def test_in_a_terminal_the_answers_are_filled_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    prompter = FakePrompter({
        "Title": "2027年务虚会",
        "Date": "2027-01-07",
        "Planned start": "8:45",
        "Venue": "二楼",
        "Chair": "李四",
        "Recorder": "王五",
        "Departments": "党政办 陈静；经发办 赵海涛；平安办",
        "How many leaders' remarks": "1",
        "How many discussions": "2",
    })
    monkeypatch.setattr(new_cmd, "IS_TERMINAL", lambda: True)
    monkeypatch.setattr(new_cmd, "PROMPTER", lambda: prompter)
    out = tmp_path / "a.yaml"
    code, text = run("--kind", kind, "-o", str(out))
    assert code == 0, text
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# ")  # commented
    agenda = agenda_mod.load(out)
    m = agenda.meeting
    assert (m.title, str(m.date), str(m.start), m.venue, m.chair, m.recorder) == (
        "2027年务虚会", "2027-01-07", "08:45:00", "二楼", "李四", "王五"
    )
    assert [(d.name, d.head) for d in agenda.departments] == [("党政办", "陈静"), ("经发办", "赵海涛"), ("平安办", "")]
    reports = [i for i in agenda.items if i.kind == "report"]
    assert [(r.department, r.presenter) for r in reports] == [("d1", "陈静"), ("d2", "赵海涛"), ("d3", "")]
    assert sum(1 for i in agenda.items if i.kind == "remarks") == 1
    bundled = agenda_mod.load(data_dir("agendas") / BUNDLED[kind])
    had_discussion = any(i.kind == "discussion" for i in bundled.items)
    assert sum(1 for i in agenda.items if i.kind == "discussion") == (2 if had_discussion else 0)
    assert any(q.startswith("Title") for q in prompter.asked)


def rundown_workbook(path: Path, *, missing_title: bool = False) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["2026年度工作务虚会议程"])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "议程", "类型", "汇报人", "部门", "时长", "要点"])
    ws.append([1, "主持人开场", "讨论", "王建国", None, 3, None])
    ws.append([2, "党政办公室工作汇报", "汇报", "陈静", "党政办公室", 7, "去年成效；今年形势\n存在问题"])
    ws.append([None] * 7)
    ws.append([3, None if missing_title else "经济发展办公室工作汇报", "report", "赵海涛", "经济发展办公室", "7分钟", None])
    ws.append([4, "茶歇", "茶歇", None, None, "10", None])
    ws.append([])
    ws.append([5, "基层提问", "基层提问", None, None, "5m", None])
    ws.append([6, "民生实事项目推荐", "表决", None, None, 20, None])
    ws.append([7, "领导点评", "点评", "李红", None, None, None])
    wb.save(path)


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_from_a_rundown_sheet(tmp_path: Path) -> None:
    rundown_workbook(tmp_path / "议程.xlsx")
    out = tmp_path / "a.yaml"
    code, text = run("--from", str(tmp_path / "议程.xlsx"), "-o", str(out))
    assert code == 0, text
    assert "Read 7 items" in text
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# ") and "candidates: {file: 候选项目.xlsx}" in written
    agenda = agenda_mod.load(out)
    assert agenda.meeting.title == "2026年度工作务虚会"  # the sheet's title, less 议程
    assert [(i.kind, i.title, i.limit) for i in agenda.items] == [
        ("discussion", "主持人开场", 180),
        ("report", "党政办公室工作汇报", 420),
        ("report", "经济发展办公室工作汇报", 420),
        ("break", "茶歇", 600),
        ("qa", "基层提问", 300),
        ("vote", "民生实事项目推荐", 1200),
        ("remarks", "领导点评", 300),
    ]
    assert agenda.items[1].points == ("去年成效", "今年形势", "存在问题")
    assert agenda.items[1].presenter == "陈静" and agenda.department_name(agenda.items[1].department) == "党政办公室"
    check = CliRunner().invoke(app, ["check", str(out), "--lang", "en"])
    assert check.exit_code == 0, check.output


def test_a_missing_title_cell_is_named(tmp_path: Path) -> None:
    rundown_workbook(tmp_path / "议程.xlsx", missing_title=True)
    out = tmp_path / "a.yaml"
    code, text = run("--from", str(tmp_path / "议程.xlsx"), "-o", str(out))
    assert code == 2
    assert f"{tmp_path / '议程.xlsx'}:6:B: 议程: empty; every row of the rundown needs a title" in text
    assert not out.exists()


def test_gbk_csv_rundown_with_english_kinds_and_bad_cells(tmp_path: Path) -> None:
    csv = "议程,类型,时长\n开场,discussion,3\n汇报,汇报,7分钟\n"
    (tmp_path / "r.csv").write_bytes(csv.encode("gbk"))
    out = tmp_path / "a.yaml"
    code, text = run("--from", str(tmp_path / "r.csv"), "-o", str(out))
    assert code == 0, text
    agenda = agenda_mod.load(out)
    assert agenda.meeting.title == "r"  # no title row: the file's name
    assert [(i.kind, i.limit) for i in agenda.items] == [("discussion", 180), ("report", 420)]
    (tmp_path / "bad.csv").write_bytes("议程,类型,时长\n开场,座谈,3\n讨论,讨论,\n汇报,汇报,7 mins\n".encode("gbk"))
    code, text = run("--from", str(tmp_path / "bad.csv"), "-o", str(tmp_path / "b.yaml"))
    assert code == 2
    lines = text.strip().splitlines()
    assert lines[0].startswith(f"{tmp_path / 'bad.csv'}:2:B: 类型: \"座谈\" is not a kind of item")
    assert lines[1] == f"{tmp_path / 'bad.csv'}:3:C: 时长: empty; a 讨论 item needs a time limit, e.g. 20"
    assert lines[2].startswith(f"{tmp_path / 'bad.csv'}:4:C: 时长: \"7 mins\" is not a duration")


def test_cancelling_a_question_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.ui.prompts import Cancelled

    class Cancelling(FakePrompter):
        def text(self, message: str, *, default: str = "", validate: Validate | None = None) -> str:
            if message.startswith("Venue"):
                raise Cancelled
            return super().text(message, default=default, validate=validate)

    monkeypatch.setattr(new_cmd, "IS_TERMINAL", lambda: True)
    monkeypatch.setattr(new_cmd, "PROMPTER", lambda: Cancelling({}))
    code, text = run("-o", str(tmp_path / "a.yaml"))
    assert code == 130 and "nothing was written" in text
    assert not (tmp_path / "a.yaml").exists()


def test_time_formatted_duration_cells(tmp_path: Path) -> None:
    import datetime as dt

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["title", "kind", "limit"])
    ws.append(["开场", "discussion", dt.time(0, 7)])
    ws.append(["汇报", "report", dt.timedelta(minutes=5, seconds=30)])
    ws.append(["点评", "Q&A", 2.5])
    wb.save(tmp_path / "r.xlsx")
    code, text = run("--from", str(tmp_path / "r.xlsx"), "-o", str(tmp_path / "a.yaml"))
    assert code == 0, text
    agenda = agenda_mod.load(tmp_path / "a.yaml")
    assert [(i.kind, i.limit) for i in agenda.items] == [("discussion", 420), ("report", 330), ("qa", 150)]


def test_the_meeting_title_from_the_sheet_title() -> None:
    from retreat.agenda.starter import meeting_title

    assert meeting_title("2026年度工作务虚会议程") == "2026年度工作务虚会"
    assert meeting_title("街道动员部署会会议议程") == "街道动员部署会会议"
    assert meeting_title("座谈会日程安排") == "座谈会"
    assert meeting_title("议程") == "议程"
    assert meeting_title("Annual retreat agenda") == "Annual retreat"
