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

from retreat.voting.ballots import PAD, Profile
from retreat.voting.piles import group_identical
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
    rows, weights = group_identical(profile.rankings, profile.weights)
    n_cand = len(names)
    present = rows != PAD
    if method == "borda":
        points = np.where(present, len(standing) - np.arange(rows.shape[1])[None, :], 0)
    elif method == "approval":
        points = present.astype(np.int64)
    elif method == "plurality":
        points = np.zeros(rows.shape, dtype=np.int64)
        points[:, 0] = present[:, 0]
    else:
        raise ValueError(f"unknown score method {method!r}")
    cells = np.where(present, rows, n_cand)
    totals = np.bincount(
        cells.ravel(), weights=(points * weights[:, None]).ravel().astype(np.float64),
        minlength=n_cand + 1,
    )
    score = [int(round(float(v))) for v in totals[:n_cand]]
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

