"""`retreat new` in a real terminal: questionary asks, the secretary answers, the agenda is filled in."""

from __future__ import annotations

from pathlib import Path

from support.tmux import NEEDS_TMUX, RETREAT, Pane

from retreat import agenda as agenda_mod

pytestmark = NEEDS_TMUX


def test_the_questions_fill_in_the_agenda(tmp_path: Path) -> None:
    p = Pane(tmp_path, 120, 30, env=("LANGUAGE=zh_CN", "LANG=zh_CN.UTF-8"))
    try:
        p.command(f"{RETREAT} new --kind symposium -o 座谈会.yaml; echo EXIT=$?")
        answers = [
            ("会议名称", "学习贯彻全会精神座谈会"),
            ("日期", "2026-05-06"),
            ("计划开始时间", "9:00"),
            ("地点", None),
            ("主持人", "李红"),
            ("记录人", None),
            ("部门和负责人", "党政办公室 陈静；平安办 吴敏"),
            ("领导讲话", None),
        ]
        for question, answer in answers:
            p.wait_for(f"\\? {question}")
            if answer is not None:
                p.special("C-u")
                p.keys(answer)
            p.special("Enter")
        screen = p.wait_for(r"EXIT=\d+")
        assert "EXIT=0" in screen, screen
    finally:
        p.close()
    agenda = agenda_mod.load(tmp_path / "座谈会.yaml")
    assert agenda.meeting.title == "学习贯彻全会精神座谈会"
    assert str(agenda.meeting.date) == "2026-05-06" and str(agenda.meeting.start) == "09:00:00"
    assert agenda.meeting.chair == "李红" and agenda.meeting.venue == "街道办事处二楼会议室"
    assert [i.title for i in agenda.items if i.kind == "report"] == ["党政办公室交流发言", "平安办交流发言"]
