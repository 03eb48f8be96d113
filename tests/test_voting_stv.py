"""STV: the Droop conformance elections, a published example, and hand-checkable edge cases."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from retreat.voting import count, read_ballots
from retreat.voting.ballots import build_profile, rows_to_matrix

DATA = Path(__file__).parent / "data" / "ballots"
DROOP = DATA / "droop-stv"


def profile_of(rows: list[tuple[list[int], int]], names: str = "ABCDE"):
    return build_profile(
        list(names), rows_to_matrix([r for r, _ in rows]),
        np.array([w for _, w in rows], dtype=np.int64), np.arange(1, len(rows) + 1),
    )


def reference(report: Path) -> tuple[set[str], dict[str, float]]:
    """Winners and their final tallies from a Droop v0.11 report's 'Count Complete' block."""
    text = report.read_text(encoding="utf-8")
    final = text[text.index("Action: Count Complete"):]
    elected = dict(re.findall(r"Elected:\s+(.+?) \(([\d.]+)\)", final))
    return set(elected), {k: float(v) for k, v in elected.items()}


# Source: Droop STV counter (jklundell/droop v0.11) test suite, WIGM rule, rational arithmetic;
# reports in tests/data/ballots/droop-stv/*.wigm-rational.txt.
@pytest.mark.parametrize("name", ["42", "42t", "513", "SC-Vm-12", "SC"])
def test_droop_conformance_same_committee_and_final_tallies(name: str) -> None:
    profile = read_ballots((DROOP / f"{name}.blt").read_text(encoding="utf-8"), f"{name}.blt")
    result = count(profile, "stv", profile.seats or 1, "hagenbach-bischoff", seed=7)
    winners, tallies = reference(DROOP / f"{name}.wigm-rational.txt")
    assert set(result.winners) == winners
    last = result.rounds[-1].tallies
    for cand, value in tallies.items():
        assert float(last[cand]) == pytest.approx(value, abs=1e-9)


def test_conformance_quota_is_exact_and_must_be_exceeded() -> None:
    # 42.blt: quota 6/3 = 2; Pollux and Helen both reach exactly 2 and neither is elected.
    profile = read_ballots((DROOP / "42.blt").read_text(encoding="utf-8"), "42.blt")
    result = count(profile, "stv", 2, "hagenbach-bischoff")
    assert result.quota == 2
    assert result.rounds[1].tallies == {"Castor": 2, "Pollux": 2, "Helen": 2}
    assert result.rounds[1].elected == []
    assert [t.describe() for t in result.ties] == [
        "defeat: look-back: lowest tally at round 1 -> Pollux"]


def test_tie_order_line_decides_like_droop() -> None:
    # 42t.blt carries [tie 3 2 1]: Droop defeats Helen, the first listed of the tied pair.
    profile = read_ballots((DROOP / "42t.blt").read_text(encoding="utf-8"), "42t.blt")
    result = count(profile, "stv", 2, "hagenbach-bischoff")
    assert result.winners == ["Castor", "Pollux"]
    assert result.ties[0].seed is None and "tie order" in result.ties[0].rule


def test_sc_vm_12_transfers_match_droop_to_the_last_digit() -> None:
    # Droop's report: after both surpluses, X 667.167082917083, Y 667.166583416583.
    profile = read_ballots((DROOP / "SC-Vm-12.blt").read_text(encoding="utf-8"), "x.blt")
    result = count(profile, "stv", 3, "hagenbach-bischoff", seed=1)
    after = result.rounds[2].tallies
    assert after["X"] == Fraction(667) + Fraction(669, 4004)
    assert float(after["Y"]) == pytest.approx(667.166583416583, abs=1e-12)
    assert result.quota == Fraction(4003, 4)
    assert {t.seed for t in result.ties} == {1}  # A and B tie in round 1: lot, seed reported


def test_wikipedia_food_example_droop_quota() -> None:
    # Source: Wikipedia, "Single transferable vote", section "Example" (20 voters, 3 seats,
    # Droop quota 6): Chocolate, Oranges and Strawberries are elected.
    profile = read_ballots((DATA / "food.csv").read_text(encoding="utf-8"), "food.csv")
    result = count(profile, "stv", 3)
    assert result.quota == 6
    assert result.winners == ["Chocolate", "Oranges", "Strawberries"]
    first = result.rounds[0]
    assert first.transfers[0].ratio == Fraction(1, 2)
    assert first.transfers[0].to == {"Strawberries": 4, "Hamburgers": 2}
    assert result.rounds[1].eliminated == ["Pears"]


def test_droop_quota_is_reached_not_exceeded() -> None:
    # 7 ballots, 2 seats: quota floor(7/3)+1 = 3; A has exactly 3 and is elected in round 1.
    p = profile_of([([0], 3), ([1], 2), ([2], 2)], "ABC")
    result = count(p, "stv", 2)
    assert result.quota == 3
    assert result.rounds[0].elected == ["A"]


def test_surplus_created_by_a_transfer_goes_first_when_largest() -> None:
    # quota floor(20/3)+1 = 7. A: 12 (surplus 5) -> B gets 5*10/12... B reaches quota by transfer.
    p = profile_of([([0, 1], 10), ([0, 2], 2), ([1], 4), ([2], 2), ([3], 2)], "ABCD")
    result = count(p, "stv", 2)
    assert result.winners == ["A", "B"]
    assert result.rounds[0].note.startswith("surplus of A")
    assert result.rounds[1].elected == ["B"]


def test_all_ballots_exhausted_then_lot_with_seed() -> None:
    # A is elected; the only other preferences are exhausted; B and C tie at 0 in every round.
    p = profile_of([([0], 5)], "ABC")
    one = count(p, "stv", 2, seed=11)
    two = count(p, "stv", 2, seed=11)
    assert one.winners == two.winners and one.winners[0] == "A"
    assert one.exhausted == 5 - one.quota
    assert one.ties and all(t.seed == 11 and "lot" in t.rule for t in one.ties)


def test_more_seats_than_candidates_elects_everyone() -> None:
    p = profile_of([([0, 1], 1), ([1], 1)], "AB")
    result = count(p, "stv", 5)
    assert sorted(result.winners) == ["A", "B"]


def test_one_candidate_and_empty_election() -> None:
    assert count(profile_of([([0], 1)], "A"), "stv", 1).winners == ["A"]
    empty = profile_of([], "AB")
    result = count(empty, "stv", 1, seed=3)
    assert len(result.winners) == 1
    assert result.ties[0].seed == 3


def test_weights_count_as_that_many_ballots() -> None:
    heavy = profile_of([([0, 1], 3), ([1, 0], 2)], "AB")
    flat = profile_of([([0, 1], 1)] * 3 + [([1, 0], 1)] * 2, "AB")
    a, b = count(heavy, "stv", 1), count(flat, "stv", 1)
    assert a.winners == b.winners == ["A"]
    assert a.rounds[0].tallies == b.rounds[0].tallies


def test_withdrawn_candidate_is_skipped() -> None:
    text = "3 1\n-1\n3 1 2 0\n2 3 0\n0\n\"A\" \"B\" \"C\" \"t\"\n"
    result = count(read_ballots(text, "w.blt"), "stv", 1)
    assert result.winners == ["B"]
    assert "A" not in result.rounds[0].tallies


def test_unknown_quota_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown quota"):
        count(profile_of([([0], 1)], "A"), "stv", 1, "hare")
