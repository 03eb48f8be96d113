"""From scores or a dominance relation to tiers, and from tiers to winners.

Tiers are groups of candidates the method cannot separate. Ties are broken only where they
decide who wins (at the seat boundary), by the declared tie order or by lot, and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

from retreat.voting.tiebreak import TieBreaker


def tiers_by_score(cands: Sequence[int], score: Sequence[Fraction | int]) -> list[list[int]]:
    """Highest score first; equal scores share a tier (in ballot-file order)."""
    values = sorted({score[c] for c in cands}, reverse=True)
    return [[c for c in cands if score[c] == v] for v in values]


def tiers_by_relation(cands: Sequence[int], beats: Callable[[int, int], bool]) -> list[list[int]]:
    """Repeatedly take the candidates no remaining candidate beats (needs an acyclic relation)."""
    left = list(cands)
    out = []
    while left:
        top = [a for a in left if not any(beats(b, a) for b in left if b != a)]
        if not top:  # a cycle: cannot happen for Schulze or locked ranked pairs, kept safe
            top = list(left)
        out.append(top)
        left = [c for c in left if c not in top]
    return out


def winners_from_tiers(
    tiers: list[list[int]], seats: int, tb: TieBreaker, purpose: str = "seat boundary"
) -> list[int]:
    """The first `seats` candidates; a tier straddling the boundary is ordered by the tie rule."""
    winners: list[int] = []
    for tier in tiers:
        room = seats - len(winners)
        if room <= 0:
            break
        if len(tier) <= room:
            winners.extend(tier)
        else:
            winners.extend(tb.order(tier, purpose)[:room])
    return winners
