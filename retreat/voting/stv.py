"""Single transferable vote: weighted inclusive Gregory method, exact fractions.

The rule, round by round (it is Droop's generic WIGM rule, with our tie-breaking):
1. Quota: Droop floor(N/(k+1))+1, elected on reaching it (>=); or Hagenbach-Bischoff N/(k+1),
   exact, elected on exceeding it (>) as in the PR Foundation's reference WIGM rule. N is the
   number (total weight) of valid, non-empty ballots, k the number of seats.
2. Every hopeful candidate with a quota is elected (highest tally first).
3. If an elected candidate's surplus is still untransferred, the largest one (ties: look back,
   then lot) is transferred: every ballot in the pile goes on to its next hopeful preference at
   value x surplus / tally (weighted inclusive Gregory). One surplus per round, so surpluses
   created by transfers compete with older ones.
4. Otherwise the hopeful candidate with the lowest tally (ties: look back, then lot) is defeated
   and all its ballots go on at their current values.
5. The count stops when every seat is filled, or when no more hopefuls remain than seats: they
   are all elected.
"""

from __future__ import annotations

from fractions import Fraction

from retreat.voting.ballots import Profile
from retreat.voting.piles import Piles
from retreat.voting.result import Result, Round, Transfer
from retreat.voting.tiebreak import HIGHEST, LOWEST, TieBreaker

DROOP = "droop"
HAGENBACH_BISCHOFF = "hagenbach-bischoff"
QUOTAS = (DROOP, HAGENBACH_BISCHOFF)


def quota_for(rule: str, ballots: int, seats: int) -> Fraction:
    if rule == DROOP:
        return Fraction(ballots // (seats + 1) + 1)
    if rule == HAGENBACH_BISCHOFF:
        return Fraction(ballots, seats + 1)
    raise ValueError(f"unknown quota {rule!r}; expected one of {', '.join(QUOTAS)}")


class _Count:
    def __init__(self, profile: Profile, seats: int, quota_rule: str, seed: int) -> None:
        self.names = profile.candidates
        self.standing = profile.eligible
        self.seats = seats
        self.quota = quota_for(quota_rule, profile.valid_count, seats)
        self.strict = quota_rule == HAGENBACH_BISCHOFF
        self.piles = Piles(profile.blocks(), len(self.names), self.standing)
        self.tb = TieBreaker(self.names, seed, profile.tie_order)
        self.hopeful = list(self.standing)
        self.elected: list[int] = []
        self.pending: list[tuple[int, int]] = []  # (candidate, round elected)
        self.history: list[list[Fraction]] = []
        self.rounds: list[Round] = []

    def has_quota(self, c: int) -> bool:
        v = self.piles.tally[c]
        return v > self.quota if self.strict else v >= self.quota

    def seats_left(self) -> int:
        return self.seats - len(self.elected)

    def looking_back(self) -> list[list[Fraction]]:
        return self.history[::-1]

    def by_tally(self, cands: list[int], purpose: str, no: int) -> list[int]:
        """Highest tally first; equal tallies ordered by the tie rules."""
        out: list[int] = []
        left = sorted(cands, key=lambda c: -self.piles.tally[c])
        while left:
            top = [c for c in left if self.piles.tally[c] == self.piles.tally[left[0]]]
            while top:
                c = self.tb.pick(top, purpose, HIGHEST, no, self._history_fns())
                out.append(c)
                top.remove(c)
                left.remove(c)
        return out

    def _history_fns(self) -> list[Tally]:
        return [Tally(s) for s in self.looking_back()]

    def run(self) -> Result:
        while len(self.hopeful) > self.seats_left() > 0:
            no = len(self.rounds) + 1
            snap = list(self.piles.tally)
            rnd = Round(no, self._tallies(snap), quota=self.quota,
                        exhausted=self.piles.exhausted)
            self.rounds.append(rnd)
            reached = [c for c in self.hopeful if self.has_quota(c)]
            for c in self.by_tally(reached, "order of election", no):
                self._elect(c, no, rnd)
            # a candidate elected with exactly a quota has no surplus to transfer
            self.pending = [(c, r) for c, r in self.pending if self.piles.tally[c] > self.quota]
            if len(self.hopeful) > self.seats_left() > 0:
                if self.pending:
                    self._surplus(no, rnd)
                else:
                    self._defeat(no, rnd)
            self.history.append(snap)
        self._finish()
        return self._result()

    def _tallies(self, snap: list[Fraction]) -> dict[str, Fraction]:
        return {self.names[c]: snap[c] for c in self.standing}

    def _elect(self, c: int, no: int, rnd: Round) -> None:
        self.hopeful.remove(c)
        self.piles.close(c)
        self.elected.append(c)
        self.pending.append((c, no))
        rnd.elected.append(self.names[c])

    def _surplus(self, no: int, rnd: Round) -> None:
        top = max(self.piles.tally[c] for c, _ in self.pending)
        tied = [(c, r) for c, r in self.pending if self.piles.tally[c] == top]
        if len({r for _, r in tied}) == 1:
            c = tied[0][0]  # same round: their order of election was already decided
        else:
            c = self.tb.pick([c for c, _ in tied], "order of surplus transfer", HIGHEST, no,
                             self._history_fns())
        self.pending = [(p, r) for p, r in self.pending if p != c]
        total = self.piles.tally[c]
        surplus = total - self.quota
        if surplus <= 0:
            rnd.note = f"{self.names[c]} has no surplus to transfer"
            return
        ratio = surplus / total
        moved, exhausted = self.piles.transfer(c, ratio)
        self.piles.tally[c] = self.quota
        rnd.transfers.append(Transfer(self.names[c], "surplus", ratio, self._named(moved),
                                      exhausted))
        rnd.note = f"surplus of {self.names[c]} ({_show(surplus)}) transferred"

    def _defeat(self, no: int, rnd: Round) -> None:
        low = min(self.piles.tally[c] for c in self.hopeful)
        tied = [c for c in self.hopeful if self.piles.tally[c] == low]
        c = self.tb.pick(tied, "defeat", LOWEST, no, self._history_fns())
        self.hopeful.remove(c)
        self.piles.close(c)
        moved, exhausted = self.piles.transfer(c, Fraction(1))
        rnd.eliminated.append(self.names[c])
        rnd.transfers.append(Transfer(self.names[c], "elimination", Fraction(1),
                                      self._named(moved), exhausted))
        rnd.note = f"{self.names[c]} has the lowest tally ({_show(low)}) and is defeated"

    def _finish(self) -> None:
        if not self.hopeful:
            return
        no = len(self.rounds) + 1
        rnd = Round(no, self._tallies(self.piles.tally), quota=self.quota,
                    exhausted=self.piles.exhausted)
        self.rounds.append(rnd)
        if self.seats_left() > 0:
            for c in self.by_tally(list(self.hopeful), "order of election", no):
                self._elect(c, no, rnd)
            rnd.note = "no more hopeful candidates than seats left: all are elected"
        else:
            rnd.note = "all seats are filled"

    def _named(self, moved: dict[int, Fraction]) -> dict[str, Fraction]:
        return {self.names[c]: v for c, v in sorted(moved.items())}

    def _result(self) -> Result:
        return Result(
            method="stv", seats=self.seats, candidates=self.names,
            winners=[self.names[c] for c in self.elected], ranking=None, rounds=self.rounds,
            ties=self.tb.ties, quota=self.quota, valid=self.piles.total,
            exhausted=self.piles.exhausted,
            rule=("STV, weighted inclusive Gregory, exact fractions; quota "
                  + ("Hagenbach-Bischoff N/(k+1), to be exceeded" if self.strict
                     else "Droop floor(N/(k+1))+1, to be reached")),
        )


class Tally:
    """A past round's tallies, looked up by candidate (for the look-back tie rule)."""

    def __init__(self, values: list[Fraction]) -> None:
        self.values = values

    def __call__(self, c: int) -> Fraction:
        return self.values[c]


def _show(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{float(v):.4f}"


def stv(profile: Profile, seats: int, quota: str = DROOP, seed: int = 0) -> Result:
    """Count by STV; see the module docstring for the exact rule."""
    return _Count(profile, seats, quota, seed).run()
