"""`l` in a real terminal (tmux, 80x24): during a department's report it shows that department's
tasks of last year, recorded when the first item started; `l` and Esc return to the stage."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from rich.cells import cell_len
from support.tmux import NEEDS_TMUX, RETREAT, Pane

from retreat import agenda as agenda_mod
from retreat.demo import record_the_year, run_demo
from retreat.paths import bundled_agenda

pytestmark = NEEDS_TMUX

AGENDA = """version: 1
meeting:
  title: 2027年度工作务虚会
  start: "08:30"
  language: zh-CN
  previous: [retreat-demo.retreat]
departments:
  - {id: svc, name: 社区服务办公室}
  - {id: sgo, name: 居民自治办公室}
items:
  - {id: svc-review, kind: report, title: 社区服务办公室工作汇报, department: svc, presenter: 孙丽, limit: 5m}
  - {id: sgo-review, kind: report, title: 居民自治办公室工作汇报, department: sgo, presenter: 周志强, limit: 5m}
"""


@pytest.fixture
def pane(tmp_path: Path):
    p = Pane(tmp_path, width=80, height=24)
    yield p
    p.close()


def test_l_during_a_report_shows_last_years_tasks_of_its_department(pane: Pane, tmp_path: Path) -> None:
    previous = tmp_path / "retreat-demo.retreat"
    for _step in run_demo(agenda_mod.load(bundled_agenda("zh-CN")), previous):
        pass
    record_the_year(previous, "zh-CN")
    (tmp_path / "next.yaml").write_text(AGENDA, encoding="utf-8")

    pane.command(f"{RETREAT} run next.yaml --no-sound; echo EXIT=$?")
    pane.wait_for(r"按空格键开始|Press space")
    pane.keys(" ")
    pane.wait_for(r"00:0[1-9] / 05:00")
    pane.keys("l")
    screen = pane.wait_for(r"2026年度工作任务完成情况")
    lines = screen.splitlines()
    assert "社区服务办公室 · 2026年度工作任务完成情况" in screen
    assert "任务 3 项，已完成 1 项，完成率 33.3%，逾期 1 项" in screen
    canteen = next(line for line in lines if "社区食堂" in line and "已完成" in line)
    assert any("已逾期" in line and "养老服务联盟" in line for line in lines)
    assert "居民自治" not in screen.split("完成情况", 1)[1]  # only this department's tasks
    # The title's details wrap under the title: the same column on the terminal.
    below = lines[lines.index(canteen) + 1]
    assert cell_len(below[: below.index("表决选出")]) == cell_len(canteen[: canteen.index("社区食堂")])
    assert "l 或 Esc：返回主屏幕" in lines[-1] or "l 或 Esc：返回主屏幕" in screen
    pane.keys("l")
    screen = pane.wait_for(r"^(?![\s\S]*2026年度工作任务完成情况)")
    assert "社区服务办公室工作汇报" in screen
    pane.keys("l")
    pane.wait_for(r"2026年度工作任务完成情况")
    pane.special("Escape")
    pane.wait_for(r"^(?![\s\S]*2026年度工作任务完成情况)")
    pane.keys("q")
    pane.wait_for(r"按 y 退出|Press y")
    pane.keys("y")
    pane.wait_for(r"EXIT=0")

    minutes = subprocess.run([str(RETREAT), "minutes", "next.retreat"], cwd=tmp_path, check=True,
                             capture_output=True, text=True).stdout
    assert "## 四、2026年度工作任务完成情况" in minutes
    assert "**任务 12 项，已完成 5 项，完成率 41.7%**" in minutes
