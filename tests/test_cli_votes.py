"""retreat ballots / retreat results, and the recount contract: exported ballots re-tallied
give what the room saw."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat import agenda as agenda_mod
from retreat.cli.main import app
from retreat.clock import FakeClock
from retreat.engine import Cmd
from retreat.session import Session

runner = CliRunner()
METHODS = ["borda", "stv", "irv", "schulze", "ranked_pairs", "approval", "plurality"]


def agenda_text(method: str, seats: int) -> str:
    candidates = "\n".join(f"      - {{id: c{n}, title: 项目{n}}}" for n in range(1, 7))
    return f"""version: 1
meeting: {{title: 复核测试}}
groups:
  - {{id: g1, name: 第一组, members: [a, b, c]}}
  - {{id: g2, name: 第二组, members: [d, e]}}
items:
  - id: v
    kind: vote
    title: 推荐
    limit: 5m
    seats: {seats}
    ranks: 4
    method: {method}
    candidates:
{candidates}
"""


def voted_session(tmp_path: Path, method: str, seats: int, seed: int) -> Path:
    agenda = agenda_mod.loads(agenda_text(method, seats), "recount.yaml")
    path = tmp_path / f"{method}-{seats}-{seed}.retreat"
    rng = random.Random(seed)
    ids = itertools.count()
    with Session.create(path, agenda, FakeClock()) as s:
        s.handle(Cmd.START)
        for _ in range(rng.randint(5, 40)):
            ranking = rng.sample(range(1, 7), rng.randint(1, 4))
            s.handle(Cmd.CAST, {"ballot": f"b{next(ids)}", "ranking": " ".join(map(str, ranking)),
                                "group": rng.choice(["g1", "g2"])})
        s.handle(Cmd.REVEAL, {"scope": "all", "seed": seed})
    return path


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exported_blt_recounted_by_tally_gives_the_recorded_result(tmp_path: Path, method: str, seed: int) -> None:
    seats = 1 if method in ("irv",) and seed == 1 else 2
    session = voted_session(tmp_path, method, seats, seed)
    blt = tmp_path / "v.blt"
    assert runner.invoke(app, ["ballots", str(session), "v", "-o", str(blt)]).exit_code == 0
    recorded = json.loads(runner.invoke(app, ["results", str(session), "v", "--format", "json"]).stdout)
    tallied = runner.invoke(app, ["tally", str(blt), "--method", method, "--seed", str(recorded["seed"]),
                                  "--format", "json"])
    assert tallied.exit_code == 0, tallied.stderr
    recount = json.loads(tallied.stdout)
    assert recount["winners"] == recorded["winners"] == recorded["chosen"]
    assert recount["seats"] == seats


@pytest.mark.parametrize("method", ["plurality", "irv"])
def test_single_winner_recount_agrees_with_pref_voting(tmp_path: Path, method: str) -> None:
    pytest.importorskip("pref_voting")
    from pref_voting.iterative_methods import instant_runoff
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.scoring_methods import plurality

    session = voted_session(tmp_path, method, 1, 11)
    recorded = json.loads(runner.invoke(app, ["results", str(session), "v", "--format", "json"]).stdout)
    if recorded["ties"]:
        pytest.skip("a lot decided this count; pref_voting would return every tied winner")
    blt = tmp_path / "v.blt"
    runner.invoke(app, ["ballots", str(session), "v", "-o", str(blt)])
    lines = blt.read_text(encoding="utf-8").splitlines()
    rankings, counts = [], []
    for line in lines[1:]:
        parts = line.split()
        if parts == ["0"]:
            break
        counts.append(int(parts[0]))
        rankings.append({int(c): r + 1 for r, c in enumerate(parts[1:-1])})
    profile = ProfileWithTies(rankings, rcounts=counts, candidates=list(range(1, 7)))
    profile.use_extended_strict_preference()
    winners = plurality(profile) if method == "plurality" else instant_runoff(profile)
    assert [f"项目{w}" for w in winners] == recorded["winners"]


def test_csv_export_has_a_bom_titles_and_groups(tmp_path: Path) -> None:
    session = voted_session(tmp_path, "borda", 2, 5)
    out = tmp_path / "v.csv"
    assert runner.invoke(app, ["ballots", str(session), "1", "-o", str(out)]).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["group", "weight", "rank1", "rank2", "rank3", "rank4"]
    assert {r[0] for r in rows[1:]} <= {"第一组", "第二组"}
    assert all(cell.startswith("项目") for r in rows[1:] for cell in r[2:] if cell)


@pytest.mark.parametrize(
    ("args", "message"),
    [(["9"], "现有表决：1. v"), (["nope"], "现有表决：1. v")],
)
def test_unknown_vote_exits_2_listing_the_votes(tmp_path: Path, args: list[str], message: str) -> None:
    session = voted_session(tmp_path, "borda", 2, 5)
    result = runner.invoke(app, ["ballots", str(session), *args, "-o", str(tmp_path / "x.blt")])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_other_file_endings_exit_2(tmp_path: Path) -> None:
    session = voted_session(tmp_path, "borda", 2, 5)
    result = runner.invoke(app, ["ballots", str(session), "v", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and ".blt 或 .csv" in result.stderr


def test_results_of_the_demo_list_both_votes(tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--out", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["results", str(tmp_path / "retreat-demo.retreat"), "--format", "json"])
    objects = json.loads(result.stdout)
    assert [o["vote"] for o in objects] == ["livelihood-vote", "key-task-vote"]
    assert all(len(o["chosen"]) == 5 for o in objects)
    md = runner.invoke(app, ["results", str(tmp_path / "retreat-demo.retreat"), "2", "--format", "md"]).stdout
    assert md.startswith("## 重点工作任务推荐")
