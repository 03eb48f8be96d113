from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app
from retreat.meeting.followups import commitments, split_id, summary, to_csv
from retreat.meeting.session import load

runner = CliRunner()


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    assert runner.invoke(app, ["demo", "--out", str(tmp_path)]).exit_code == 0
    return tmp_path / "retreat-demo.retreat"


def test_demo_records_questions_and_a_followup(demo: Path) -> None:
    state = load(demo).state
    assert len(state.qa.questions) >= 3
    assert [q.qid for q in state.qa.followups()] == [2, 3]


@pytest.mark.slow
def test_commitments_and_rate(demo: Path) -> None:
    records = [load(demo)]
    items = commitments(records, dt.date(2026, 4, 1))
    assert [(c.id, c.owner, c.due, c.status, c.overdue) for c in items] == [
        ("retreat-demo:2", "司法所", "2026-06-30", "open", False),
        ("retreat-demo:3", "城市管理办公室", "2026-03-31", "open", True),
    ]
    assert summary(items, "commitment") == "承诺事项 2 项，已完成 0 项，完成率 0.0%"  # the meeting's language


@pytest.mark.slow
def test_cli_lists_updates_and_changes_the_rate(demo: Path) -> None:
    result = runner.invoke(app, ["followups", str(demo)])
    assert result.exit_code == 0
    assert "retreat-demo:2" in result.stdout and "任务 12 项，已完成 0 项，完成率 0.0%" in result.stdout
    result = runner.invoke(app, ["followups", str(demo), "--done", "retreat-demo:3",
                                 "--progress", "retreat-demo:2", "已完成招标"])
    assert result.exit_code == 0, result.stderr
    state = load(demo).state
    assert state.qa.questions[3].followup is not None and state.qa.questions[3].followup.status == "done"
    assert state.qa.questions[2].followup is not None and state.qa.questions[2].followup.progress[0][1] == "已完成招标"
    assert "已完成招标" in result.stdout and "任务 12 项，已完成 1 项，完成率 8.3%" in result.stdout


@pytest.mark.parametrize("ident", ["nonsense", "retreat-demo:99", "other:2"])
@pytest.mark.slow
def test_unknown_ids_exit_2_listing_the_known_ones(demo: Path, ident: str) -> None:
    before = demo.read_bytes()
    result = runner.invoke(app, ["followups", str(demo), "--done", ident])
    assert result.exit_code == 2
    assert "retreat-demo:2" in result.stderr and "Traceback" not in result.stderr
    assert demo.read_bytes() == before


@pytest.mark.slow
def test_marking_done_twice_is_refused(demo: Path) -> None:
    assert runner.invoke(app, ["followups", str(demo), "--done", "retreat-demo:2"]).exit_code == 0
    result = runner.invoke(app, ["followups", str(demo), "--done", "retreat-demo:2"])
    assert result.exit_code == 2 and result.stderr.strip()


@pytest.mark.slow
def test_csv_export_round_trips_chinese_with_a_bom(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "followups.csv"
    result = runner.invoke(app, ["followups", str(demo), "-o", str(out)])
    assert result.exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "编号"
    assert rows[1][0] == "retreat-demo:2" and rows[1][3].startswith("二季度完成“三所联动”平台联调")
    assert len(rows) == 13 and rows[3][0] == "retreat-demo:livelihood-vote:canteen" and rows[3][3] == "社区食堂"


@pytest.mark.slow
def test_to_csv_quotes_commas_and_newlines(demo: Path) -> None:
    items = commitments([load(demo)], dt.date(2026, 1, 9))
    text = to_csv(items, "en")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["ID", "Meeting", "Owner"]
    assert [r[0] for r in rows[1:]] == ["retreat-demo:2", "retreat-demo:3"]


@pytest.mark.slow
def test_several_sessions_at_once(tmp_path: Path) -> None:
    for name, lang in (("a", "zh-CN"), ("b", "en")):
        (tmp_path / name).mkdir()
        assert runner.invoke(app, ["demo", "--out", str(tmp_path / name), "--lang", lang]).exit_code == 0
    first = tmp_path / "a" / "retreat-demo.retreat"
    second = tmp_path / "b" / "retreat-demo.retreat"
    records = [load(first), load(second)]
    assert len(commitments(records, dt.date(2026, 1, 9))) == 4


@pytest.mark.parametrize(("ident", "expected"), [("retreat-demo:3", ("retreat-demo", 3)), ("a:b:12", ("a:b", 12))])
def test_split_id(ident: str, expected: tuple[str, int]) -> None:
    assert split_id(ident) == expected


@pytest.mark.parametrize("ident", ["x", ":3", "x:", "x:y"])
def test_split_id_rejects(ident: str) -> None:
    with pytest.raises(ValueError):
        split_id(ident)


@pytest.mark.slow
def test_the_same_id_in_two_sessions_is_refused_as_ambiguous(tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        assert runner.invoke(app, ["demo", "--out", str(tmp_path / name)]).exit_code == 0
        paths.append(str(tmp_path / name / "retreat-demo.retreat"))
    result = runner.invoke(app, ["followups", *paths, "--done", "retreat-demo:2"])
    assert result.exit_code == 2 and "同时出现在多个会议记录中" in result.stderr


@pytest.mark.slow  # over 0.2 s: out of the inner loop, still in CI
def test_a_rehearsals_tasks_are_left_out_and_said_so(demo: Path, tmp_path: Path) -> None:
    import shutil
    import sqlite3

    rehearsal = tmp_path / "rehearsal" / "retreat-demo-eve.retreat"
    rehearsal.parent.mkdir()
    shutil.copy(demo, rehearsal)
    with sqlite3.connect(rehearsal) as db:  # as if the stage had been answered 'y' (a rehearsal)
        seq, at, mono, run = db.execute("SELECT seq, at, mono, run FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        db.execute("INSERT INTO events VALUES (?, 'rehearsal_answered', ?, ?, ?, '{\"rehearsal\": true}')",
                   (seq + 1, at, mono, run))
    db.close()
    assert load(rehearsal).state.rehearsal is True
    result = runner.invoke(app, ["followups", str(demo), str(rehearsal)])
    assert result.exit_code == 0, result.stderr
    assert "任务 12 项" in result.stdout and "retreat-demo-eve:" not in result.stdout
    assert "retreat-demo-eve.retreat" in result.stdout and "彩排" in result.stdout
