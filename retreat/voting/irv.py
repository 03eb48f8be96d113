"""Instant runoff (IRV), one elimination at a time; with several seats, repeated IRV.

Each round every ballot counts for its highest-ranked continuing candidate. A candidate with
more than half of the continuing (non-exhausted) votes wins; otherwise the candidate with the
fewest votes is eliminated (ties: look back through earlier rounds, then lot) and its ballots
go to their next continuing preference. With k seats, the count is repeated k times, each
time without the winners so far (every ballot starts again from its first preference).
"""

from __future__ import annotations

from fractions import Fraction

from retreat.voting.ballots import Profile
from retreat.voting.piles import Piles
from retreat.voting.result import Result, Round, Transfer
from retreat.voting.stv import Tally
from retreat.voting.tiebreak import LOWEST, TieBreaker


def irv(profile: Profile, seats: int = 1, seed: int = 0) -> Result:
    """Count by (repeated) instant runoff; see the module docstring for the exact rule."""
    names = profile.candidates
    tb = TieBreaker(names, seed, profile.tie_order)
    winners: list[int] = []
    rounds: list[Round] = []
    exhausted = Fraction(0)
    standing = profile.eligible
    for seat in range(1, min(seats, len(standing)) + 1):
        left = [c for c in standing if c not in winners]
        winner, exhausted = _one_seat(profile, left, tb, rounds, seat if seats > 1 else 0)
        winners.append(winner)
    return Result(
        method="irv", seats=seats, candidates=names, winners=[names[c] for c in winners],
        ranking=None, rounds=rounds, ties=tb.ties, valid=profile.valid_count,
        exhausted=exhausted,
        rule="instant runoff: majority of continuing votes wins; one elimination at a time"
        + ("; repeated for each seat without the winners so far" if seats > 1 else ""),
    )


def _one_seat(
    profile: Profile, left: list[int], tb: TieBreaker, rounds: list[Round], seat: int
) -> tuple[int, Fraction]:
    names = profile.candidates
    piles = Piles(profile.blocks(), len(names), left)
    hopeful = list(left)
    history: list[Tally] = []
    prefix = f"seat {seat}: " if seat else ""
    while True:
        no = len(rounds) + 1
        tally = piles.tally
        rnd = Round(no, {names[c]: tally[c] for c in left}, exhausted=piles.exhausted)
        rounds.append(rnd)
        continuing = sum((tally[c] for c in hopeful), Fraction(0))
        top = max(hopeful, key=lambda c: tally[c])
        if tally[top] * 2 > continuing or len(hopeful) == 1:
            rnd.elected.append(names[top])
            rnd.note = prefix + (
                f"{names[top]} has {tally[top]} of {continuing} continuing votes, a majority"
                if tally[top] * 2 > continuing else f"{names[top]} is the last one left"
            )
            return top, piles.exhausted
        low = min(tally[c] for c in hopeful)
        tied = [c for c in hopeful if tally[c] == low]
        loser = tb.pick(tied, "elimination", LOWEST, no, history[::-1])
        history.append(Tally(list(tally)))
        hopeful.remove(loser)
        piles.close(loser)
        moved, gone = piles.transfer(loser, Fraction(1))
        rnd.eliminated.append(names[loser])
        rnd.transfers.append(Transfer(names[loser], "elimination", Fraction(1),
                                      {names[c]: v for c, v in sorted(moved.items())}, gone))
        rnd.note = prefix + f"no majority; {names[loser]} has the fewest votes ({low})"
