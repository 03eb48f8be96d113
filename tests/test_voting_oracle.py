"""Winners cross-checked against pref_voting (a test-only oracle) on random profiles.

Where our count broke no tie, the winners must be exactly pref_voting's; where it broke one,
ours must be among the winners pref_voting returns (it returns every tied winner).
Conventions are aligned explicitly: truncated ballots use pref_voting's extended strict
preference; Schulze uses winning votes (support) as the link strength; STV uses pref_voting's
weighted inclusive Gregory `stv_wig` with the integer Droop quota; Borda and IRV are compared
on complete rankings, where the truncation conventions cannot differ.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retreat.voting import count
from retreat.voting.ballots import build_profile, rows_to_matrix

pytest.importorskip("pref_voting")


def load_pref_voting() -> None:
    """pref_voting's functions into `pv`, when an oracle test runs rather than when the file is
    collected: the import pulls in matplotlib and pandas, a second that `-m "not slow"` saves."""
    from pref_voting.grade_methods import approval
    from pref_voting.grade_profiles import GradeProfile
    from pref_voting.iterative_methods import instant_runoff, instant_runoff_put
    from pref_voting.margin_based_methods import beat_path, ranked_pairs
    from pref_voting.profiles import Profile
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_wig
    from pref_voting.scoring_methods import borda, plurality

    vars(pv).update(approval=approval, GradeProfile=GradeProfile, instant_runoff=instant_runoff,
                    instant_runoff_put=instant_runoff_put, beat_path=beat_path, ranked_pairs=ranked_pairs,
                    Profile=Profile, ProfileWithTies=ProfileWithTies, stv_wig=stv_wig, borda=borda,
                    plurality=plurality)


pv = SimpleNamespace()

# The oracle is slow to import and to run: kept out of the inner loop.
pytestmark = pytest.mark.slow

RUNS = settings(max_examples=300, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
MIN = 100  # of the 300 profiles each property draws (STV compares about 240 today, the rest all)

# Profiles actually compared with pref_voting by the property running now: a filter that
# came to skip every profile would otherwise leave a green test that checked nothing.
compared = [0]


def oracle(minimum: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Run the Hypothesis property, then fail unless it compared at least `minimum` profiles."""

    def decorate(prop: Callable[[], None]) -> Callable[[], None]:
        def test() -> None:
            load_pref_voting()
            compared[0] = 0
            prop()
            assert compared[0] >= minimum, f"only {compared[0]} profiles were compared with pref_voting"

        test.__name__, test.__qualname__, test.__doc__ = prop.__name__, prop.__qualname__, prop.__doc__
        return test

    return decorate


@st.composite
def elections(draw: st.DrawFn, complete: bool) -> tuple[int, list[tuple[list[int], int]]]:
    m = draw(st.integers(3, 5))
    n = draw(st.integers(1, 10))
    ballots = []
    for _ in range(n):
        order = draw(st.permutations(range(m)))
        length = m if complete else draw(st.integers(1, m))
        ballots.append((list(order[:length]), draw(st.integers(1, 5))))
    return m, ballots


def ours(m: int, ballots: list[tuple[list[int], int]], method: str, seats: int = 1):
    profile = build_profile(
        [str(c) for c in range(m)], rows_to_matrix([b for b, _ in ballots]),
        np.array([w for _, w in ballots], dtype=np.int64), np.arange(1, len(ballots) + 1),
    )
    result = count(profile, method, seats, seed=1)
    return [int(w) for w in result.winners], result.ties


def with_ties(m: int, ballots: list[tuple[list[int], int]]) -> Any:
    p = pv.ProfileWithTies([{c: r + 1 for r, c in enumerate(b)} for b, _ in ballots],
                        [w for _, w in ballots], candidates=list(range(m)))
    p.use_extended_strict_preference()
    return p


def linear(m: int, ballots: list[tuple[list[int], int]]) -> Any:
    return pv.Profile([b for b, _ in ballots], [w for _, w in ballots])


def agree(winners: list[int], ties: list, reference: list[int]) -> None:
    compared[0] += 1
    if ties:
        assert set(winners) <= set(reference)
    else:
        assert sorted(winners) == sorted(reference)


def elected_while_surplus_pending(m: int, ballots, seats: int) -> bool:
    """Did someone reach the quota while an earlier winner's surplus still waited?

    Then the rules differ on purpose: we (and Droop's WIGM) elect at once and transfer one
    surplus per round, largest first; pref_voting's stv_wig first transfers every surplus of
    the earlier stage, so the waiting surplus can still reach the new winner.
    """
    profile = build_profile(
        [str(c) for c in range(m)], rows_to_matrix([b for b, _ in ballots]),
        np.array([w for _, w in ballots], dtype=np.int64), np.arange(1, len(ballots) + 1),
    )
    waiting: set[str] = set()
    for rnd in count(profile, "stv", seats, seed=1).rounds:
        if rnd.elected and waiting:
            return True
        waiting |= {e for e in rnd.elected if rnd.tallies[e] > rnd.quota}
        waiting -= {t.source for t in rnd.transfers if t.kind == "surplus"}
    return False


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=False), st.integers(1, 3))
def test_stv_matches_pref_voting_wig(election, seats: int) -> None:
    m, ballots = election
    seats = min(seats, m - 1)
    winners, ties = ours(m, ballots, "stv", seats)
    if not ties and not elected_while_surplus_pending(m, ballots, seats):
        ref = pv.stv_wig(with_ties(m, ballots), num_seats=seats, quota_rule="droop")
        compared[0] += 1
        assert sorted(winners) == sorted(ref)


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=True))
def test_irv_matches_pref_voting(election) -> None:
    m, ballots = election
    winners, ties = ours(m, ballots, "irv")
    p = linear(m, ballots)
    agree(winners, ties, pv.instant_runoff_put(p) if ties else pv.instant_runoff(p))


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=True))
def test_borda_matches_pref_voting(election) -> None:
    m, ballots = election
    winners, ties = ours(m, ballots, "borda")
    agree(winners, ties, pv.borda(linear(m, ballots)))


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=True))
def test_plurality_matches_pref_voting(election) -> None:
    m, ballots = election
    winners, ties = ours(m, ballots, "plurality")
    agree(winners, ties, pv.plurality(linear(m, ballots)))


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=False))
def test_schulze_matches_pref_voting_beat_path(election) -> None:
    m, ballots = election
    winners, ties = ours(m, ballots, "schulze")
    p = with_ties(m, ballots)
    agree(winners, ties, pv.beat_path(p, strength_function=p.support))


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=False))
def test_ranked_pairs_matches_pref_voting(election) -> None:
    m, ballots = election
    winners, ties = ours(m, ballots, "ranked_pairs")
    agree(winners, ties, pv.ranked_pairs(with_ties(m, ballots)))


@oracle(minimum=MIN)
@RUNS
@given(elections(complete=False))
def test_approval_matches_pref_voting(election) -> None:
    m, ballots = election
    winners, ties = ours(m, ballots, "approval")
    grades = [{c: int(c in b) for c in range(m)} for b, _ in ballots]
    g = pv.GradeProfile(grades, [0, 1], gcounts=[w for _, w in ballots], candidates=list(range(m)))
    agree(winners, ties, pv.approval(g))
