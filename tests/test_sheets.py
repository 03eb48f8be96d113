"""Candidates from the secretary's spreadsheets: .xlsx written here with openpyxl, CSV in
UTF-8, UTF-8 with BOM and GBK; merged title rows, empty rows, a missing title cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat import i18n
from retreat.agenda.sheets import column_letter
from retreat.cli.main import app
from retreat.errors import AgendaErrors

VOTE = """\
version: 1
meeting: {{title: 测试会}}
departments:
  - {{id: svc, name: 社会事务办}}
items:
  - kind: vote
    title: 民生实事推荐
    limit: 10m
    candidates:
      file: {file}{sheet}
  - {{kind: break, limit: 10m}}
"""


@pytest.fixture(autouse=True)
def _english() -> None:
    i18n.set_language("en")


def write_agenda(tmp_path: Path, file: str, sheet: str = "") -> Path:
    path = tmp_path / "agenda.yaml"
    path.write_text(VOTE.format(file=file, sheet=f"\n      sheet: {sheet}" if sheet else ""), encoding="utf-8")
    return path


def secretary_workbook(path: Path, *, missing_title: bool = False) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "候选项目"
    ws.append(["2026年民生实事候选项目"])
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["编号", "项目名称", "申报部门", "说明"])
    ws.append([1, "社区食堂", "svc", "老人助餐"])
    ws.append([None, None, None, None])
    ws.append([2, "社区客厅", "党建办", None])
    ws.append([3, None if missing_title else "口袋公园", "城管办", "街角空地"])
    wb.create_sheet("其他")
    wb.save(path)


def test_plain_string_candidates() -> None:
    agenda = agenda_mod.loads(
        "version: 1\nmeeting: {title: x}\nitems:\n"
        "  - {kind: vote, title: v, limit: 5m, candidates: [社区食堂, 社区客厅, {id: k, title: 口袋公园}]}\n"
    )
    vote = agenda.items[0].vote
    assert vote is not None
    assert [(c.id, c.title) for c in vote.candidates] == [(None, "社区食堂"), (None, "社区客厅"), ("k", "口袋公园")]
    schema = agenda_mod.json_schema()["$defs"]["VoteSpec"]["properties"]["candidates"]
    assert {"$ref": "#/$defs/CandidatesFile"} in schema["anyOf"]


def test_xlsx_with_merged_title_and_empty_rows(tmp_path: Path) -> None:
    secretary_workbook(tmp_path / "候选项目.xlsx")
    agenda = agenda_mod.load(write_agenda(tmp_path, "候选项目.xlsx", "候选项目"))
    vote = agenda.items[0].vote
    assert vote is not None
    assert [(c.id, c.title, c.department, c.description) for c in vote.candidates] == [
        ("c1", "社区食堂", "svc", "老人助餐"),
        ("c2", "社区客厅", "党建办", ""),
        ("c3", "口袋公园", "城管办", "街角空地"),
    ]
    # The stored text carries the candidates: replaying never needs the sheet again.
    (tmp_path / "候选项目.xlsx").unlink()
    again = agenda_mod.loads(agenda.text, "elsewhere.yaml")
    assert again.items[0].vote is not None
    assert [c.title for c in again.items[0].vote.candidates] == ["社区食堂", "社区客厅", "口袋公园"]
    assert again.items[1].kind == "break"


def test_missing_title_cell_is_named_as_the_sheet_shows_it(tmp_path: Path) -> None:
    secretary_workbook(tmp_path / "候选项目.xlsx", missing_title=True)
    with pytest.raises(AgendaErrors) as e:
        agenda_mod.load(write_agenda(tmp_path, "候选项目.xlsx"))
    assert str(e.value) == f"{tmp_path / '候选项目.xlsx'}:7:B: 项目名称: empty; every candidate needs a title"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_and_english_headers(tmp_path: Path, encoding: str) -> None:
    text = "Title,Department,Notes,ID\n社区食堂,社会事务办,老人助餐,7\n\n,,,\n加装电梯,住建办,,lift\n"
    (tmp_path / "c.csv").write_bytes(text.encode(encoding))
    vote = agenda_mod.load(write_agenda(tmp_path, "c.csv")).items[0].vote
    assert vote is not None
    assert [(c.id, c.title, c.department) for c in vote.candidates] == [
        ("c7", "社区食堂", "社会事务办"),
        ("lift", "加装电梯", "住建办"),
    ]


def test_sheet_problems_are_sentences(tmp_path: Path) -> None:
    with pytest.raises(AgendaErrors) as e:
        agenda_mod.load(write_agenda(tmp_path, "nope.xlsx"))
    agenda_file = tmp_path / "agenda.yaml"
    assert str(e.value) == f"{agenda_file}:10:13: items[1].candidates.file: {tmp_path / 'nope.xlsx'}: no such file"
    secretary_workbook(tmp_path / "c.xlsx")
    with pytest.raises(AgendaErrors) as e:
        agenda_mod.load(write_agenda(tmp_path, "c.xlsx", "汇总"))
    assert str(e.value).endswith('items[1].candidates.sheet: ' + f'{tmp_path / "c.xlsx"}: no sheet "汇总"; the sheets are: 候选项目, 其他')
    assert str(e.value).startswith(f"{agenda_file}:11:14:")
    (tmp_path / "h.csv").write_text("名字,部门\n社区食堂,svc\n", encoding="utf-8")
    with pytest.raises(AgendaErrors, match=r"h\.csv:1: no header row with a 项目名称 / title column"):
        agenda_mod.load(write_agenda(tmp_path, "h.csv"))
    (tmp_path / "c.txt").write_text("x", encoding="utf-8")
    with pytest.raises(AgendaErrors, match=r"\.txt is not a sheet retreat reads"):
        agenda_mod.load(write_agenda(tmp_path, "c.txt"))
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(AgendaErrors, match=r"cannot read this \.xlsx"):
        agenda_mod.load(write_agenda(tmp_path, "bad.xlsx"))


def test_column_letters() -> None:
    assert [column_letter(n) for n in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_check_lists_the_candidates_as_read(tmp_path: Path) -> None:
    secretary_workbook(tmp_path / "候选项目.xlsx")
    result = CliRunner().invoke(app, ["check", str(write_agenda(tmp_path, "候选项目.xlsx")), "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("Candidates of 1. 民生实事推荐 (3):")
    assert lines[at + 1 : at + 4] == ["   1. 社区食堂  (社会事务办)", "   2. 社区客厅  (党建办)", "   3. 口袋公园  (城管办)"]


def test_check_exits_2_on_a_bad_cell(tmp_path: Path) -> None:
    secretary_workbook(tmp_path / "候选项目.xlsx", missing_title=True)
    result = CliRunner().invoke(app, ["check", str(write_agenda(tmp_path, "候选项目.xlsx")), "--lang", "en"])
    assert result.exit_code == 2
    assert ":7:B: 项目名称: empty; every candidate needs a title" in result.output


def test_the_session_keeps_the_candidates_when_the_sheet_is_gone(tmp_path: Path) -> None:
    from retreat.clock import FakeClock
    from retreat.meeting.session import Session

    secretary_workbook(tmp_path / "候选项目.xlsx")
    agenda = agenda_mod.load(write_agenda(tmp_path, "候选项目.xlsx"))
    Session.create(tmp_path / "m.retreat", agenda, FakeClock()).close()
    (tmp_path / "候选项目.xlsx").unlink()
    resumed = Session.resume(tmp_path / "m.retreat", FakeClock())
    try:
        vote = resumed.agenda.items[0].vote
        assert vote is not None
        assert [c.title for c in vote.candidates] == ["社区食堂", "社区客厅", "口袋公园"]
    finally:
        resumed.close()
    result = CliRunner().invoke(app, ["minutes", str(tmp_path / "m.retreat"), "--lang", "en"])
    assert result.exit_code == 0, result.output


def test_a_repeated_number_is_named_at_its_cell(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("编号,项目名称\n1,社区食堂\n2,社区客厅\n1,口袋公园\n", encoding="utf-8-sig")
    with pytest.raises(AgendaErrors) as e:
        agenda_mod.load(write_agenda(tmp_path, "c.csv"))
    assert str(e.value) == f"{tmp_path / 'c.csv'}:4:A: 编号: 1 is already the number of row 2; numbers must be unique"


def test_sheet_errors_in_chinese(tmp_path: Path) -> None:
    secretary_workbook(tmp_path / "候选项目.xlsx", missing_title=True)
    result = CliRunner().invoke(app, ["check", str(write_agenda(tmp_path, "候选项目.xlsx")), "--lang", "zh-CN"])
    assert result.exit_code == 2
    assert ":7:B: 项目名称: 为空；每个候选项目都要有名称" in result.output
