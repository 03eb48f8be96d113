from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from support.markdown import tables

from retreat import agenda as agenda_mod
from retreat.clock import FakeClock
from retreat.demo import run_demo
from retreat.errors import TemplateError
from retreat.meeting.engine import Cmd
from retreat.meeting.session import Session, approve, load
from retreat.minutes import md_cell, render
from retreat.paths import bundled_agenda

GOLDEN = Path(__file__).parent / "golden"


def demo_session(tmp_path: Path, lang: str) -> Path:
    path = tmp_path / f"demo-{lang}.retreat"
    for _ in run_demo(agenda_mod.load(bundled_agenda(lang)), path, FakeClock()):
        pass
    return path


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_demo_minutes_match_the_golden_file(tmp_path: Path, lang: str, regen_golden: bool) -> None:
    text = render(load(demo_session(tmp_path, lang)))
    golden = GOLDEN / f"demo-minutes.{lang}.md"
    if regen_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.slow
def test_minutes_are_deterministic(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = render(load(demo_session(tmp_path / "a", "zh-CN")))
    assert first == render(load(demo_session(tmp_path / "b", "zh-CN")))


@pytest.mark.slow
def test_zh_minutes_are_valid_gfm_with_the_expected_tables(tmp_path: Path) -> None:
    text = render(load(demo_session(tmp_path, "zh-CN")))
    found = tables(text)
    # attendance, agenda, questions, commitments, then per vote: candidates, groups, results
    assert len(found) == 10
    attendance, agenda_table, questions, commitments, livelihood, groups, results, key_tasks = found[:8]
    assert [r[0] for r in groups[1:]] == ["第一组", "第二组", "第三组"]
    assert [r[1] for r in results[1:] if r[3] == "✓"] == [
        "养老服务联盟", "社区食堂", "“民愿民规”社区微更新项目", "社区客厅", "老楼加装电梯协调服务"
    ]
    assert len(questions) == 5 and all(len(r) == 9 for r in questions)
    assert [r[0] for r in commitments[1:]] == ["demo-zh-CN:2", "demo-zh-CN:3"]
    assert all(len(r) == 10 for r in agenda_table)
    assert len(agenda_table) == 1 + 14
    overtime_rows = [r for r in agenda_table[1:] if r[8]]
    assert [r[1] for r in overtime_rows] == ["经济发展办公室工作汇报", "司法所工作汇报", "分管领导点评（服务、自治、法治、城管）"]
    assert len(livelihood) == 13 and livelihood[1][1] == "社区食堂"
    assert len(key_tasks) == 15


@pytest.mark.slow
def test_zh_minutes_read_in_chinese(tmp_path: Path) -> None:
    text = render(load(demo_session(tmp_path, "zh-CN")))
    for phrase in ("会议纪要", "草稿", "一、出席人员", "二、议程执行情况", "2026年1月8日", "超时", "汇报要点"):
        assert phrase in text
    assert "Minutes" not in text and "DRAFT" not in text


@pytest.mark.slow
def test_approval_removes_the_draft_mark(tmp_path: Path) -> None:
    path = demo_session(tmp_path, "en")
    assert "DRAFT" in render(load(path))
    approve(path, "Wang Jianguo", FakeClock(start_wall=1_767_920_000.0))
    text = render(load(path))
    assert "DRAFT" not in text
    assert "Approved by Wang Jianguo on 9 January 2026 08:53." in text


def test_a_meeting_interrupted_midway_renders_what_happened(
    tmp_path: Path, short_agenda: agenda_mod.Agenda, clock: FakeClock
) -> None:
    path = tmp_path / "m.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.START)
        clock.advance(150)
        session.tick()
        session.handle(Cmd.NEXT)
        session.handle(Cmd.SKIP)
    agenda_row = tables(render(load(path)))[1]
    assert agenda_row[1][7:10] == ["02:30", "**+00:30**", "已结束"]
    assert agenda_row[2][9] == "已跳过"
    assert agenda_row[3][9] == "未进行"


@pytest.mark.parametrize(
    ("run_for", "actual", "overtime"),
    [
        (120.4, "02:00", ""),  # rounds to the limit: no overtime, as the time run says
        (120.6, "02:01", "**+00:01**"),  # rounds over: the overtime agrees
        (121.49, "02:01", "**+00:01**"),
        (119.6, "02:00", ""),
    ],
)
def test_time_run_and_overtime_follow_one_rounding_rule(
    tmp_path: Path, short_agenda: agenda_mod.Agenda, clock: FakeClock,
    run_for: float, actual: str, overtime: str
) -> None:
    path = tmp_path / "m.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.START)
        clock.advance(run_for)
        session.tick()
        session.handle(Cmd.NEXT)
    row = tables(render(load(path)))[1][1]  # planned, adjusted, actual, overtime
    assert row[5:9] == ["02:00", "", actual, overtime], row


def test_cells_escape_pipes_and_newlines() -> None:
    assert md_cell("a|b\nc") == "a\\|b<br>c"


@pytest.mark.slow
def test_broken_template_is_a_clear_error(tmp_path: Path) -> None:
    path = demo_session(tmp_path, "en")
    bad = tmp_path / "bad.md.j2"
    bad.write_text("{% for x in %}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad.md.j2:1: template syntax error"):
        render(load(path), bad)
    with pytest.raises(TemplateError, match="no such template"):
        render(load(path), tmp_path / "missing.j2")
    unknown = tmp_path / "unknown.md.j2"
    unknown.write_text("{{ nothing_here }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="nothing_here"):
        render(load(path), unknown)


@pytest.mark.slow
def test_custom_template_gets_the_documented_variables(tmp_path: Path) -> None:
    path = demo_session(tmp_path, "en")
    mine = tmp_path / "mine.md.j2"
    mine.write_text("{{ meeting.title }}|{{ totals.count }}|{{ items[2].overtime }}", encoding="utf-8")
    assert render(load(path), mine) == "2026 Annual Work Retreat|14|+00:45"


APPENDIX = {"zh-CN": "## 附：抽签与计票复核说明", "en": "## Appendix: how to re-check the draws and counts"}


def _body_and_appendix(text: str, lang: str) -> tuple[str, str]:
    body, heading, rest = text.partition(APPENDIX[lang])
    assert heading, "the minutes end with the appendix"
    appendix, rule, _colophon = rest.rpartition("\n---\n")
    assert rule, "the appendix comes before the colophon"
    return body, appendix


@pytest.mark.slow
def test_zh_title_is_one_phrase(tmp_path: Path) -> None:
    text = render(load(demo_session(tmp_path, "zh-CN")))
    assert text.splitlines()[0] == "# 2026年度工作务虚会会议纪要"


@pytest.mark.slow
def test_zh_tie_is_told_in_chinese(tmp_path: Path) -> None:
    text = render(load(demo_session(tmp_path, "zh-CN")))
    assert "by lot" not in text
    assert "- 片区试点方案、网格化治理提升在末位名额上并列，抽签决定：片区试点方案。" in text


@pytest.mark.slow
def test_zh_minutes_use_chinese_punctuation(tmp_path: Path) -> None:
    text = render(load(demo_session(tmp_path, "zh-CN")))
    cjk = "\u4e00-\u9fff"
    assert re.findall(rf", [{cjk}]", text) == []  # "08:30–08:32, 实际用时"
    assert re.findall(rf"[{cjk}，。；：、] +[{cjk}]", text) == []  # "当选。 末位", "提升 并列"
    assert "- **用时**：08:39–08:47，实际用时 07:45，计划 07:00，**超时 +00:45**" in text


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.slow
def test_the_body_speaks_plainly_and_the_appendix_says_how_to_recheck(tmp_path: Path, lang: str) -> None:
    body, appendix = _body_and_appendix(render(load(demo_session(tmp_path, lang))), lang)
    for jargon in ("Python", "random.Random", "shuffle", "seed", "随机种子", "retreat tally"):
        assert jargon not in body, jargon
    assert "random.Random(20260108).shuffle" in appendix
    assert "`retreat ballots demo-" + lang + ".retreat key-task-vote -o key-task-vote.blt`" in appendix
    assert "`retreat tally key-task-vote.blt --method borda --seed 20260108`" in appendix


@pytest.mark.slow
def test_the_appendix_commands_reproduce_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from retreat.cli.main import app
    from retreat.minutes import build_context

    path = demo_session(tmp_path, "zh-CN")
    context = build_context(load(path))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for vote, item in zip(context["appendix"]["votes"], context["vote_items"], strict=True):
        for command in (vote["export"], vote["recount"] + " --format json"):
            result = runner.invoke(app, shlex.split(command)[1:])
            assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["winners"] == item["vote"]["chosen"]


def test_the_minutes_count_the_messages_to_the_speaker_per_item(
    tmp_path: Path, short_agenda: agenda_mod.Agenda, clock: FakeClock
) -> None:
    path = tmp_path / "m.retreat"
    with Session.create(path, short_agenda, clock) as session:
        session.handle(Cmd.START)
        session.handle(Cmd.MESSAGE, 1)
        clock.advance(60)
        session.handle(Cmd.MESSAGE, 2)
        session.handle(Cmd.MESSAGE, 0)
        session.handle(Cmd.NEXT)
        session.handle(Cmd.START)
        clock.advance(30)
        session.handle(Cmd.NEXT)
    text = render(load(path))
    assert text.count("提示讲话人") == 1
    section = text.split("### ")[1]  # the first item's section
    assert section.startswith("1. 党政办公室工作汇报") and "，提示讲话人 2 次" in section, section
