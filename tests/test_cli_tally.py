"""`retreat tally`: exit codes, stdout and stderr, formats, -o, --strict, seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app

DATA = Path(__file__).parent / "data" / "ballots"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def tally(*args: str):
    return runner.invoke(app, ["tally", *args])


def test_json_shape_for_the_droop_example() -> None:
    r = tally(str(DATA / "droop-stv/42.blt"), "--quota", "hagenbach-bischoff", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    out = json.loads(r.stdout)
    assert list(out) == ["method", "seats", "winners", "ranking", "rounds", "ties", "quota",
                         "ballots", "rejected"]
    assert out["method"] == "stv" and out["seats"] == 2 and out["quota"] == 2
    assert out["winners"] == ["Castor", "Helen"]
    assert out["ranking"] is None
    assert out["ballots"] == {"valid": 6, "rejected": 0, "exhausted": 2}
    assert out["ties"] == [{"round": 2, "candidates": ["Pollux", "Helen"],
                            "rule": "defeat: look-back: lowest tally at round 1 -> Pollux",
                            "seed": None}]
    first = out["rounds"][0]
    assert first["tallies"] == {"Castor": 4, "Pollux": 0, "Helen": 2}
    assert first["transfers"] == [{"from": "Castor", "kind": "surplus", "ratio": 0.5,
                                   "to": {"Pollux": 2}, "exhausted": 0}]


def test_table_shows_winners_rounds_and_ties() -> None:
    r = tally(str(DATA / "food.csv"), "--seats", "3")
    assert r.exit_code == 0
    assert "Winners: Chocolate, Oranges, Strawberries." in r.stdout
    assert "quota 6" in r.stdout and "Rounds" in r.stdout
    assert "eliminated, round 2" in next(ln for ln in r.stdout.splitlines() if "Pears" in ln)
    assert r.stderr.startswith("warning: ")  # candidates inferred from the ballots


def test_markdown_for_the_minutes() -> None:
    r = tally(str(DATA / "tennessee.blt"), "--method", "borda", "--format", "md")
    assert r.exit_code == 0
    assert "Winners: Nashville." in r.stdout
    assert "| Place | Candidate | Score | Status |" in r.stdout
    assert "| 1 | Nashville | 294 | elected |" in r.stdout
    assert "| 4 | Knoxville | 207 |  |" in r.stdout


def test_schulze_table_has_pairwise_matrix() -> None:
    r = tally(str(DATA / "schulze45.json"), "-m", "schulze", "-f", "md")
    assert r.exit_code == 0
    assert "**Pairwise: row over column**" in r.stdout
    assert "| A | - | 20 | 26 | 30 | 22 |" in r.stdout


def test_rejected_ballots_listed_on_stderr_and_in_json() -> None:
    path = DATA / "bad.blt"
    r = tally(str(path), "-f", "json")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [
        f"{path}:3: rejected: unknown candidate number 4 (there are 3 candidates)",
        f'{path}:4: rejected: candidate "A" ranked twice',
        f"{path}:5: rejected: equal preferences '1=2': the methods here need a strict order",
    ]
    out = json.loads(r.stdout)
    assert out["ballots"]["rejected"] == 3 and out["ballots"]["valid"] == 3
    assert out["rejected"][0] == {"line": 3,
                                  "reason": "unknown candidate number 4 (there are 3 candidates)"}


def test_strict_makes_any_rejection_exit_2() -> None:
    r = tally(str(DATA / "bad.blt"), "--strict")
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "3 ballots rejected and --strict was given" in r.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["missing.blt"], "missing.blt: cannot read the file"),
    ([str(DATA / "tennessee.blt"), "--method", "meek"], "Unknown method 'meek'. Use one of: stv"),
    ([str(DATA / "tennessee.blt"), "--quota", "hare"], "Unknown quota 'hare'"),
    ([str(DATA / "tennessee.blt"), "--format", "xml"], "Unknown format 'xml'"),
    ([str(DATA / "tennessee.blt"), "--seats", "0"], "--seats must be at least 1"),
])
def test_bad_input_exits_2_with_a_sentence(args: list[str], message: str) -> None:
    r = tally(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_nothing_valid_to_count(tmp_path: Path) -> None:
    f = tmp_path / "none.blt"
    f.write_text('2 1\n1 3 0\n0\n"A" "B" "T"\n', encoding="utf-8")
    r = tally(str(f))
    assert r.exit_code == 2
    assert "nothing valid to count" in r.stderr


def test_output_file_replaced(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    out.write_text("old", encoding="utf-8")
    r = tally(str(DATA / "tennessee.blt"), "-m", "irv", "-f", "json", "-o", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["winners"] == ["Knoxville"]


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    r = tally(str(DATA / "tennessee.blt"), "-o", str(tmp_path))
    assert r.exit_code == 2
    assert "is a folder" in r.stderr


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="/dev/null is not a device")
def test_output_to_a_device_writes_in_place() -> None:
    # Renaming a temporary file over /dev/null would replace the device (run as root).
    r = tally(str(DATA / "tennessee.blt"), "-f", "json", "-o", "/dev/null")
    assert r.exit_code == 0 and r.stdout == ""
    assert Path("/dev/null").is_char_device()


def test_lot_prints_seed_and_replays() -> None:
    path = str(DATA / "droop-stv/SC-Vm-12.blt")
    first = tally(path, "--quota", "hagenbach-bischoff")
    assert first.exit_code == 0
    line = next(ln for ln in first.stdout.splitlines() if "replay with --seed" in ln)
    seed = line.split("replay with --seed ")[1].rstrip(").")
    again = tally(path, "--quota", "hagenbach-bischoff", "--seed", seed)
    assert again.stdout == first.stdout


def test_seats_default_to_blt_header_and_candidates_file() -> None:
    r = tally(str(DATA / "ids.csv"), "--candidates", str(DATA / "cands.txt"), "-m", "plurality",
              "-f", "json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["seats"] == 1 and len(out["winners"]) == 1
    assert r.stderr == f"{DATA / 'ids.csv'}:5: rejected: unknown candidate 'c9'\n"
    sc = json.loads(tally(str(DATA / "droop-stv/SC.blt"), "-f", "json", "--seed", "1").stdout)
    assert sc["seats"] == 4 and len(sc["winners"]) == 4


def test_help_lists_tally() -> None:
    r = runner.invoke(app, ["tally", "--help"])
    assert r.exit_code == 0
    assert "Count ranked ballots" in r.stdout
