"""CLI tests for demo, minutes and approve, and the error contract (exit codes, no tracebacks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    code, out, err = invoke("demo", "--out", str(tmp_path))
    assert code == 0, err
    return tmp_path


@pytest.mark.slow
def test_demo_writes_session_and_minutes_and_nothing_else(demo_dir: Path) -> None:
    assert sorted(p.name for p in demo_dir.iterdir()) == ["retreat-demo-minutes.md", "retreat-demo.retreat"]
    minutes = (demo_dir / "retreat-demo-minutes.md").read_text(encoding="utf-8")
    assert minutes.startswith("# 2026年度工作务虚会会议纪要")
    assert "**+00:45**" in minutes


@pytest.mark.slow
def test_demo_prints_a_progress_line_per_item(tmp_path: Path) -> None:
    code, out, _ = invoke("demo", "--out", str(tmp_path), "--lang", "en")
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("[")]
    assert len(lines) == 14
    assert "Work report of the Business Development Office" in lines[2] and "overtime +00:45" in lines[2]
    assert "Minutes:" in out


@pytest.mark.slow
def test_demo_replaces_an_earlier_demo(demo_dir: Path) -> None:
    session = demo_dir / "retreat-demo.retreat"
    first = session.stat().st_mtime_ns
    code, _, err = invoke("demo", "--out", str(demo_dir))
    assert code == 0, err
    assert session.stat().st_mtime_ns != first


def test_demo_refuses_to_replace_a_file_that_is_not_a_session(tmp_path: Path) -> None:
    precious = tmp_path / "retreat-demo.retreat"
    precious.write_text("not mine", encoding="utf-8")
    code, out, err = invoke("demo", "--out", str(tmp_path))
    assert code == 2
    assert "已存在且不是 retreat 会议记录" in err and "Traceback" not in err
    assert precious.read_text(encoding="utf-8") == "not mine"


def test_demo_bad_lang_and_bad_out(tmp_path: Path) -> None:
    code, _, err = invoke("demo", "--lang", "fr", "--out", str(tmp_path))
    assert code == 2 and "--lang takes zh-CN or en" in err
    code, _, err = invoke("demo", "--out", str(tmp_path / "missing"))
    assert code == 2 and "不是文件夹" in err  # the bundled agenda is Chinese, so are its messages
    code, _, err = invoke("demo", "--lang", "en", "--out", str(tmp_path / "missing"))
    assert code == 2 and "is not a folder" in err


@pytest.mark.slow
def test_minutes_to_stdout_and_to_file(demo_dir: Path) -> None:
    session = str(demo_dir / "retreat-demo.retreat")
    code, out, _ = invoke("minutes", session)
    assert code == 0 and "## 二、议程执行情况" in out
    target = demo_dir / "out.md"
    target.write_text("old", encoding="utf-8")
    code, out, err = invoke("minutes", session, "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("# 2026年度工作务虚会")


@pytest.mark.slow
def test_minutes_with_a_custom_template(demo_dir: Path, tmp_path: Path) -> None:
    tpl = tmp_path / "one-line.md.j2"
    tpl.write_text("{{ meeting.title }}：{{ totals.overtime }}\n", encoding="utf-8")
    code, out, _ = invoke("minutes", str(demo_dir / "retreat-demo.retreat"), "--template", str(tpl))
    assert (code, out) == (0, "2026年度工作务虚会：3\n")


@pytest.mark.slow
def test_minutes_with_a_broken_template_exits_2(demo_dir: Path, tmp_path: Path) -> None:
    tpl = tmp_path / "bad.md.j2"
    tpl.write_text("{% if %}", encoding="utf-8")
    code, out, err = invoke("minutes", str(demo_dir / "retreat-demo.retreat"), "--template", str(tpl))
    assert code == 2 and out == "" and "template syntax error" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such session file"),
        (b"hello", "is not a retreat session"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "cannot be read as a session"),
    ],
)
def test_minutes_of_a_bad_session_exits_2(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.retreat"
    if content is not None:
        path.write_bytes(content)
    code, out, err = invoke("minutes", str(path))
    assert code == 2 and out == "" and message in err and "Traceback" not in err


@pytest.mark.slow
def test_approve_then_minutes_are_no_longer_draft(demo_dir: Path) -> None:
    session = str(demo_dir / "retreat-demo.retreat")
    code, out, _ = invoke("approve", session, "--by", "王建国")
    assert code == 0 and "王建国" in out
    _, minutes, _ = invoke("minutes", session)
    assert "草稿" not in minutes and "本纪要已由 王建国 于" in minutes


@pytest.mark.slow
def test_approve_needs_a_name(demo_dir: Path) -> None:
    code, _, err = invoke("approve", str(demo_dir / "retreat-demo.retreat"), "--by", "  ")
    assert code == 2 and "--by" in err


def test_usage_errors_exit_2() -> None:
    assert invoke("minutes")[0] == 2
    assert invoke("no-such-command")[0] == 2


@pytest.mark.slow
def test_internal_error_is_one_line_and_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import retreat.minutes

    demo_dir = tmp_path
    assert invoke("demo", "--lang", "en", "--out", str(demo_dir))[0] == 0

    def boom(*_: object, **__: object) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(retreat.minutes, "render", boom)
    code, out, err = invoke("minutes", str(demo_dir / "retreat-demo.retreat"))
    assert code == 1
    assert err.strip().splitlines() == [
        "retreat: internal error: RuntimeError: disk on fire (run with --debug for the traceback)"
    ]
    code, _, err = invoke("--debug", "minutes", str(demo_dir / "retreat-demo.retreat"))
    assert code == 1 and "Traceback" in err


def test_python_dash_m_and_version(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "retreat", "--version"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0 and done.stdout.startswith("retreat ")


@pytest.mark.slow
def test_demo_without_a_tty_and_with_stdin_closed(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "retreat", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "retreat-demo-minutes.md").exists()


@pytest.mark.slow
def test_lang_option_overrides_the_meetings_language(demo_dir: Path) -> None:
    session = str(demo_dir / "retreat-demo.retreat")
    code, out, _ = invoke("minutes", session, "--lang", "en")
    assert code == 0 and "## 2. Agenda: planned and actual" in out and "2026年度工作务虚会" in out
    assert "8 January 2026" in out
    code, out, _ = invoke("followups", session, "--lang", "en")
    assert code == 0 and "12 tasks, 0 done, 0.0%" in out
    code, _, err = invoke("minutes", session, "--lang", "fr")
    assert code == 2 and "--lang takes zh-CN or en" in err


def test_messages_before_a_meeting_is_read_follow_the_system_locale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, _, err = invoke("minutes", str(tmp_path / "missing.retreat"))
    assert code == 2 and "会议记录文件不存在" in err
