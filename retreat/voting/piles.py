"""Ballot piles for transfer methods (STV, IRV): who holds which ballots, at what value.

The profile's distinct rankings come in blocks of one length (so a long ranking costs its
own length, not every row's). Each candidate's pile is a list of parcels: (exact value per
ballot, row indices, number of ballots). Moving a parcel finds, for all its rows at once
(numpy, block by block), the next candidate still hopeful; only the per-parcel arithmetic is
done in exact fractions, so exactness costs next to nothing. Ballot counts are exact integers
whatever the weights (see ballots.exact_bincount).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import numpy as np

from retreat.voting.ballots import (
    Block,
    IntArray,
    concat_weights,
    exact_bincount,
    exact_sum,
    group_identical,
)

Parcel = tuple[Fraction, IntArray, int]

__all__ = ["Parcel", "Piles", "group_identical"]


class Piles:
    """The state of a transfer count: piles, tallies and exhausted value."""

    def __init__(self, blocks: Sequence[Block], n_cand: int, hopeful: Iterable[int]) -> None:
        blocks = [b for b in blocks if len(b.rows)]
        self.n_cand = n_cand
        # the extra last column means "no further preference" (index n_cand)
        self.mats = [np.concatenate([b.rows, np.full((len(b.rows), 1), n_cand,
                                                     dtype=b.rows.dtype)], axis=1)
                     for b in blocks]
        self.cols = [np.arange(m.shape[1]) for m in self.mats]
        self.starts = np.concatenate(([0], np.cumsum([len(m) for m in self.mats]))).astype(
            np.int64)
        self.weights = concat_weights([b.weights for b in blocks])
        self.total = exact_sum(self.weights)
        rows = int(self.starts[-1])
        self.pos = np.full(rows, -1, dtype=np.int64)
        self.open = np.zeros(n_cand + 1, dtype=bool)
        self.open[list(hopeful)] = True
        self.open[n_cand] = True
        self.piles: list[list[Parcel]] = [[] for _ in range(n_cand)]
        self.tally: list[Fraction] = [Fraction(0)] * n_cand
        self.exhausted = Fraction(0)
        self.exhausted_ballots = 0
        self._place(np.arange(rows, dtype=np.int64), Fraction(1))

    def close(self, cand: int) -> None:
        """The candidate no longer receives ballots (elected, defeated or removed)."""
        self.open[cand] = False

    def transfer(self, cand: int, ratio: Fraction) -> tuple[dict[int, Fraction], Fraction]:
        """Move the whole pile on, each ballot's value multiplied by ratio; returns what went where."""
        by_value: dict[Fraction, list[IntArray]] = {}
        for value, idx, _ in self.piles[cand]:
            by_value.setdefault(value, []).append(idx)
        self.piles[cand] = []
        self.tally[cand] = Fraction(0)
        before = list(self.tally)
        exhausted_before = self.exhausted
        for value in sorted(by_value):
            self._place(np.concatenate(by_value[value]), value * ratio)
        moved = {c: self.tally[c] - before[c] for c in range(self.n_cand)
                 if self.tally[c] != before[c]}
        return moved, self.exhausted - exhausted_before

    def _next(self, idx: IntArray) -> IntArray:
        """Move each row of `idx` (sorted) to its next open preference; return those."""
        dest = np.empty(len(idx), dtype=np.int64)
        cut = np.searchsorted(idx, self.starts).tolist()
        for b, mat in enumerate(self.mats):
            lo, hi = cut[b], cut[b + 1]
            if lo == hi:
                continue
            seg = idx[lo:hi]
            sub = mat[seg - self.starts[b]]
            ok = self.open[sub] & (self.cols[b][None, :] > self.pos[seg][:, None])
            nxt = ok.argmax(axis=1)
            self.pos[seg] = nxt
            dest[lo:hi] = sub[np.arange(len(seg)), nxt]
        return dest

    def _place(self, idx: IntArray, value: Fraction) -> None:
        if len(idx) == 0:
            return
        idx = np.sort(idx)
        dest = self._next(idx)
        order = np.argsort(dest, kind="stable")
        counts = np.bincount(dest, minlength=self.n_cand + 1)
        wsum = exact_bincount(dest, self.weights[idx], self.n_cand + 1, self.total).tolist()
        bounds = np.concatenate(([0], np.cumsum(counts)))
        for cand in np.flatnonzero(counts).tolist():
            ballots = int(wsum[cand])
            if cand == self.n_cand:
                self.exhausted += value * ballots
                self.exhausted_ballots += ballots
                continue
            part = idx[order[bounds[cand] : bounds[cand + 1]]]
            self.piles[cand].append((value, part, ballots))
            self.tally[cand] += value * ballots
