"""The standalone build (scripts/build_standalone.py): built once for this module in a temporary
folder (PyInstaller's cache too), unpacked with tar as an office would, and run with no
Python in sight: `env -i PATH=/usr/bin:/bin HOME=<temp> LANG=C.UTF-8`.

Slow (about a minute to build); skipped when PyInstaller is not installed (`.[build]`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.tmux import NEEDS_TMUX, Pane

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_standalone.py"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
CHROMIUM = os.environ.get("RETREAT_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                       reason="PyInstaller is not installed (pip install -e '.[build]')"),
]  # fmt: skip

PIN_AGENDA = """\
version: 1
meeting: {title: Phones vote, language: en, join: pin}
items:
  - id: v
    kind: vote
    title: Projects for next year
    limit: 5m
    seats: 1
    ranks: 2
    candidates: [社区食堂, Living room]
"""


def _script() -> object:
    spec = importlib.util.spec_from_file_location("build_standalone", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Built:
    def __init__(self, archive: Path, folder: Path, home: Path) -> None:
        self.archive = archive
        self.folder = folder
        self.program = folder / "retreat"
        self.home = home

    def env(self) -> list[str]:
        return ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={self.home}", "LANG=C.UTF-8"]

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.env(), str(self.program), *args], cwd=cwd, capture_output=True,
                              text=True, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    work = tmp_path_factory.mktemp("standalone")
    dist = work / "dist"
    subprocess.run([sys.executable, str(SCRIPT), "--dist", str(dist)], check=True, cwd=work, timeout=600)
    archives = list(dist.iterdir())
    system = "windows" if sys.platform == "win32" else "macos" if sys.platform == "darwin" else "linux"
    assert len(archives) == 1 and re.fullmatch(rf"retreat-{re.escape(VERSION)}-{system}-\w+\.tar\.gz",
                                               archives[0].name), archives  # fmt: skip
    unpacked = work / "office"
    unpacked.mkdir()
    subprocess.run(["tar", "-xzf", str(archives[0])], check=True, cwd=unpacked)
    assert sorted(p.name for p in unpacked.iterdir()) == ["retreat"]  # one folder, nothing strewn about
    home = work / "home"
    home.mkdir()
    yield Built(archives[0], unpacked / "retreat", home)


def test_the_archive_holds_the_program_and_its_files_and_packs_the_same_again(built: Built, tmp_path: Path) -> None:
    f = built.folder
    assert os.access(f / "retreat", os.X_OK)
    assert (f / "agendas" / "retreat-demo.yaml").is_file()  # for the secretary to copy
    internal = f / "_internal"
    assert (internal / "retreat" / "_data" / "agendas" / "forum.yaml").is_file()
    assert (internal / "retreat" / "_data" / "templates" / "minutes.md.j2").is_file()
    assert (internal / "retreat" / "locale" / "zh_CN" / "LC_MESSAGES" / "retreat.mo").is_file()
    assert (internal / "docx" / "templates" / "default.docx").is_file()
    assert not list(internal.glob("mypy*")) and not list(internal.glob("_pytest*"))
    # The same files give the same archive, byte for byte (sorted, one time, no owners).
    again = tmp_path / built.archive.name
    _script().pack(f, again)  # type: ignore[attr-defined]
    assert again.read_bytes() == built.archive.read_bytes()


def test_help_version_demo_check_minutes_and_alarm_without_python(built: Built, tmp_path: Path) -> None:
    out = built.run("--help", cwd=tmp_path)
    assert out.returncode == 0 and "minutes" in out.stdout and "codes" in out.stdout, out
    out = built.run("--version", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"retreat {VERSION}", out

    out = built.run("demo", "--format", "md,html", cwd=tmp_path)
    assert out.returncode == 0, out
    assert "会议纪要" in (tmp_path / "retreat-demo-minutes.md").read_text(encoding="utf-8")
    assert (tmp_path / "retreat-demo-minutes.html").stat().st_size > 1000

    out = built.run("check", str(built.folder / "agendas" / "retreat-demo.yaml"), cwd=tmp_path)
    assert out.returncode == 0 and "民生实事" in out.stdout, out
    out = built.run("check", str(built.folder / "agendas" / "forum.yaml"), cwd=tmp_path)
    assert out.returncode == 0, out

    out = built.run("minutes", "retreat-demo.retreat", "--format", "docx", cwd=tmp_path)
    assert out.returncode == 0, out
    docx = tmp_path / "retreat-demo-minutes.docx"
    assert docx.read_bytes()[:2] == b"PK" and docx.stat().st_size > 10_000

    out = built.run("alarm-test", "--no-sound", cwd=tmp_path)
    assert out.returncode == 0, out


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    for mark in NEEDS_TMUX[1:]:
        if mark.args[0]:
            pytest.skip(mark.kwargs["reason"])
    p = Pane(tmp_path, 120, 40)
    yield p
    p.close()


def test_run_on_the_stage_in_a_terminal(built: Built, pane: Pane, tmp_path: Path) -> None:
    agenda = built.folder / "agendas" / "retreat-demo-en.yaml"
    pane.command(f"{' '.join(built.env())} TERM=xterm-256color {built.program} run {agenda} "
                 f"--session {tmp_path / 'stage.retreat'} --no-sound; echo EXIT=$?")  # fmt: skip
    screen = pane.wait_for(r"Is this a rehearsal\?")  # the bundled agenda's date is not today
    assert "Ready. Press space to start." in screen and "Chen Jing" in screen
    pane.keys("y")
    pane.wait_for(r"Recorded as a rehearsal")
    pane.keys(" ")
    pane.wait_for(r"00:0[1-9] / 03:00")
    pane.keys("q")
    pane.wait_for(r"Quit\? Press y")
    pane.keys("y")
    pane.wait_for(r"EXIT=0")


@pytest.mark.skipif(not (Path(CHROMIUM).exists() or shutil.which("chromium")), reason="chromium is not installed")
def test_run_participate_serves_the_phone_page_to_a_browser(built: Built, pane: Pane, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    (tmp_path / "pin-vote.yaml").write_text(PIN_AGENDA, encoding="utf-8")
    pane.command(f"{' '.join(built.env())} TERM=xterm-256color {built.program} run pin-vote.yaml "
                 "--participate --host 127.0.0.1 --port 0 --no-sound; echo EXIT=$?")  # fmt: skip
    screen = pane.wait_for(r"Press any key to open the stage", timeout=60)
    url = re.search(r"open (http://\S+/)", screen)
    pin = re.search(r"PIN for this meeting: (\d+)", screen)
    assert url and pin, screen
    pane.keys("x")
    pane.wait_for(r"Scan to vote from your phone")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                    args=["--no-sandbox"])  # fmt: skip
        try:
            page = browser.new_page()
            page.goto(f"{url.group(1)}?pin={pin.group(1)}")
            assert page.input_value("input[name=code]") == pin.group(1)
            page.click("button[type=submit]")
            page.click("a.btn.primary")
            page.click("button.cand:has-text('社区食堂')")
            page.click("button.primary")
            page.wait_for_selector("#received")
        finally:
            browser.close()
    pane.keys("q")
    pane.wait_for(r"Quit\? Press y")
    pane.keys("y")
    pane.wait_for(r"EXIT=0")
