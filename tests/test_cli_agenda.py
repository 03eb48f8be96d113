"""`retreat check` and `retreat schema` through the real CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from retreat import i18n
from retreat.agenda import json_schema
from retreat.cli.main import app

AGENDA = """\
version: 1
meeting:
  title: 2026年街道工作务虚会
  date: 2026-01-08
  start: "08:30"
  venue: 街道三楼会议室
  chair: 王书记
departments:
  - id: pgo
    name: 党政办公室
  - id: bdo
    name: 经济发展办公室
items:
  - id: pgo-report
    kind: report
    title: 党政办公室工作汇报：去年成效、今年形势、怎么干、存在问题
    presenter: 陈静
    department: pgo
  - kind: report
    title: 经济发展办公室工作汇报
    presenter: 赵海涛
    department: bdo
  - kind: remarks
    title: 分管领导点评
    presenter: 张明
    limit: 4m30s
  - kind: break
    limit: 10分钟
  - kind: qa
    id: grassroots-questions-from-residents
    title: 基层提问
    department: pgo
    limit: 30m
  - kind: vote
    title: 民生实事项目推荐
    limit: 20m
    candidates:
      - title: 社区食堂
"""


@pytest.fixture(autouse=True)
def _plain(monkeypatch: pytest.MonkeyPatch):
    for var in ("FORCE_COLOR", "NO_COLOR", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "COLUMNS", "LINES"):
        monkeypatch.delenv(var, raising=False)
    yield
    i18n.set_language("en")


@pytest.fixture
def agenda_file(tmp_path: Path) -> Path:
    path = tmp_path / "retreat.yaml"
    path.write_text(AGENDA, encoding="utf-8")
    return path


def check(*args: str):
    result = CliRunner().invoke(app, ["check", *args])
    assert "Traceback" not in result.output
    return result


def rows(stdout: str) -> list[str]:
    """Table rows: the numbered lines below the header rule (the date line above may start with a digit)."""
    lines = stdout.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.strip().startswith("──"))
    return [line for line in lines[rule + 1 :] if re.match(r"^\s*\d+ ", line)]


def test_check_prints_the_schedule(agenda_file: Path) -> None:
    result = check(str(agenda_file), "--lang", "en")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == "2026年街道工作务虚会"
    assert lines[1] == "8 January 2026 · 街道三楼会议室 · chair: 王书记"
    table = rows(out)
    assert len(table) == 6
    first = table[0].split()
    assert first[:3] == ["1", "pgo-report", "report"]
    assert first[3].startswith("党政办公室")
    assert first[-3:] == ["7m", "0:07", "08:30–08:37"]
    expected = [
        ("7m", "0:07", "08:30–08:37"),
        ("7m", "0:14", "08:37–08:44"),
        ("4m30s", "0:18:30", "08:44–08:48:30"),
        ("10m", "0:28:30", "08:48:30–08:58:30"),
        ("30m", "0:58:30", "08:58:30–09:28:30"),
        ("20m", "1:18:30", "09:28:30–09:48:30"),
    ]
    assert [tuple(row.split()[-3:]) for row in table] == expected
    assert out.rstrip().splitlines()[-1] == "Planned end: 09:48:30 (planned time 1h18m30s)"


def test_check_shows_owner_as_presenter_and_department_name(agenda_file: Path) -> None:
    out = check(str(agenda_file), "--lang", "en").stdout
    owners = _column_text(out, 4)
    assert owners == "陈静党政办公室赵海涛经济发展办公室张明党政办公室"
    # Department ids are for the file; the room reads names.
    assert " pgo " not in out and " bdo " not in out
    # A break's default title is in the agenda's language (zh-CN here), not --lang's.
    assert i18n.translator("zh-CN").gettext("Break") in out
    assert "Q&A" in out and "vote" in out


def test_nothing_is_hidden_at_80_columns(agenda_file: Path) -> None:
    out = check(str(agenda_file), "--lang", "en").stdout
    assert all(cell_len(line) <= 80 for line in out.splitlines())
    flat = re.sub(r"\s+", "", out)
    # Wrapped cells still hold every character of long titles and ids.
    assert "党政办公室工作汇报：去年成效、今年形势、怎么干、存在问题" in _column_text(out, 3)
    assert "grassroots-questions-from-residents" in _column_text(out, 1)
    assert "…" not in out
    assert "09:28:30–09:48:30" in flat


def _column_text(out: str, index: int) -> str:
    """The text of one column, read back from the rendered table by cell positions."""
    lines = out.splitlines()
    header = next(n for n, line in enumerate(lines) if line.lstrip().startswith("#"))
    rule = lines[header + 1]
    assert set(rule) == {"─"}
    starts = [m.start() for m in re.finditer(r"\S+", lines[header])]
    body = lines[header + 2 : next(n for n, line in enumerate(lines) if line.startswith("Planned"))]
    start, end = starts[index], starts[index + 1]
    return "".join(_cells(line, start, end).strip() for line in body)


def _cells(line: str, start: int, end: int) -> str:
    out, pos = "", 0
    for char in line:
        if start <= pos < end:
            out += char
        pos += cell_len(char)
    return out


def test_cjk_columns_align(agenda_file: Path) -> None:
    out = check(str(agenda_file), "--lang", "en").stdout
    # The clock column starts at the same cell on every row, whatever CJK precedes it.
    positions = {cell_len(row[: row.index(times)]) for row, times in _times(out)}
    assert len(positions) == 1


def _times(out: str) -> list[tuple[str, str]]:
    found = []
    for row in rows(out):
        match = re.search(r"\d\d:\d\d(:\d\d)?–\S+", row)
        assert match, row
        found.append((row, match.group(0)))
    return found


def test_wide_terminal_keeps_titles_on_one_line(agenda_file: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(agenda_file), "--lang", "en"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "党政办公室工作汇报：去年成效、今年形势、怎么干、存在问题" in result.stdout


def test_without_start_there_are_no_clock_times(tmp_path: Path) -> None:
    path = tmp_path / "nostart.yaml"
    path.write_text(AGENDA.replace('  start: "08:30"\n', ""), encoding="utf-8")
    result = check(str(path), "--lang", "en")
    assert result.exit_code == 0
    assert "08:30" not in result.stdout
    assert "Planned time: 1h18m30s" in result.stdout
    assert [row.split()[-1] for row in rows(result.stdout)] == ["0:07", "0:14", "0:18:30", "0:28:30", "0:58:30", "1:18:30"]


def test_language_comes_from_the_agenda_unless_given(agenda_file: Path, tmp_path: Path) -> None:
    assert check(str(agenda_file)).exit_code == 0
    assert i18n.language() == "zh-CN"
    assert check(str(agenda_file), "--lang", "en").exit_code == 0
    assert i18n.language() == "en"
    english = tmp_path / "en.yaml"
    english.write_text(AGENDA.replace("  chair: 王书记\n", "  chair: 王书记\n  language: en\n"), encoding="utf-8")
    assert check(str(english)).exit_code == 0
    assert i18n.language() == "en"


def test_bad_lang_is_a_usage_error(agenda_file: Path) -> None:
    result = check(str(agenda_file), "--lang", "fr")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "fr" in result.stderr


def test_errors_go_to_stderr_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(AGENDA.replace("limit: 30m", "limit: 30 mins").replace("limit: 20m", "limit: 20"), encoding="utf-8")
    result = check(str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f'{path}:33:12: items[5].limit: "30 mins" is not a duration (use 7m, 90s, 1h30m or 7分钟)',
        f"{path}:36:12: items[6].limit: 20 is a bare number; say the unit (use 7m, 90s, 1h30m or 7分钟)",
    ]


def test_titles_are_not_rich_markup(tmp_path: Path) -> None:
    path = tmp_path / "markup.yaml"
    path.write_text(
        AGENDA.replace("title: 分管领导点评", 'title: "[bold]分管领导[/bold] [/] 点评"'), encoding="utf-8"
    )
    result = check(str(path), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "[bold]分管领导[/bold]" in _column_text(result.stdout, 3)


def test_check_needs_an_argument() -> None:
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert result.stdout == ""


def test_bundled_agendas_check_cleanly() -> None:
    bundled = sorted((Path(__file__).parent.parent / "agendas").glob("*.yaml"))
    if not bundled:
        pytest.skip("no bundled agendas in this checkout")
    for path in bundled:
        result = check(str(path))
        assert result.exit_code == 0, result.stderr
        assert any(s in result.stdout for s in ("Planned end", "Planned time", "计划结束", "计划用时"))


# --- schema -------------------------------------------------------------------------------


def test_schema_prints_pretty_utf8_json() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert json.loads(result.stdout) == json.loads(json.dumps(json_schema()))
    assert "7分钟" in result.stdout
    assert "\\u" not in result.stdout
    assert result.stdout.startswith("{\n  ")
    assert result.stdout.endswith("}\n")


def test_schema_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "agenda.schema.json"
    result = CliRunner().invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert json.loads(text)["title"] == "retreat agenda, version 1"
    assert "7分钟" in text


def test_schema_to_an_unwritable_place(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "-o", str(tmp_path / "no" / "such" / "dir.json")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "cannot write the schema" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_texts() -> None:
    for command in ("check", "schema"):
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert "agenda" in result.stdout.lower()
