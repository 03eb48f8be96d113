"""Condorcet methods: Schulze and ranked pairs; with several seats, the top k of their ranking.

Pairwise counts: d[a][b] is the number of voters ranking a above b. On a truncated ballot a
ranked candidate is above every unranked one, and unranked candidates are tied with each other
(they count for neither side).

- schulze: the strength of a direct link a->b is d[a][b] if d[a][b] > d[b][a] (winning
  votes), else none; a path is as strong as its weakest link; a beats b if the strongest path
  from a to b is stronger than the strongest path from b to a (Schulze 2011).
- ranked_pairs (Tideman): pairs a>b with d[a][b] > d[b][a], in order of decreasing margin
  d[a][b] - d[b][a], are locked in unless they would close a cycle. Pairs with equal margins
  that conflict are taken in the order of a tie-break ranking of candidates (the declared tie
  order, else drawn by lot): pairs whose winner ranks higher first, then whose loser ranks lower.
The ranking: repeatedly, the candidates no remaining candidate beats (or has a locked pair over).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from retreat.voting.ballots import INT64_SAFE, CandArray, IntArray, Profile, exact_bincount
from retreat.voting.ranking import tiers_by_relation, winners_from_tiers
from retreat.voting.result import Result, Round
from retreat.voting.tiebreak import TieBreaker

Matrix = list[list[int]]
PAIRS_AT_ONCE = 1 << 18  # cells of pair keys built at a time


def pairwise(profile: Profile) -> Matrix:
    """d[a][b]: how many voters (by weight) rank a above b (ranked above unranked).

    Block by block (rankings of one length L), whichever is cheaper:
    - by places: each row's place of every candidate (unranked: L), compared pairwise;
      rows x candidates**2 work, in slices of bounded size;
    - by pairs: a ballot ranking a puts a above every candidate except those it ranks
      higher, so d[a][b] = S[a] - c[b][a], where S[a] is the weight of ballots ranking a and
      c[b][a] that of ballots ranking b above a: rows x L**2 work, memory in bounded slices.
    Either way memory follows the ballots, never rows x longest ranking; sums are exact.
    """
    n_cand = len(profile.candidates)
    total = profile.valid_count
    wide = total >= INT64_SAFE
    d = np.zeros((n_cand, n_cand), dtype=object if wide else np.int64)
    ranks = np.zeros(n_cand, dtype=d.dtype)
    above = np.zeros(n_cand * n_cand, dtype=d.dtype)
    for rows, weights in profile.blocks():
        width = rows.shape[1]
        pairs = width * (width - 1) // 2
        if not wide and weights.dtype != object and n_cand * n_cand < 3 * pairs:
            d += _by_places(rows, weights, n_cand)
            continue
        ranks = ranks + exact_bincount(rows.ravel(), np.repeat(weights, width), n_cand, total)
        if width < 2:
            continue
        first, second = np.triu_indices(width, 1)
        step = max(1, PAIRS_AT_ONCE // pairs)
        for lo in range(0, len(rows), step):
            part = rows[lo : lo + step]
            keys = (part[:, first].astype(np.int64) * n_cand + part[:, second]).ravel()
            w = np.repeat(weights[lo : lo + step], pairs)
            above = above + exact_bincount(keys, w, n_cand * n_cand, total)
    s = [int(v) for v in ranks.tolist()]
    c = [int(v) for v in above.tolist()]
    return [[int(d[a, b]) + s[a] - c[b * n_cand + a] if a != b else 0 for b in range(n_cand)]
            for a in range(n_cand)]


def _by_places(rows: CandArray, weights: IntArray, n_cand: int) -> IntArray:
    """d for rankings of one length, from each row's place of every candidate (int64: the
    caller knows the total weight fits)."""
    width = rows.shape[1]
    d = np.zeros((n_cand, n_cand), dtype=np.int64)
    step = max(1, PAIRS_AT_ONCE // (n_cand * n_cand))
    for lo in range(0, len(rows), step):
        part = rows[lo : lo + step]
        place = np.full((len(part), n_cand), width, dtype=np.int16 if width < 2**15 else
                        np.int64)
        place[np.arange(len(part))[:, None], part] = np.arange(width)
        higher = place[:, :, None] < place[:, None, :]
        d += np.tensordot(weights[lo : lo + step], higher, axes=(0, 0)).astype(np.int64)
    return d


def strongest_paths(d: Matrix, cands: Sequence[int]) -> dict[tuple[int, int], int]:
    p = {(a, b): (d[a][b] if d[a][b] > d[b][a] else 0) for a in cands for b in cands if a != b}
    for k in cands:
        for a in cands:
            if a == k:
                continue
            for b in cands:
                if b not in (a, k):
                    p[a, b] = max(p[a, b], min(p[a, k], p[k, b]))
    return p


def schulze(profile: Profile, seats: int = 1, seed: int = 0) -> Result:
    d = pairwise(profile)
    cands = profile.eligible
    p = strongest_paths(d, cands)
    tiers = tiers_by_relation(cands, lambda a, b: p[a, b] > p[b, a])
    wins = {c: sum(1 for o in cands if o != c and p[c, o] > p[o, c]) for c in cands}
    return _result("schulze", profile, seats, seed, d, tiers, wins,
                   "Schulze: winning votes, strongest paths; ties on truncated ballots: "
                   "unranked candidates below ranked ones, tied with each other")


def ranked_pairs(profile: Profile, seats: int = 1, seed: int = 0) -> Result:
    d = pairwise(profile)
    cands = profile.eligible
    names = profile.candidates
    tb = TieBreaker(names, seed, profile.tie_order)
    margins = sorted({d[a][b] - d[b][a] for a in cands for b in cands if d[a][b] > d[b][a]},
                     reverse=True)
    locked: dict[int, set[int]] = {c: set() for c in cands}
    tbrc: list[int] | None = None
    for m in margins:
        group = [(a, b) for a in cands for b in cands if d[a][b] - d[b][a] == m]
        if _conflicts(locked, group):
            if tbrc is None:
                tbrc = tb.ranking(list(cands), "tie-break ranking for pairs of equal margin")
            group.sort(key=lambda ab: (tbrc.index(ab[0]), -tbrc.index(ab[1])))
        for a, b in group:
            if not _reaches(locked, b, a):
                locked[a].add(b)
    tiers = tiers_by_relation(cands, lambda a, b: b in locked[a])
    wins = {c: len(locked[c]) for c in cands}
    res = _result("ranked_pairs", profile, seats, seed, d, tiers, wins,
                  "ranked pairs (Tideman): lock pairs by decreasing margin, skip cycles; "
                  "unranked candidates below ranked ones, tied with each other", tb)
    return res


def _reaches(locked: dict[int, set[int]], start: int, goal: int) -> bool:
    seen, stack = {start}, [start]
    while stack:
        x = stack.pop()
        if x == goal:
            return True
        for b in locked[x] - seen:
            seen.add(b)
            stack.append(b)
    return False


def _conflicts(locked: dict[int, set[int]], group: list[tuple[int, int]]) -> bool:
    """Would the order within this equal-margin group matter? (Some pair would be skipped.)"""
    trial = {c: set(v) for c, v in locked.items()}
    for a, b in group:
        if _reaches(trial, b, a):
            return True
        trial[a].add(b)
    return False


def _result(
    method: str, profile: Profile, seats: int, seed: int, d: Matrix, tiers: list[list[int]],
    wins: dict[int, int], rule: str, tb: TieBreaker | None = None,
) -> Result:
    names = profile.candidates
    tb = tb or TieBreaker(names, seed, profile.tie_order)
    winners = winners_from_tiers(tiers, seats, tb)
    cands = profile.eligible
    rnd = Round(
        1, {names[c]: Fraction(wins[c]) for c in cands}, elected=[names[c] for c in winners],
        note="tallies: how many candidates each one beats",
        pairwise={names[a]: {names[b]: d[a][b] for b in cands if b != a} for a in cands},
    )
    return Result(
        method=method, seats=seats, candidates=names, winners=[names[c] for c in winners],
        ranking=[[names[c] for c in t] for t in tiers], rounds=[rnd], ties=tb.ties, rule=rule,
        valid=profile.valid_count,
    )
