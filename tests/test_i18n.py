from __future__ import annotations

import gettext
import importlib.util
import re
from pathlib import Path

import pytest
from support import DATA, Ticks
from typer.testing import CliRunner

from retreat import i18n
from retreat.clock import FakeClock

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
assert spec and spec.loader
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)


def _messages_of_po(po: Path) -> dict[str | tuple[str, int], str]:
    """What gettext should serve for each msgid: translated, non-fuzzy entries only."""
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f)
    wanted: dict[str | tuple[str, int], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n, form in enumerate(message.string):
                if form:
                    wanted[(message.id[0], n)] = form
        elif message.string:
            wanted[message.id] = message.string
    return wanted


@pytest.mark.parametrize("po", script.po_files(), ids=lambda p: p.parent.parent.name)
def test_committed_mo_serves_every_message_of_its_po(po: Path) -> None:
    # Compares messages, not bytes: a compiler writes its own version into the .mo, so a
    # byte comparison fails whenever a fresh install resolves another Babel.
    with po.with_suffix(".mo").open("rb") as f:
        served = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    served.pop("", None)  # the header
    assert served == _messages_of_po(po), "run: python scripts/i18n.py compile"


@pytest.mark.slow
def test_every_string_in_the_code_is_translated_to_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert script.main(["i18n.py", "check"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh_CN.UTF-8", "zh-CN"), ("zh", "zh-CN"), ("zh-Hans", "zh-CN"), ("en_US.UTF-8", "en"), ("de_DE", "en")],
)
def test_language_names_are_normalised(value: str, expected: str) -> None:
    assert i18n.normalise(value) == expected


def test_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.from_environment() == "zh-CN"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert i18n.from_environment() == "zh-CN"  # C means "unset", so LANG decides
    monkeypatch.setenv("LANGUAGE", "en_GB")
    assert i18n.from_environment() == "en"


def test_set_language_switches_translations() -> None:
    i18n.set_language("zh-CN")
    assert i18n._("the meeting has ended") == "会议已结束"
    i18n.set_language("en")
    assert i18n._("the meeting has ended") == "the meeting has ended"


# --- Chinese first, everywhere: the command line's own words, `check`, the phone page ---------

runner = CliRunner()
ZH = {"LANG": "zh_CN.UTF-8"}


def test_chinese_help_has_no_english_frame() -> None:
    from retreat.cli.main import app

    top = runner.invoke(app, ["--help"], env=ZH, prog_name="retreat").stdout
    assert top.startswith("用法：retreat [OPTIONS] COMMAND [ARGS]...")
    assert "\n选项：\n" in top and "\n命令：\n" in top and "显示此帮助并退出。" in top
    sub = "".join(runner.invoke(app, [name, "--help"], env=ZH, prog_name="retreat").stdout for name in ("demo", "minutes"))
    assert "\n参数：\n" in sub and "（必填）" in sub and "（默认：zh-CN）" in sub
    for english in ("Usage:", "Options:", "Commands:", "Arguments:", "[required]", "[default:", "Show this message"):
        assert english not in top + sub, english
    tally = runner.invoke(app, ["tally", "--help"], env=ZH, prog_name="retreat").stdout
    assert "不计入统计。统计完成" in tally  # Click joins a paragraph's lines with a space


def test_english_help_is_clicks() -> None:
    from retreat.cli.main import app

    out = runner.invoke(app, ["minutes", "--help"], env={"LANG": "en_GB.UTF-8"}, prog_name="retreat").stdout
    assert out.startswith("Usage: retreat minutes [OPTIONS]")
    assert "\nArguments:\n" in out and "[required]" in out and "Show this message and exit." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check"], "错误：缺少参数 'AGENDA'。"),
        (["check", "--bogus", "a.yaml"], "错误：没有这个选项：--bogus"),
        (["check", "a.yaml", "b.yaml"], "错误：多余的参数（b.yaml）"),
        (["bogus"], "错误：没有 'bogus' 这个命令。"),
    ],
)
def test_usage_errors_in_chinese(args: list[str], message: str) -> None:
    from retreat.cli.main import app

    result = runner.invoke(app, args, env=ZH, prog_name="retreat")
    assert result.exit_code == 2
    assert message in result.stderr and "Error" not in result.stderr
    assert "用法：retreat" in result.stderr and "查看帮助。" in result.stderr


BROKEN_ZH = """\
version: 1
meeting:
  title: 测试会议
  language: zh-CN
items:
  - id: a
    kind: report
    title: 汇报
    limit: 30 mins
"""


@pytest.mark.parametrize("tail", ["", '  - id: b\n    title: "没有闭合\n'], ids=["invalid", "not YAML further down"])
def test_check_answers_in_the_language_the_broken_agenda_declares(tmp_path: Path, tail: str) -> None:
    from retreat.cli.main import app

    agenda = tmp_path / "a.yaml"
    agenda.write_text(BROKEN_ZH + tail, encoding="utf-8")
    result = runner.invoke(app, ["check", str(agenda)], env={"LANG": "C.UTF-8"}, prog_name="retreat")
    assert result.exit_code == 2
    assert "not" not in result.stderr and ("不是时长" in result.stderr or "引号" in result.stderr)
    english = runner.invoke(app, ["check", str(agenda), "--lang", "en"], env={"LANG": "C.UTF-8"}, prog_name="retreat")
    assert "not" in english.stderr


def test_the_chinese_duration_hint_says_or_in_chinese(tmp_path: Path) -> None:
    from retreat.cli.main import app

    agenda = tmp_path / "a.yaml"
    agenda.write_text(BROKEN_ZH, encoding="utf-8")
    err = runner.invoke(app, ["check", str(agenda)], env={"LANG": "C.UTF-8"}, prog_name="retreat").stderr
    assert "“30 mins”不是时长（请写成 7分钟、90秒、1小时30分钟 或 7m）" in err and " or " not in err


def test_declared_language_is_read_as_far_as_the_file_parses(tmp_path: Path) -> None:
    from retreat.cli.agenda_cmds import declared_language

    cases = {
        "version: 1\nmeeting: {title: x, language: en}\n": "en",
        "version: 1\nmeeting:\n  language: zh-CN\n  title: [unclosed\n": "zh-CN",
        "version: 1\nitems:\n  - meeting: {language: en}\nmeeting:\n  title: x\n": None,  # not meeting.language
        "version: 1\n? [a, b]\n: 1\nmeeting: {language: zh_CN}\n": "zh-CN",
        "meeting: [\n": None,
        "\x00": None,
    }
    for n, (text, expected) in enumerate(cases.items()):
        path = tmp_path / f"{n}.yaml"
        path.write_text(text, encoding="utf-8")
        assert declared_language(path) == expected, text
    assert declared_language(tmp_path / "missing.yaml") is None


def test_the_phone_home_page_offers_the_vote_in_chinese(tmp_path: Path, clock: FakeClock, ticks: Ticks) -> None:
    from starlette.testclient import TestClient

    from retreat import agenda as agenda_mod
    from retreat.meeting import phone_codes
    from retreat.meeting.engine import Cmd
    from retreat.meeting.session import Session
    from retreat.web.app import create_app
    from retreat.web.gate import Gate

    session = Session.create(tmp_path / "v.retreat", agenda_mod.load(DATA / "agendas" / "vote.yaml"), clock)
    session.handle(Cmd.ISSUE_CODES, {"salt": "s", "hashes": [phone_codes.hash_code("AAAA2222", "s")], "group": "g1"})
    session.handle(Cmd.START)
    try:
        with TestClient(create_app(Gate(session), clock=ticks, desk_token="desk"), follow_redirects=True) as client:
            csrf = re.search(r'name="csrf" value="([^"]*)"', client.get("/").text)
            assert csrf
            home = client.post("/join", data={"code": "AAAA2222", "csrf": csrf.group(1)}).text
    finally:
        session.close()
    assert "参加表决：民生实事推荐" in home and "Vote" not in home
