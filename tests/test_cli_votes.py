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
from retreat.errors import CommandRefused
from retreat.i18n import translator
from retreat.meeting.engine import Cmd
from retreat.meeting.events import Event, EventKind
from retreat.meeting.session import Session, load
from retreat.meeting.store import Store
from retreat.minutes import Times, render

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


@pytest.mark.slow  # over a quarter of a second: subprocesses, threads or a real server
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
@pytest.mark.slow
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


@pytest.mark.slow
def test_results_of_the_demo_list_both_votes(tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--out", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["results", str(tmp_path / "retreat-demo.retreat"), "--format", "json"])
    objects = json.loads(result.stdout)
    assert [o["vote"] for o in objects] == ["livelihood-vote", "key-task-vote"]
    assert all(len(o["chosen"]) == 5 for o in objects)
    md = runner.invoke(app, ["results", str(tmp_path / "retreat-demo.retreat"), "2", "--format", "md"]).stdout
    assert md.startswith("## 重点工作任务推荐")


EARLY = 'The ballots of "%(title)s" were exported on %(when)s, before the result was revealed.'


def open_vote_session(tmp_path: Path) -> Path:
    """A vote with ballots cast and nothing revealed: the board still hides every score."""
    agenda = agenda_mod.loads(agenda_text("borda", 2), "open.yaml")
    path = tmp_path / "open.retreat"
    with Session.create(path, agenda, FakeClock()) as s:
        s.handle(Cmd.START)
        for n, ranking in enumerate(["1 2", "2 1", "1 3"]):
            s.handle(Cmd.CAST, {"ballot": f"b{n}", "ranking": ranking, "group": "g1"})
    return path


def logged(path: Path) -> list[Event]:
    with Store.open(path, readonly=True) as store:
        return list(store.events())


@pytest.mark.parametrize("suffix", [".blt", ".csv"])
def test_an_unrevealed_vote_is_not_exported_without_before_reveal(tmp_path: Path, suffix: str) -> None:
    session = open_vote_session(tmp_path)
    before = logged(session)
    out = tmp_path / f"v{suffix}"
    result = runner.invoke(app, ["ballots", str(session), "v", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "--before-reveal" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert logged(session) == before  # refusing writes nothing anywhere


@pytest.mark.slow  # over a quarter of a second: subprocesses, threads or a real server
def test_before_reveal_exports_and_the_log_and_minutes_say_so(tmp_path: Path) -> None:
    session = open_vote_session(tmp_path)
    out = tmp_path / "v.blt"
    result = runner.invoke(app, ["ballots", str(session), "v", "-o", str(out), "--before-reveal"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[0] == "6 2"
    exports = [e for e in logged(session) if e.kind is EventKind.BALLOTS_EXPORTED]
    assert len(exports) == 1 and exports[0].data["vote"] == "v"
    record = load(session)
    when = Times(record.utc_offset, "zh-CN").datetime(exports[0].stamp.at)
    minutes = render(record)
    said = translator("zh-CN").gettext(EARLY) % {"title": "推荐", "when": when}
    assert said in minutes and said not in render(record, lang="en")
    assert EARLY % {"title": "推荐", "when": Times(record.utc_offset, "en").datetime(exports[0].stamp.at)} in render(
        record, lang="en")
    assert runner.invoke(app, ["results", str(session), "v"]).stdout.count("未公布") == 1  # still hidden


def test_a_revealed_vote_exports_with_no_event_and_its_minutes_say_nothing_of_it(tmp_path: Path) -> None:
    session = voted_session(tmp_path, "borda", 2, 5)
    before = logged(session)
    out = tmp_path / "v.blt"
    assert runner.invoke(app, ["ballots", str(session), "v", "-o", str(out)]).exit_code == 0
    assert runner.invoke(app, ["ballots", str(session), "v", "-o", str(out), "--before-reveal"]).exit_code == 0
    assert logged(session) == before
    assert "before the result was revealed" not in render(load(session), lang="en")


def test_a_runoff_still_open_is_refused_like_any_vote(tmp_path: Path) -> None:
    agenda = agenda_mod.loads(agenda_text("borda", 1).replace("method: borda", "method: borda\n    tie: runoff"),
                              "runoff.yaml")
    path = tmp_path / "r.retreat"
    with Session.create(path, agenda, FakeClock()) as s:
        s.handle(Cmd.START)
        s.handle(Cmd.CAST, {"ballot": "a", "ranking": "1 2", "group": "g1"})
        s.handle(Cmd.CAST, {"ballot": "b", "ranking": "2 1", "group": "g2"})
        s.handle(Cmd.REVEAL, {"scope": "all", "seed": 1})
        s.handle(Cmd.OPEN_RUNOFF)
        s.handle(Cmd.CAST, {"ballot": "c", "ranking": "1", "group": "g1"})
    out = tmp_path / "r.csv"
    assert runner.invoke(app, ["ballots", str(path), "v", "-o", str(out)]).exit_code == 0  # the first round is public
    refused = runner.invoke(app, ["ballots", str(path), "v/runoff-1", "-o", str(out)])
    assert refused.exit_code == 2 and "--before-reveal" in refused.stderr
    assert runner.invoke(app, ["ballots", str(path), "v/runoff-1", "-o", str(out), "--before-reveal"]).exit_code == 0
    assert [e.data["vote"] for e in logged(path) if e.kind is EventKind.BALLOTS_EXPORTED] == ["v/runoff-1"]


def test_an_export_changes_nothing_else_in_the_minutes(tmp_path: Path) -> None:
    """Done from another terminal, maybe hours later: the running vote's time and the meeting's
    end stay what the meeting recorded."""
    session = open_vote_session(tmp_path)
    before = render(load(session), lang="en").splitlines()
    assert runner.invoke(app, ["ballots", str(session), "v", "-o", str(tmp_path / "v.csv"),
                               "--before-reveal"]).exit_code == 0
    after = render(load(session), lang="en").splitlines()
    added = [line for line in after if line not in before]
    assert [line for line in before if line not in after] == [
        "Recorded by retreat from the session open.retreat (6 events)."]
    assert len(added) == 2 and added[0].startswith('The ballots of "推荐" were exported on ')
    assert added[1] == "Recorded by retreat from the session open.retreat (7 events)."


def test_the_engine_records_an_early_export_only_of_a_vote_still_hidden(tmp_path: Path, clock: FakeClock) -> None:
    agenda = agenda_mod.loads(agenda_text("borda", 2), "e.yaml")
    with Session.create(tmp_path / "e.retreat", agenda, clock) as s:
        with pytest.raises(CommandRefused):
            s.handle(Cmd.EXPORT_BALLOTS, {"vote": "nope"})
        s.handle(Cmd.START)
        s.handle(Cmd.CAST, {"ballot": "a", "ranking": "1 2", "group": "g1"})
        clock.advance(30)
        (event,) = s.handle(Cmd.EXPORT_BALLOTS, {"vote": "v", "format": "csv"})
        assert event.kind is EventKind.BALLOTS_EXPORTED and event.data == {"vote": "v", "format": "csv"}
        assert s.state.early_exports == [("v", clock.now())]
        s.handle(Cmd.REVEAL, {"scope": "all", "seed": 1})
        s.handle(Cmd.END_MEETING)
        assert s.handle(Cmd.EXPORT_BALLOTS, {"vote": "v", "format": "blt"}) == []  # revealed: public
