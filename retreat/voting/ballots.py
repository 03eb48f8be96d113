"""Ballots after reading: a validated, columnar profile and the ballots that were rejected.

A ballot is a strict ranking of candidates, most preferred first, possibly truncated, with a
whole-number weight (a working group's ballot counts as many). Rankings are stored as rows of
candidate indices in one integer matrix, padded with -1, so that 100,000 ballots cost one array,
not 100,000 objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
PAD = -1


@dataclass(frozen=True)
class Rejection:
    """A ballot kept out of the count: where it was (line, or position in a JSON list) and why."""

    line: int
    reason: str
    weight: int = 1


@dataclass
class Profile:
    """Everything a counting method needs, plus what the reader learned on the way."""

    candidates: tuple[str, ...]
    rankings: IntArray
    weights: IntArray
    lines: IntArray
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    withdrawn: frozenset[int] = frozenset()
    seats: int | None = None
    tie_order: tuple[int, ...] | None = None
    title: str = ""
    groups: tuple[str, ...] | None = None

    @property
    def eligible(self) -> tuple[int, ...]:
        """Candidate indices that stand (not withdrawn), in ballot-file order."""
        return tuple(i for i in range(len(self.candidates)) if i not in self.withdrawn)

    @property
    def valid_count(self) -> int:
        return int(self.weights.sum())

    @property
    def rejected_count(self) -> int:
        return sum(r.weight for r in self.rejected)

    def ballots(self) -> list[tuple[tuple[int, ...], int]]:
        """Rankings as tuples with their weights, in file order (for small profiles and tests)."""
        out = []
        for row, w in zip(self.rankings.tolist(), self.weights.tolist(), strict=True):
            out.append((tuple(c for c in row if c != PAD), int(w)))
        return out


def empty_matrix(rows: int = 0, width: int = 1) -> IntArray:
    return np.full((rows, width), PAD, dtype=np.int64)


def rows_to_matrix(rows: Sequence[Sequence[int]]) -> IntArray:
    width = max((len(r) for r in rows), default=0) or 1
    m = empty_matrix(len(rows), width)
    for i, r in enumerate(rows):
        m[i, : len(r)] = r
    return m


def build_profile(
    candidates: Sequence[str],
    matrix: IntArray,
    weights: IntArray,
    lines: IntArray,
    *,
    rejected: list[Rejection] | None = None,
    withdrawn: frozenset[int] = frozenset(),
    groups: Sequence[str] | None = None,
    seats: int | None = None,
    tie_order: tuple[int, ...] | None = None,
    title: str = "",
    warnings: list[str] | None = None,
) -> Profile:
    """Validate rows of 0-based candidate indices (PAD after the last) and build a profile.

    Rows naming an unknown candidate, ranking one twice, or left empty (also after dropping
    withdrawn candidates) are rejected with their line; the others are kept in file order.
    """
    rejected = list(rejected or [])
    n_cand = len(candidates)
    present = matrix != PAD
    bad_number = (present & ((matrix < 0) | (matrix >= n_cand))).any(axis=1)
    srt = np.sort(np.where(present, matrix, -1 - np.arange(matrix.shape[1])), axis=1)
    twice = (srt[:, 1:] == srt[:, :-1]).any(axis=1) if matrix.shape[1] > 1 else bad_number & False
    if withdrawn:
        gone = np.isin(matrix, np.array(sorted(withdrawn), dtype=np.int64))
        if gone.any():
            matrix = _compact(np.where(gone, PAD, matrix))
    empty = (matrix == PAD).all(axis=1)
    bad = bad_number | twice | empty
    for i in np.flatnonzero(bad).tolist():
        reason = _reason(matrix[i], candidates, bool(bad_number[i]), bool(twice[i]))
        rejected.append(Rejection(int(lines[i]), reason, int(weights[i])))
    keep = ~bad
    rejected.sort(key=lambda r: r.line)
    width = int(present[keep].sum(axis=1).max()) if keep.any() else 1
    kept_groups = None
    if groups is not None:
        kept_groups = tuple(g for g, k in zip(groups, keep.tolist(), strict=True) if k)
    return Profile(
        candidates=tuple(candidates),
        rankings=np.ascontiguousarray(matrix[keep][:, : max(width, 1)]),
        weights=weights[keep].astype(np.int64),
        lines=lines[keep].astype(np.int64),
        rejected=rejected,
        withdrawn=withdrawn,
        groups=kept_groups,
        seats=seats,
        tie_order=tie_order,
        title=title,
        warnings=list(warnings or []),
    )


def _compact(matrix: IntArray) -> IntArray:
    """Move the PAD cells of each row to its end, keeping the order of the others."""
    order = np.argsort(matrix == PAD, axis=1, kind="stable")
    return np.take_along_axis(matrix, order, axis=1)


def _reason(row: IntArray, candidates: Sequence[str], bad_number: bool, twice: bool) -> str:
    values = [int(v) for v in row.tolist() if v != PAD]
    if bad_number:
        wrong = next(v for v in values if not 0 <= v < len(candidates))
        return f"unknown candidate number {wrong + 1} (there are {len(candidates)} candidates)"
    if twice:
        seen: set[int] = set()
        for v in values:
            if v in seen:
                return f'candidate "{candidates[v]}" ranked twice'
            seen.add(v)
    return "empty ballot (no candidate ranked)"
