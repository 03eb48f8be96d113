"""Ballot piles for transfer methods (STV, IRV): who holds which ballots, at what value.

Identical rankings are grouped first (one row, summed weight). Each candidate's pile is a list
of parcels: (exact value per ballot, row indices, number of ballots). Moving a parcel finds,
for all its rows at once (numpy), the next candidate still hopeful; only the per-parcel
arithmetic is done in exact fractions, so exactness costs next to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import numpy as np

from retreat.voting.ballots import PAD, IntArray

Parcel = tuple[Fraction, IntArray, int]


def group_identical(rankings: IntArray, weights: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct rows with their summed weights (row order: sorted, deterministic)."""
    if len(rankings) == 0:
        return rankings, weights
    width = rankings.shape[1]
    bits = max(int(rankings.max()) + 2, 2).bit_length()
    if bits * width <= 62:
        # pack each row into one integer: np.unique on 1-D keys is much faster than axis=0
        shifts = np.arange(width, dtype=np.int64) * bits
        keys = ((rankings + 1) << shifts).sum(axis=1)
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        rows = rankings[first]
    else:
        rows, inverse = np.unique(rankings, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=weights, minlength=len(rows))
    return rows, summed.astype(np.int64)


class Piles:
    """The state of a transfer count: piles, tallies and exhausted value."""

    def __init__(
        self, rankings: IntArray, weights: IntArray, n_cand: int, hopeful: Iterable[int]
    ) -> None:
        rows, self.weights = group_identical(rankings, weights)
        self.n_cand = n_cand
        exhausted_col = np.full((len(rows), 1), n_cand, dtype=np.int64)
        # PAD and the extra last column both mean "no further preference" (index n_cand)
        self.rows = np.concatenate([np.where(rows == PAD, n_cand, rows), exhausted_col], axis=1)
        self.cols = np.arange(self.rows.shape[1])
        self.pos = np.full(len(rows), -1, dtype=np.int64)
        self.open = np.zeros(n_cand + 1, dtype=bool)
        self.open[list(hopeful)] = True
        self.open[n_cand] = True
        self.piles: list[list[Parcel]] = [[] for _ in range(n_cand)]
        self.tally: list[Fraction] = [Fraction(0)] * n_cand
        self.exhausted = Fraction(0)
        self.exhausted_ballots = 0
        self._place(np.arange(len(rows)), Fraction(1))

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

    def _place(self, idx: IntArray, value: Fraction) -> None:
        if len(idx) == 0:
            return
        sub = self.rows[idx]
        ok = self.open[sub] & (self.cols[None, :] > self.pos[idx][:, None])
        nxt = ok.argmax(axis=1)
        self.pos[idx] = nxt
        dest = sub[np.arange(len(idx)), nxt]
        order = np.argsort(dest, kind="stable")
        counts = np.bincount(dest, minlength=self.n_cand + 1)
        wsum = np.bincount(dest, weights=self.weights[idx], minlength=self.n_cand + 1)
        bounds = np.concatenate(([0], np.cumsum(counts)))
        for cand in np.flatnonzero(counts).tolist():
            ballots = int(round(float(wsum[cand])))
            if cand == self.n_cand:
                self.exhausted += value * ballots
                self.exhausted_ballots += ballots
                continue
            part = idx[order[bounds[cand] : bounds[cand + 1]]]
            self.piles[cand].append((value, part, ballots))
            self.tally[cand] += value * ballots
