"""IRV, Borda, Schulze, ranked pairs, approval and plurality on published and hand-made examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retreat.voting import METHODS, count, read_ballots
from retreat.voting.ballots import build_profile, rows_to_matrix
from retreat.voting.condorcet import pairwise

DATA = Path(__file__).parent / "data" / "ballots"


def load(name: str):
    return read_ballots((DATA / name).read_text(encoding="utf-8"), name)


def profile_of(rows: list[tuple[list[int], int]], names: str = "ABCDE"):
    return build_profile(
        list(names), rows_to_matrix([r for r, _ in rows]),
        np.array([w for _, w in rows], dtype=np.int64), np.arange(1, len(rows) + 1),
    )


# Source: Wikipedia, "Instant-runoff voting" and "Condorcet method" (Tennessee capital example):
# IRV elects Knoxville, plurality Memphis, Borda and the Condorcet methods Nashville.
@pytest.mark.parametrize(("method", "winner"), [
    ("irv", "Knoxville"), ("plurality", "Memphis"), ("borda", "Nashville"),
    ("schulze", "Nashville"), ("ranked_pairs", "Nashville"),
])
def test_tennessee(method: str, winner: str) -> None:
    result = count(load("tennessee.blt"), method, 1, seed=1)
    assert result.winners == [winner]
    assert result.ties == []


def test_tennessee_irv_rounds() -> None:
    result = count(load("tennessee.blt"), "irv", 1)
    assert [r.eliminated for r in result.rounds] == [["Chattanooga"], ["Nashville"], []]
    assert result.rounds[-1].tallies == {"Memphis": 42, "Nashville": 0, "Chattanooga": 0,
                                         "Knoxville": 58}


def test_tennessee_borda_points() -> None:
    # 4 candidates: 4, 3, 2, 1 points. Nashville: 42*3 + 26*4 + 15*2 + 17*2 = 294.
    result = count(load("tennessee.blt"), "borda", 1)
    assert result.rounds[0].tallies["Nashville"] == 294
    assert result.ranking == [["Nashville"], ["Chattanooga"], ["Memphis"], ["Knoxville"]]


def test_schulze_wikipedia_45_voters() -> None:
    # Source: Wikipedia, "Schulze method", example with 45 voters: ranking E > A > C > B > D;
    # the pairwise count d[A][B] = 20, d[B][A] = 25 (table "pairwise preferences").
    profile = load("schulze45.json")
    result = count(profile, "schulze", 1)
    assert result.winners == ["E"]
    assert result.ranking == [["E"], ["A"], ["C"], ["B"], ["D"]]
    d = pairwise(profile)
    assert (d[0][1], d[1][0]) == (20, 25)
    assert count(profile, "schulze", 3).winners == ["E", "A", "C"]


def test_truncated_ballots_rank_listed_above_unlisted() -> None:
    # A ballot "A" alone says A > B and A > C, and nothing about B vs C.
    d = pairwise(profile_of([([0], 1), ([1, 2], 1)], "ABC"))
    assert d == [[0, 1, 1], [1, 0, 1], [1, 0, 0]]


def test_borda_truncated_convention_unranked_get_zero() -> None:
    # 3 candidates; "A" alone gives A 3 points, B and C 0 (not the average of 2 and 1).
    result = count(profile_of([([0], 1), ([1, 2], 1)], "ABC"), "borda", 1)
    assert result.rounds[0].tallies == {"A": 3, "B": 3, "C": 2}
    assert result.ranking == [["A", "B"], ["C"]]
    assert len(result.ties) == 1 and result.ties[0].seed is not None


def test_approval_counts_every_ranked_candidate_once() -> None:
    result = count(profile_of([([0, 1], 2), ([2], 3), ([1], 1)], "ABC"), "approval", 2)
    assert result.rounds[0].tallies == {"A": 2, "B": 3, "C": 3}
    assert result.winners == ["B", "C"]
    assert result.ties == []  # B and C tie, but both win: nothing to break


def test_ranked_pairs_locks_by_margin() -> None:
    # 5 A>B>C, 4 B>C>A, 2 C>A>B: A>B 7-4 (3), B>C 9-2 (7), C>A 6-5 (1). Lock B>C, A>B; skip C>A.
    rows = [([0, 1, 2], 5), ([1, 2, 0], 4), ([2, 0, 1], 2)]
    result = count(profile_of(rows, "ABC"), "ranked_pairs", 1)
    assert result.winners == ["A"]
    assert result.ranking == [["A"], ["B"], ["C"]]
    schulze = count(profile_of(rows, "ABC"), "schulze", 1)
    assert schulze.winners == ["A"]


def test_irv_first_round_tie_goes_to_lot() -> None:
    # Round 1: A 4, B 3, C 2, D 2: C and D tie for last with no earlier round: lot, seed kept.
    rows = [([0], 4), ([1], 3), ([2], 2), ([3, 2], 1), ([3, 1], 1)]
    result = count(profile_of(rows, "ABCD"), "irv", 1, seed=5)
    assert result.ties[0].round == 1 and result.ties[0].seed == 5
    assert result.ties[0].candidates == ("C", "D")


def test_irv_look_back_decides_second_tie() -> None:
    # Round 1: A 5, B 4, C 3, D 1. D out -> C. Round 2: A 5, B 4, C 4: B and C tie for last;
    # in round 1 C had fewer (3 < 4), so C is eliminated; its ballots go to B: B wins 8-5.
    rows = [([0], 5), ([1], 4), ([2, 1], 3), ([3, 2, 1], 1)]
    result = count(profile_of(rows, "ABCD"), "irv", 1)
    assert result.winners == ["B"]
    assert [t.describe() for t in result.ties] == [
        "elimination: look-back: lowest tally at round 1 -> C"]


def test_repeated_irv_for_several_seats() -> None:
    # Without Knoxville: Memphis 42, Nashville 26, Chattanooga 32 -> Nashville out -> 58.
    result = count(load("tennessee.blt"), "irv", 2)
    assert result.winners == ["Knoxville", "Chattanooga"]
    assert "repeated" in result.rule


@pytest.mark.parametrize("method", METHODS)
def test_every_method_one_candidate_and_more_seats_than_candidates(method: str) -> None:
    one = count(profile_of([([0], 2)], "A"), method, 1)
    assert one.winners == ["A"]
    many = count(profile_of([([0, 1], 2), ([1], 1)], "AB"), method, 4)
    assert sorted(many.winners) == ["A", "B"]


@pytest.mark.parametrize("method", METHODS)
def test_every_method_same_seed_same_lot(method: str) -> None:
    # A perfect tie everywhere: every method must break it, report it and repeat it with a seed.
    rows = [([0, 1, 2], 1), ([1, 2, 0], 1), ([2, 0, 1], 1)]
    a = count(profile_of(rows, "ABC"), method, 1, seed=42)
    b = count(profile_of(rows, "ABC"), method, 1, seed=42)
    assert a.winners == b.winners and len(a.winners) == 1
    assert a.ties and a.ties[-1].seed == 42


def test_unknown_method_and_seats() -> None:
    p = profile_of([([0], 1)], "A")
    with pytest.raises(ValueError, match="unknown method"):
        count(p, "meek", 1)
    with pytest.raises(ValueError, match="seats"):
        count(p, "stv", 0)


# --- exact counts whatever the weights (issue 12) ----------------------------------------


def scaled(rows: list[tuple[list[int], int]], k: int):
    from retreat.voting.ballots import weight_array

    return build_profile(
        list("ABCDE"), rows_to_matrix([r for r, _ in rows]), weight_array([w * k for _, w in rows]),
        np.arange(1, len(rows) + 1),
    )


ROWS = [([0, 1, 2], 5), ([1, 2], 4), ([2, 0], 3), ([3], 2), ([4, 3, 0, 1, 2], 3), ([1], 2),
        ([0, 3], 1), ([2, 4, 1], 3)]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("k", [2**55 + 1, 10**30 + 7])  # past float64's exact range; past int64
def test_huge_weights_count_exactly(method: str, k: int) -> None:
    """Multiplying every weight by k multiplies every tally by k, exactly, and changes no
    winner (STV with the Hagenbach-Bischoff quota, N/(k+1), which scales too)."""
    seats = 2 if method == "stv" else 1
    small = count(scaled(ROWS, 1), method, seats, "hagenbach-bischoff", seed=5)
    big = count(scaled(ROWS, k), method, seats, "hagenbach-bischoff", seed=5)
    assert big.winners == small.winners and big.ranking == small.ranking
    assert big.valid == small.valid * k
    for a, b in zip(small.rounds, big.rounds, strict=True):
        assert b.exhausted == a.exhausted * k
        if a.pairwise is None:
            assert b.tallies == {name: v * k for name, v in a.tallies.items()}
        else:  # Condorcet tallies count the candidates each one beats
            assert b.tallies == a.tallies
            assert b.pairwise == {x: {y: v * k for y, v in row.items()}
                                  for x, row in a.pairwise.items()}


def naive_pairwise(rows: list[tuple[list[int], int]], n: int) -> list[list[int]]:
    d = [[0] * n for _ in range(n)]
    for ranking, w in rows:
        place = {c: i for i, c in enumerate(ranking)}
        for a in range(n):
            for b in range(n):
                if a != b and a in place and place[a] < place.get(b, n):
                    d[a][b] += w
    return d


@pytest.mark.parametrize("seed", range(6))
def test_pairwise_by_places_and_by_pairs_agree_with_the_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    rows = [(rng.permutation(n)[: int(rng.integers(1, n + 1))].tolist(), int(rng.integers(1, 9)))
            for _ in range(int(rng.integers(1, 60)))]
    profile = build_profile([str(c) for c in range(n)], rows_to_matrix([r for r, _ in rows]),
                            np.array([w for _, w in rows], dtype=np.int64),
                            np.arange(1, len(rows) + 1))
    assert pairwise(profile) == naive_pairwise(rows, n)
