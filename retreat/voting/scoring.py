"""Score methods: Borda, approval and plurality; with several seats, the top k.

- borda: with m standing candidates, a ballot gives m points to its first choice, m-1 to its
  second, ..., m-r+1 to its r-th; candidates it leaves unranked get 0 (the convention of
  ranking polls such as Slido's and Loomio's; pref_voting instead gives unranked candidates
  the average of the unused points, which can change the winner on truncated ballots).
- approval: every candidate a ballot ranks gets one point ("tick up to k").
- plurality: the first choice gets one point.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from retreat.voting.ballots import INT64_SAFE, Profile, exact_bincount
from retreat.voting.ranking import tiers_by_score, winners_from_tiers
from retreat.voting.result import Result, Round
from retreat.voting.tiebreak import TieBreaker

RULES = {
    "borda": "Borda: with m candidates, 1st gets m points, 2nd m-1, ...; unranked 0",
    "approval": "approval: one point for every candidate ranked on the ballot",
    "plurality": "plurality: one point for the first choice",
}


def score_method(method: str, profile: Profile, seats: int = 1, seed: int = 0) -> Result:
    names = profile.candidates
    standing = profile.eligible
    if method not in RULES:
        raise ValueError(f"unknown score method {method!r}")
    n_cand = len(names)
    total = profile.valid_count
    # a candidate gets at most len(standing) points from each ballot: int64 holds the scores
    wide = max(len(standing), 1) * total >= INT64_SAFE
    totals = np.zeros(n_cand, dtype=object if wide else np.int64)
    for rows, weights in profile.blocks():
        width = 1 if method == "plurality" else rows.shape[1]
        keys = rows[:, :width].astype(np.int64) + np.arange(width)[None, :] * n_cand
        by_place = exact_bincount(keys.ravel(), np.repeat(weights, width), width * n_cand,
                                  total).reshape(width, n_cand)
        points = np.array([len(standing) - p if method == "borda" else 1 for p in range(width)],
                          dtype=totals.dtype)
        totals = totals + (points[:, None] * by_place.astype(totals.dtype)).sum(axis=0)
    score = [int(v) for v in totals.tolist()]
    tb = TieBreaker(names, seed, profile.tie_order)
    tiers = tiers_by_score(standing, score)
    winners = winners_from_tiers(tiers, seats, tb)
    rnd = Round(1, {names[c]: Fraction(score[c]) for c in standing},
                elected=[names[c] for c in winners], note=RULES[method])
    return Result(
        method=method, seats=seats, candidates=names, winners=[names[c] for c in winners],
        ranking=[[names[c] for c in t] for t in tiers], rounds=[rnd], ties=tb.ties,
        rule=RULES[method], valid=profile.valid_count,
    )

