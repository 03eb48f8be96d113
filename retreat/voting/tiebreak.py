"""Breaking ties, in the open: by looking back through earlier rounds, by a declared order, by lot.

Rules, in order:
1. If the ballot file declares a tie order (BLT `[tie ...]`, as Droop does), it decides every
   tie: the tied candidate listed first is picked (its surplus goes first, it is defeated
   first, it ranks higher). Nothing else is consulted, so other counters reproduce the result.
2. Otherwise, for round-based methods, look back through the earlier rounds, most recent first,
   for one where the tied candidates' tallies differed; keep those lowest (for a defeat) or
   highest (for an election or a surplus) there; repeat on the rest until one is left.
3. Otherwise, by lot: a `random.Random(seed)` shuffles the tied candidates (sorted by their
   position in the ballot file) and the first is picked. The seed is reported, so replaying
   the count with the same seed repeats every draw.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from fractions import Fraction

from retreat.voting.result import Tie

LOWEST = "lowest"
HIGHEST = "highest"


class TieBreaker:
    """Picks one of several tied candidates and records how."""

    def __init__(
        self,
        names: Sequence[str],
        seed: int,
        tie_order: Sequence[int] | None = None,
    ) -> None:
        self.names = names
        self.seed = seed
        self.tie_order = tuple(tie_order) if tie_order is not None else None
        self._rng = random.Random(seed)
        self.ties: list[Tie] = []

    def pick(
        self,
        tied: Sequence[int],
        purpose: str,
        want: str,
        round_no: int | None = None,
        history: Sequence[Callable[[int], Fraction]] = (),
    ) -> int:
        """One of `tied` (indices); `want` is LOWEST or HIGHEST; history is most recent first."""
        if len(tied) == 1:
            return tied[0]
        names = tuple(self.names[c] for c in sorted(tied))
        if self.tie_order is not None:
            chosen = min(tied, key=self.tie_order.index)
            self._record(round_no, names, purpose, "tie order declared in the ballot file, "
                         "first listed is picked", chosen, None)
            return chosen
        left = sorted(tied)
        for back, tally in enumerate(history):
            values = {c: tally(c) for c in left}
            best = min(values.values()) if want == LOWEST else max(values.values())
            narrowed = [c for c in left if values[c] == best]
            if len(narrowed) < len(left):
                left = narrowed
                if len(left) == 1:
                    where = f"round {round_no - back - 1}" if round_no is not None else "earlier"
                    self._record(round_no, names, purpose,
                                 f"look-back: {want} tally at {where}", left[0], None)
                    return left[0]
        chosen = self.lot(left)
        rule = "by lot" if len(left) == len(tied) else "look-back, then by lot"
        self._record(round_no, names, purpose, rule, chosen, self.seed)
        return chosen

    def lot(self, tied: Sequence[int]) -> int:
        order = sorted(tied)
        self._rng.shuffle(order)
        return order[0]

    def order(
        self, tied: Sequence[int], purpose: str, round_no: int | None = None
    ) -> list[int]:
        """Put tied candidates in an order (best first), by the tie order or by lot."""
        left = list(tied)
        out = []
        while len(left) > 1:
            chosen = self.pick(left, purpose, HIGHEST, round_no)
            out.append(chosen)
            left.remove(chosen)
        return out + left

    def ranking(self, cands: Sequence[int], purpose: str, round_no: int | None = None) -> list[int]:
        """A full order of candidates (best first): the declared tie order, else one lot."""
        names = tuple(self.names[c] for c in sorted(cands))
        if self.tie_order is not None:
            order = [c for c in self.tie_order if c in cands]
            rule, seed = "tie order declared in the ballot file", None
        else:
            order = sorted(cands)
            self._rng.shuffle(order)
            rule, seed = "drawn by lot", self.seed
        self.ties.append(Tie(round_no, names, purpose, rule,
                             " > ".join(self.names[c] for c in order), seed))
        return order

    def _record(
        self, round_no: int | None, names: tuple[str, ...], purpose: str, rule: str,
        chosen: int, seed: int | None,
    ) -> None:
        self.ties.append(Tie(round_no, names, purpose, rule, self.names[chosen], seed))
