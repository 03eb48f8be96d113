"""Ballot files: exit 0 with a right count, or exit 2 with a sentence; never exit 1 (issue 12).

A corpus of awkward files (tests/data/ballots_bad/), each with the exit code and what it must
say; the huge ones (thousands of digits, a 200,000-character cell, JSON nested 100,000 deep, a
megabyte ballot line) are generated here rather than committed.
"""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from retreat.cli.main import app

BAD = Path(__file__).parent / "data" / "ballots_bad"
runner = CliRunner()


def tally(*args: str):
    return runner.invoke(app, ["tally", *args, "--seed", "1"])


# file -> (exit code, text that must be on stderr, and for exit 0: valid ballots, winners)
CORPUS: dict[str, tuple[int, str, int | None, list[str] | None]] = {
    # int64 overflow: exact integers, whatever their size
    "weight_20_digits.blt": (0, "", 100000000000000000002, ["A"]),
    "weight_20_digits_with_ids.blt": (0, "", 100000000000000000002, ["A"]),
    "weights_sum_past_int64.blt": (0, "", 18446744073709551619, ["B"]),
    "weight_20_digits.csv": (0, "", 100000000000000000000, ["A"]),
    "weight_20_digits.json": (0, "", 100000000000000000000, ["A"]),
    # numbers beyond 64 bits where a candidate number belongs: reported as written
    "candidate_20_digits.blt": (0, ":2: rejected: unknown candidate number 99999999999999999999 "
                                   "(there are 3 candidates)", 1, ["B"]),
    "candidate_20_digits_with_ids.blt": (0, ":2: rejected: unknown candidate number "
                                            "99999999999999999999 (there", 1, ["B"]),
    "candidate_int64_max_plus_1.blt": (0, ":2: rejected: unknown candidate number "
                                          "9223372036854775808 (there", 1, ["B"]),
    "candidate_20_digits.json": (0, ":1: rejected: unknown candidate '99999999999999999999'",
                                 1, ["B"]),
    # superscript digits pass str.isdigit() but not int()
    "superscript_header.blt": (2, ":1: expected the BLT header 'candidates seats' (two whole "
                                  "numbers), found '3 ²'.", None, None),
    "superscript_weight.blt": (0, ":2: rejected: weight '²' is not a whole number", 1, ["B"]),
    "superscript_candidate.blt": (0, ":2: rejected: '²' is not a candidate number", 1, ["B"]),
    "superscript_withdrawn.blt": (2, ":2: '²' is not a candidate number 1..3.", None, None),
    "superscript_weight.csv": (0, ":2: rejected: weight '²' is not a whole number of at least 1",
                               1, ["B"]),
    "superscript_rank.csv": (0, ":2: rejected: rank '²' is not a whole number from 1", 1, ["A"]),
    "superscript_candidate.json": (0, ":1: rejected: unknown candidate '²'", 1, ["A"]),
    "superscript_weight.json": (0, ":1: rejected: weight '²' is not a whole number of at least 1",
                                2, ["B"]),
    # a lone surrogate cannot be printed: refused, or (an unknown name) rejected and escaped
    "lone_surrogate_candidates.json": (2, ": 'A\\ud800' contains \\ud800, half of a UTF-16 "
                                          "surrogate pair", None, None),
    "lone_surrogate_ballot.json": (2, ":2: 'A\\ud800' contains \\ud800", None, None),
    "lone_surrogate_title.json": (2, ": '\\udc00' contains \\udc00", None, None),
    "lone_surrogate_unknown.json": (0, ":2: rejected: unknown candidate 'A\\ud800'", 1, ["B"]),
    # a '0' line with blanks ended the ballots; what follows is not silently dropped
    "stray_end_marker.blt": (2, ":4: expected the candidates' names in quotes after the end of "
                                "the ballots ('0' on line 3), found '1 2 0'.", None, None),
    "too_many_candidates.blt": (2, ":1: the header declares 1001 candidates; at most 1,000 can "
                                   "be counted.", None, None),
    "seats_101_digits.blt": (2, ":1: the number of seats has 101 digits; expected a whole number "
                                "of at most 100 digits.", None, None),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus(name: str) -> None:
    code, says, valid, winners = CORPUS[name]
    r = tally(str(BAD / name), "-f", "json")
    assert r.exit_code == code, r.stderr or r.output
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr
    assert says in r.stderr
    if code == 0:
        out = json.loads(r.stdout)
        assert out["ballots"]["valid"] == valid
        assert out["winners"] == winners
    else:
        assert r.stdout == ""
        assert r.stderr.startswith(str(BAD / name))


def test_every_corpus_file_is_listed() -> None:
    assert sorted(p.name for p in BAD.iterdir()) == sorted(CORPUS)


def test_big_weight_table_shows_the_exact_count() -> None:
    r = tally(str(BAD / "weight_20_digits.blt"))
    assert r.exit_code == 0
    assert "Ballots: 100000000000000000002 valid, 0 rejected." in r.stdout
    assert "Winners: A." in r.stdout


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HUGE = "9" * 5000


@pytest.mark.parametrize(("name", "text", "line"), [
    ("w.blt", f'2 1\n1 1 0\n{HUGE} 1 2 0\n0\n"A"\n"B"\n', 3),
    ("w.csv", f"rank 1,weight\nA,1\nB,{HUGE}\n", 3),
    ("w.json", f'{{"ballots": [["A"], {{"ranking": ["B"], "weight": {HUGE}}}]}}', 2),
])
def test_weight_of_5000_digits_refuses_the_file(tmp_path: Path, name: str, text: str,
                                                 line: int) -> None:
    path = write(tmp_path, name, text)
    r = tally(path)
    assert r.exit_code == 2
    assert r.stderr == (f"{path}:{line}: the weight 99999999999999999999... has 5,000 digits; "
                        "expected a whole number of at most 100 digits.\n")


def test_candidate_number_of_5000_digits_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "c.blt", f'2 1\n1 {HUGE} 0\n1 2 0\n0\n"A"\n"B"\n')
    r = tally(path, "-f", "json")
    assert r.exit_code == 0
    assert r.stderr == (f"{path}:2: rejected: unknown candidate number 99999999999999999999... "
                        "(5,000 digits) (there are 2 candidates)\n")
    json_path = write(tmp_path, "c.json", f'{{"candidates": ["A", "B"], "ballots": [[{HUGE}], '
                                          '[2]]}')
    r = tally(json_path, "-f", "json")
    assert r.exit_code == 0
    assert "1: rejected: unknown candidate '99999999999999999999... (5,000 characters)'" in r.stderr


def test_header_of_5000_digits(tmp_path: Path) -> None:
    r = tally(write(tmp_path, "h.blt", f'{HUGE} 1\n1 1 0\n0\n"A"\n'))
    assert r.exit_code == 2
    assert "the header declares 99999999999999999999... (5,000 digits) candidates" in r.stderr


def test_csv_cell_beyond_the_field_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "cell.csv", "ranking,weight\nA>B,1\n" + "A" * 200_000 + ",1\nB,1\n")
    r = tally(path)
    assert r.exit_code == 2
    assert r.stderr == (f"{path}:3: a cell holds more than 131,072 characters, more than any "
                        "ballot needs; is this really a CSV ballot file?\n")


def test_json_nested_100000_deep(tmp_path: Path) -> None:
    path = write(tmp_path, "deep.json", '{"ballots": ' + "[" * 100_000 + "]" * 100_000 + "}")
    r = tally(path)
    assert r.exit_code == 2
    assert r.stderr == (f"{path}: the JSON is nested too deeply to read; a ballot file needs "
                        "three levels: the object, its list of ballots, and each ballot.\n")


def test_more_than_1000_inferred_candidates(tmp_path: Path) -> None:
    names = [f"N{i}" for i in range(1001)]
    path = write(tmp_path, "many.json", json.dumps({"ballots": [["A"], names]}))
    r = tally(path, "-m", "schulze")
    assert r.exit_code == 2
    assert r.stderr.endswith(f"{path}:2: more than 1,000 different candidates; at most 1,000 "
                             "can be counted (is a separator or a column wrong?).\n")


@pytest.mark.parametrize("method", ["ranked_pairs", "schulze", "stv"])
def test_one_megabyte_line_among_300_ballots_costs_its_size(tmp_path: Path, method: str) -> None:
    """The long line is rejected; memory follows the file, not rows x longest line (which was
    301 x 1,000,000 cells of 8 bytes: 2.4 GB). tracemalloc counts numpy's arrays too."""
    rng = random.Random(3)
    lines = ["5 1", *("1 " + " ".join(map(str, rng.sample(range(1, 6), rng.randint(1, 5))))
                      + " 0" for _ in range(300))]
    lines[150] = "1 " + " ".join(["1", "2"] * 500_000) + " 0"
    path = write(tmp_path, "long.blt", "\n".join([*lines, "0", *'"A" "B" "C" "D" "E"'.split()])
                 + "\n")
    tally(str(BAD / "weight_20_digits.blt"))  # imports done before measuring
    tracemalloc.start()
    try:
        r = tally(path, "-m", method, "-f", "json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.exit_code == 0
    assert r.stderr == f'{path}:151: rejected: candidate "A" ranked twice\n'
    assert json.loads(r.stdout)["ballots"]["valid"] == 299
    assert peak < 10 * Path(path).stat().st_size
