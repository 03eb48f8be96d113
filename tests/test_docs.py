"""The README documents every command, and CI runs exactly the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from retreat.cli.main import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(c.name for c in typer.main.get_command(app).commands.values())  # type: ignore[attr-defined]


def test_there_are_commands() -> None:
    assert {"demo", "check", "schema", "minutes", "approve"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    assert (command.help or "").strip(), f"{name} has no help text"
    assert f"`retreat {name}" in README, f"README does not document `retreat {name}`"


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2, "the README's set-up is exactly two commands"
    demo, tests = commands
    assert demo.endswith("retreat demo")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_help_follows_the_system_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    root = CliRunner().invoke(app, ["--help"])
    assert "检查议程并显示日程安排" in root.stdout
    run = CliRunner().invoke(app, ["run", "--help"])
    assert "在投影屏上主持会议" in run.stdout and "会议记录文件（默认" in run.stdout
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert "Validate an agenda" in CliRunner().invoke(app, ["--help"]).stdout
