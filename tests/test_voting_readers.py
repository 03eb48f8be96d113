"""Ballot readers: BLT (read and write), CSV in three layouts, JSON, candidate files."""

from __future__ import annotations

from pathlib import Path

import pytest

from retreat.errors import BallotError
from retreat.voting import read_ballots
from retreat.voting.blt import read_blt, write_blt
from retreat.voting.csvjson import read_candidates

DATA = Path(__file__).parent / "data" / "ballots"


def text(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_blt_reads_weights_names_title_and_seats() -> None:
    p = read_blt(text("droop-stv/42.blt"), "42.blt")
    assert p.candidates == ("Castor", "Pollux", "Helen")
    assert p.seats == 2 and p.title == "Pollux and Helen should tie"
    assert p.ballots() == [((0, 1), 4), ((2,), 2)]
    assert list(p.lines) == [2, 3]


def test_blt_rejections_carry_line_and_reason() -> None:
    p = read_blt(text("bad.blt"), "bad.blt")
    assert [(r.line, r.reason) for r in p.rejected] == [
        (3, "unknown candidate number 4 (there are 3 candidates)"),
        (4, 'candidate "A" ranked twice'),
        (5, "equal preferences '1=2': the methods here need a strict order"),
    ]
    assert p.ballots() == [((0, 1), 2), ((2, 1), 1)]
    assert p.rejected_count == 3


def test_blt_options_ids_withdrawn_bom_and_trailing_text() -> None:
    src = ('\ufeff3 2\n[withdrawn 2]\n[nick a b c]\n[tie 3 1 2]\n(id-1) 1 2 3 0\n(id 2) 3 0\n'
           '1 2 0\n0\n"A b" "B"\n"C"\n"Title"\nanything here is ignored "x"\n')
    p = read_blt(src, "o.blt")
    assert p.withdrawn == frozenset({1}) and p.tie_order == (2, 0, 1)
    assert p.ballots() == [((0, 2), 1), ((2,), 1)]
    assert p.rejected[0].line == 7 and "empty" in p.rejected[0].reason
    assert p.warnings == ["o.blt:3: option line '[nick a b c]' is not supported and was ignored."]
    assert p.candidates == ("A b", "B", "C") and p.title == "Title"


def test_blt_with_bom_and_cjk_names() -> None:
    p = read_ballots((DATA / "bom.blt").read_text(encoding="utf-8"), "bom.blt")
    assert p.candidates == ("甲", "乙")
    assert p.ballots() == [((0, 1), 1), ((1,), 1), ((1, 0), 1)]


@pytest.mark.parametrize(("src", "message"), [
    ("", "empty"),
    ("x y\n", "expected the BLT header"),
    ("2 1\n1 1 0\n", "no end-of-ballots line"),
    ("2 1\n1 1 0\n0\n\"A\"\n", "declares 2 candidates but 1 quoted names"),
    ("2 1\n[tie 1]\n1 1 0\n0\n\"A\" \"B\"\n", "[tie] line must list each"),
    ("2 1\n1 1 0\n0\n\"A\" \"A\"\n", "appears twice"),
])
def test_blt_file_level_errors(src: str, message: str) -> None:
    with pytest.raises(BallotError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_blt(src, "e.blt")


def test_blt_write_round_trips() -> None:
    original = read_blt(text("droop-stv/42t.blt"), "42t.blt")
    again = read_blt(write_blt(original), "w.blt")
    assert again.ballots() == original.ballots()
    assert again.candidates == original.candidates and again.seats == 2
    assert again.tie_order == original.tie_order and again.title == original.title


def test_fast_and_slow_blt_paths_agree() -> None:
    lines = [f"{1 + i % 3} {1 + i % 5} {1 + (i + 2) % 5} 0" for i in range(50)]
    fast = read_blt("5 1\n" + "\n".join(lines) + '\n0\n"a" "b" "c" "d" "e" "t"\n')
    slow = read_blt("5 1\n" + "\n".join(lines[:-1]) + f"\n(x) {lines[-1][2:]}"
                    + '\n0\n"a" "b" "c" "d" "e" "t"\n')
    assert fast.ballots()[:-1] == slow.ballots()[:-1]
    assert list(fast.lines) == list(slow.lines)


def test_csv_rank_columns_with_weight_and_gap() -> None:
    src = "rank 1,rank 2,rank 3,weight\nA,B,C,2\nB,,C,1\nC,A,,1\nA,A,,1\nB,C,A,x\n"
    p = read_ballots(src, "r.csv")
    assert p.candidates == ("A", "B", "C")
    assert p.ballots() == [((0, 1, 2), 2), ((2, 0), 1)]
    assert [(r.line, r.reason) for r in p.rejected] == [
        (3, "gap in rank numbers: rank 2 is empty but a later rank is filled"),
        (5, 'candidate "A" ranked twice'),
        (6, "weight 'x' is not a whole number of at least 1"),
    ]
    assert "pass --candidates" in p.warnings[0]


def test_csv_one_column_per_candidate_form_export() -> None:
    p = read_ballots(text("projects.csv"), "projects.csv")
    assert p.candidates == ("社区食堂", "社区客厅", "养老服务联盟")
    assert p.ballots() == [((0, 1, 2), 1), ((1, 0), 1), ((0,), 1)]
    assert p.groups == ("一组", "一组", "二组")
    assert [(r.line, r.reason) for r in p.rejected] == [
        (5, 'candidates "社区食堂" and "社区客厅" share rank 1 (equal preferences are not counted)'),
        (6, "gap in rank numbers: 1, 3 (expected 1, 2, 3, ...)"),
        (7, "empty ballot (no candidate ranked)"),
    ]


def test_csv_ranking_cell_with_candidate_ids() -> None:
    cands = read_candidates(text("cands.txt"), "cands.txt")
    assert cands.names == ["Community canteen", "Community living room", "Elderly-care alliance"]
    p = read_ballots(text("ids.csv"), "ids.csv", text("cands.txt"), "cands.txt")
    assert p.ballots() == [((0, 1, 2), 1), ((1, 0), 1), ((2,), 1)]
    assert [(r.line, r.reason) for r in p.rejected] == [(5, "unknown candidate 'c9'")]
    assert p.warnings == []


def test_candidates_one_per_line_and_duplicates() -> None:
    assert read_candidates("甲\n乙\n\n丙\n").names == ["甲", "乙", "丙"]
    with pytest.raises(BallotError, match="listed twice"):
        read_candidates("A\nA\n", "c.txt")


def test_json_plain_and_object_ballots() -> None:
    p = read_ballots(text("schulze45.json"), "s.json")
    assert p.valid_count == 45 and p.candidates == ("A", "B", "C", "D", "E")
    src = ('{"candidates": ["A", "B"], "seats": 1, "ballots": [["A", "B"], {"ranking": [2], '
           '"weight": 3, "group": "g"}, ["Z"], {"ranking": "B>A"}, 7, {"ranking": ["A"], '
           '"weight": 0}]}')
    p = read_ballots(src, "x.json")
    assert p.ballots() == [((0, 1), 1), ((1,), 3), ((1, 0), 1)]
    assert [(r.line, r.reason) for r in p.rejected] == [
        (3, "unknown candidate 'Z'"),
        (5, "a ballot must be a list of candidate names or numbers"),
        (6, "weight '0' is not a whole number of at least 1"),
    ]
    assert p.seats == 1


def test_json_syntax_error_names_line_and_column() -> None:
    with pytest.raises(BallotError, match=r"x.json:2:1: not valid JSON"):
        read_ballots('{"ballots": [\n}', "x.json")


def test_format_sniffed_without_extension() -> None:
    assert read_ballots(text("tennessee.blt"), "stdin").candidates[0] == "Memphis"
    assert read_ballots('{"ballots": [["x"]]}', "stdin").candidates == ("x",)
    assert read_ballots("ranking\nx>y\n", "stdin").candidates == ("x", "y")


def test_blt_names_replaced_by_candidates_file_only_when_counts_match() -> None:
    p = read_ballots(text("droop-stv/42.blt"), "42.blt", "甲\n乙\n丙\n")
    assert p.candidates == ("甲", "乙", "丙")
    with pytest.raises(BallotError, match="lists 2 candidates"):
        read_ballots(text("droop-stv/42.blt"), "42.blt", "甲\n乙\n")


# --- reading as a stream, aggregated (issue 12) -----------------------------------------


def chunked(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def same(a, b) -> None:
    assert a.candidates == b.candidates and a.title == b.title and a.seats == b.seats
    assert a.ballots() == b.ballots() and list(a.lines) == list(b.lines)
    assert a.rejected == b.rejected and a.warnings == b.warnings
    assert a.withdrawn == b.withdrawn and a.tie_order == b.tie_order and a.groups == b.groups


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir() if p.is_file())
                         + sorted(f"droop-stv/{p.name}" for p in (DATA / "droop-stv").glob("*.blt")))
@pytest.mark.parametrize("size", [1, 7, 4096])
def test_chunks_of_any_size_read_as_the_whole_text(name: str, size: int) -> None:
    whole = text(name)
    if name.endswith(".txt"):
        return
    for variant in (whole, whole.replace("\n", "\r\n"), "\ufeff" + whole.removeprefix("\ufeff")):
        same(read_ballots(chunked(variant, size), name), read_ballots(whole, name))


def test_aggregate_merges_equal_rankings_and_still_reports_each_bad_line() -> None:
    src = ("4 1\n-4\n1 1 2 0\n2 1  2 0\n(b1) 1 2 0\n1 2 0\n3 1 2 4 0\n1 1 2 0\n1 9 0\n"
           "\n1 9 0\n1 4 0\n5 2 0\n0\n\"A\" \"B\" \"C\" \"D\"\n")
    per_ballot = read_blt(src, "a.blt")
    p = read_blt(src, "a.blt", aggregate=True)
    assert p.distinct and not per_ballot.distinct
    # 1 2 (weights 1+2+1+3+1: the withdrawn 4 dropped) and 2 (1+5): one row each
    assert sorted(p.ballots()) == [((0, 1), 8), ((1,), 6)]
    assert p.valid_count == per_ballot.valid_count == 14
    assert [(r.line, r.reason) for r in p.rejected] == [
        (9, "unknown candidate number 9 (there are 4 candidates)"),
        (11, "unknown candidate number 9 (there are 4 candidates)"),
        (12, "empty ballot (no candidate ranked)"),
    ]
    assert p.rejected == per_ballot.rejected
    assert len(p.flat) == 3 and list(p.offsets) == [0, 1, 3]  # shortest first: 2, then 1 2


def test_aggregate_is_the_same_count_across_flushes(monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.voting import blt

    lines = [f"{1 + i % 4} {1 + i % 5} {1 + (i + 1 + i % 3) % 5} 0" for i in range(200)]
    lines[17] = "1 7 0"
    src = "5 2\n" + "\n".join(lines) + '\n0\n"a" "b" "c" "d" "e"\n'
    once = read_blt(chunked(src, 50), aggregate=True)
    monkeypatch.setattr(blt, "FLUSH_AT", 3)
    often = read_blt(chunked(src, 50), aggregate=True)
    assert sorted(often.ballots()) == sorted(once.ballots())
    assert often.rejected == once.rejected and [r.line for r in once.rejected] == [19]
    assert once.valid_count == sum(w for _, w in read_blt(src).ballots())


def test_withdrawn_candidate_ranked_twice_is_named() -> None:
    # Computed after dropping the withdrawn candidate, this was once "empty ballot".
    p = read_blt('3 1\n-1\n1 1 1 2 0\n1 3 1 1 0\n1 2 0\n0\n"A" "B" "C"\n')
    assert [r.reason for r in p.rejected] == ['candidate "A" ranked twice'] * 2


def test_blanks_around_the_end_marker_and_crlf_split_across_chunks() -> None:
    src = '2 1\r\n1 1 2 0\r\n2 2 0\r\n 0 \r\n"A"\r\n"B"\r\n'
    for size in (1, 2, 3, 5):
        p = read_blt(chunked(src, size), aggregate=True)
        assert sorted(p.ballots()) == [((0, 1), 1), ((1,), 2)] and p.candidates == ("A", "B")


def test_a_long_line_is_read_in_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    from retreat.voting import blt

    monkeypatch.setattr(blt, "WINDOW", 64)
    ok = "1 " + " " * 300 + "3 1 2 0"
    twice = "1 " + " ".join(["1"] * 3000) + " 0"
    unknown_late = "1 " + " ".join(["1", "2"] * 1500) + " 9 0"
    syntax_late = "1 " + " ".join(["1", "2"] * 1500) + " 9 x 0"
    zero = "1 " + " ".join(["2"] * 2000) + " 00 0 0"
    src = "\n".join(["3 1", ok, twice, unknown_late, syntax_late, zero, "0", '"A" "B" "C"'])
    p = read_blt(src)
    assert p.ballots() == [((2, 0, 1), 1)]
    assert [r.reason for r in p.rejected] == [
        'candidate "A" ranked twice',
        "unknown candidate number 9 (there are 3 candidates)",
        "'x' is not a candidate number",
        "'0' is not a candidate number",
    ]
