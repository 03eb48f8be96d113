"""Ballots after reading: a validated profile of rankings and the ballots that were rejected.

A ballot is a strict ranking of candidates, most preferred first, possibly truncated, with a
whole-number weight (a working group's ballot counts as many). The rankings of a profile are
stored one after another in one integer array (`flat`, cut at `offsets`): a million ballots
cost a few arrays, not a million objects, and a long ranking costs its own length, never the
longest ranking times the number of ballots. A reader may aggregate (`distinct`): equal
rankings become one row carrying the sum of their weights.

Weights are exact whatever their size: an int64 array while every weight fits, else an array
of Python ints; sums are taken with `exact_bincount`/`exact_sum`, never in floating point
beyond 2**53 nor in int64 beyond 2**63.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
CandArray = npt.NDArray[np.integer[Any]]  # candidate indices, in the smallest integer type
BoolArray = npt.NDArray[np.bool_]
WeightArray = npt.NDArray[Any]  # int64, or object (Python ints) when a weight passes int64
PAD = -1
FLOAT_EXACT = 2**53  # every integer below this is exact in a float64 sum
INT64_SAFE = 2**63
MAX_DIGITS = 100  # the longest weight (or seats) a ballot file may give, in digits
MAX_CANDIDATES = 1000  # pairwise tables and round-by-round tallies grow with its square


@dataclass(frozen=True, slots=True)
class Rejection:
    """A ballot kept out of the count: where it was (line, or position in a JSON list) and why."""

    line: int
    reason: str
    weight: int = 1


class Block(NamedTuple):
    """Rankings of one length L as an (rows x L) matrix, with the weight of each row."""

    rows: CandArray
    weights: WeightArray


@dataclass
class Profile:
    """Everything a counting method needs, plus what the reader learned on the way.

    Ranking i is `flat[offsets[i]:offsets[i + 1]]` (0-based candidate indices), counted
    `weights[i]` times, read at `lines[i]` (0 when `distinct`: it stands for many lines).
    """

    candidates: tuple[str, ...]
    flat: CandArray
    offsets: IntArray
    weights: WeightArray
    lines: IntArray
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    withdrawn: frozenset[int] = frozenset()
    seats: int | None = None
    tie_order: tuple[int, ...] | None = None
    title: str = ""
    groups: tuple[str, ...] | None = None
    distinct: bool = False
    _blocks: list[Block] | None = field(default=None, init=False, repr=False, compare=False)
    _valid: int | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def eligible(self) -> tuple[int, ...]:
        """Candidate indices that stand (not withdrawn), in ballot-file order."""
        return tuple(i for i in range(len(self.candidates)) if i not in self.withdrawn)

    @property
    def valid_count(self) -> int:
        """The number of valid ballots, by weight (exact)."""
        if self._valid is None:
            self._valid = exact_sum(self.weights)
        return self._valid

    @property
    def rejected_count(self) -> int:
        return sum(r.weight for r in self.rejected)

    def ballots(self) -> list[tuple[tuple[int, ...], int]]:
        """Rankings as tuples with their weights, in row order (for small profiles and tests)."""
        flat = self.flat.tolist()
        ends = self.offsets.tolist()
        return [(tuple(flat[a:b]), int(w))
                for a, b, w in zip(ends, ends[1:], self.weights.tolist(), strict=False)]

    def blocks(self) -> list[Block]:
        """The rankings grouped by length, equal rankings merged (what the methods count)."""
        if self._blocks is None:
            self._blocks = [Block(*(group_identical(b.rows, b.weights) if not self.distinct
                                    else b)) for b in by_length(self.flat, self.offsets,
                                                                self.weights)]
        return self._blocks


def by_length(flat: CandArray, offsets: IntArray, weights: WeightArray) -> list[Block]:
    """Rows grouped by length (shortest first; row order within a length). Where the rows
    are already in order of length (as `aggregate` leaves them) the blocks are views."""
    lengths = np.diff(offsets)
    if not len(lengths):
        return []
    out = []
    if bool((lengths[1:] >= lengths[:-1]).all()):
        cuts = np.flatnonzero(np.diff(lengths)) + 1
        for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(lengths)], strict=True):
            length = int(lengths[lo])
            if length:
                rows = flat[offsets[lo] : offsets[hi]].reshape(hi - lo, length)
                out.append(Block(rows, weights[lo:hi]))
        return out
    order = np.argsort(lengths, kind="stable")
    sizes = np.bincount(lengths)
    small = offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets
    at = 0
    for length, size in enumerate(sizes.tolist()):
        if size == 0:
            continue
        rows = order[at : at + size]
        at += size
        if length == 0:
            continue
        cells = small[rows][:, None] + np.arange(length, dtype=small.dtype)
        out.append(Block(flat[cells], weights[rows]))
    return out


def cand_dtype(n_cand: int) -> type[np.integer[Any]]:
    """The smallest integer type holding candidate indices 0..n_cand (n_cand: exhausted)."""
    return np.int16 if n_cand < 2**15 else np.int32 if n_cand < 2**31 else np.int64


def exact_sum(weights: WeightArray) -> int:
    """The sum of weights as a Python int, exact whatever their size."""
    if len(weights) == 0:
        return 0
    if weights.dtype != object and int(weights.max()) * len(weights) < INT64_SAFE:
        return int(weights.sum())
    return int(sum(weights.tolist()))


def exact_bincount(keys: CandArray, weights: WeightArray, size: int, bound: int) -> WeightArray:
    """Exact sums of weights by key (0 <= key < size), as an int64 array if they fit.

    `bound`: no key's sum can exceed it (e.g. the profile's total weight, when each ballot
    adds to a key at most once). Below 2**53 a float64 bincount is exact, as every partial
    sum is an integer below the bound; below 2**63 int64 arithmetic is; beyond, Python ints.
    """
    if weights.dtype != object and bound < FLOAT_EXACT:
        return np.bincount(keys, weights=weights, minlength=size).astype(np.int64)
    if weights.dtype != object and bound < INT64_SAFE:
        out = np.zeros(size, dtype=np.int64)
        np.add.at(out, keys, weights)
        return out
    total: list[int] = [0] * size
    for k, w in zip(keys.tolist(), weights.tolist(), strict=True):
        total[k] += w
    return weight_array(total)


def weight_array(values: Sequence[int] | WeightArray) -> WeightArray:
    """Weights as an int64 array if every one fits, else as an array of Python ints."""
    if isinstance(values, np.ndarray) and values.dtype != object:
        return values.astype(np.int64)
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        out = np.empty(len(values), dtype=object)
        out[:] = [int(v) for v in values]
        return out


def group_identical(rows: CandArray, weights: WeightArray) -> tuple[CandArray, WeightArray]:
    """Distinct rows of one length with their summed weights (sorted: deterministic)."""
    if len(rows) < 2:
        return rows, weights
    width = rows.shape[1]
    bits = max(int(rows.max()) + 2, 2).bit_length()
    keys: npt.NDArray[Any]
    if bits * width <= 62:
        # pack each row into one integer: np.unique on 1-D keys is much faster than axis=0
        keys = np.zeros(len(rows), dtype=np.int64)
        for col in range(width):
            keys |= (rows[:, col].astype(np.int64) + 1) << (col * bits)
    else:
        contiguous = np.ascontiguousarray(rows)
        keys = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * width))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if len(first) == len(rows):
        return rows, weights
    bound = exact_sum(weights)
    return rows[first], exact_bincount(inverse.ravel(), weights, len(first), bound)


def aggregate(flat: CandArray, lengths: IntArray, weights: WeightArray
              ) -> tuple[CandArray, IntArray, WeightArray]:
    """Merge equal rankings: (flat, lengths, weights) of the distinct ones, in order of
    length (so that `by_length` finds them as contiguous blocks)."""
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    parts = [group_identical(b.rows, b.weights) for b in by_length(flat, offsets, weights)]
    if not parts:
        return flat[:0], lengths[:0], weights[:0]
    return (
        np.concatenate([rows.ravel() for rows, _w in parts]),
        np.concatenate([np.full(len(rows), rows.shape[1], dtype=np.int64)
                        for rows, _w in parts]),
        concat_weights([w for _r, w in parts]),
    )


def concat_weights(parts: Sequence[WeightArray]) -> WeightArray:
    if not parts:
        return weight_array([])
    if any(p.dtype == object for p in parts):
        return np.concatenate([p.astype(object) for p in parts])
    return np.concatenate(parts).astype(np.int64)


def empty_matrix(rows: int = 0, width: int = 1) -> IntArray:
    return np.full((rows, width), PAD, dtype=np.int64)


def rows_to_matrix(rows: Sequence[Sequence[int]]) -> IntArray:
    """Rankings padded with PAD into one matrix (for small profiles built in code)."""
    width = max((len(r) for r in rows), default=0) or 1
    m = empty_matrix(len(rows), width)
    for i, r in enumerate(rows):
        m[i, : len(r)] = r
    return m


def check_rows(matrix: IntArray, n_cand: int) -> tuple[BoolArray, BoolArray]:
    """For rows of candidate indices (PAD after the last): which name an unknown candidate,
    and which rank one twice."""
    present = matrix != PAD
    bad_number = (present & ((matrix < 0) | (matrix >= n_cand))).any(axis=1)
    if matrix.shape[1] < 2:
        return bad_number, np.zeros(len(matrix), dtype=bool)
    srt = np.sort(np.where(present, matrix, -1 - np.arange(matrix.shape[1])), axis=1)
    return bad_number, (srt[:, 1:] == srt[:, :-1]).any(axis=1)


def build_profile(
    candidates: Sequence[str],
    matrix: IntArray,
    weights: Sequence[int] | WeightArray,
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
    weights = weight_array(weights)
    n_cand = len(candidates)
    bad_number, twice = check_rows(matrix, n_cand)
    if withdrawn:
        gone = np.isin(matrix, np.array(sorted(withdrawn), dtype=np.int64))
        if gone.any():
            matrix = _compact(np.where(gone, PAD, matrix))
    present = matrix != PAD
    empty = ~present.any(axis=1)
    bad = bad_number | twice | empty
    for i in np.flatnonzero(bad).tolist():
        reason = _reason(matrix[i], candidates, bool(bad_number[i]), bool(twice[i]))
        rejected.append(Rejection(int(lines[i]), reason, int(weights[i])))
    keep = ~bad
    rejected.sort(key=lambda r: r.line)
    kept_groups = None
    if groups is not None:
        kept_groups = tuple(g for g, k in zip(groups, keep.tolist(), strict=True) if k)
    kept = matrix[keep]
    lengths = present[keep].sum(axis=1)
    return Profile(
        candidates=tuple(candidates),
        flat=kept[kept != PAD].astype(np.int64),
        offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        weights=weights[keep],
        lines=np.asarray(lines)[keep].astype(np.int64),
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
        return unknown_number(str(wrong + 1), len(candidates))
    if twice:
        return ranked_twice(candidates[first_repeat(values)])
    return EMPTY


EMPTY = "empty ballot (no candidate ranked)"


def unknown_number(number: str, n_cand: int) -> str:
    return (f"unknown candidate number {brief(number, unit='digits')} (there are {n_cand} "
            "candidates)")


def ranked_twice(name: str) -> str:
    return f'candidate "{name}" ranked twice'


def first_repeat(values: Sequence[int]) -> int:
    """The first value that appeared earlier in the sequence (there must be one)."""
    seen: set[int] = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    raise ValueError("no value repeats")


def brief(text: str, keep: int = 24, unit: str = "characters") -> str:
    """A token for a message: itself, or its start and its length when it is very long."""
    if len(text) <= keep:
        return text
    return f"{text[: keep - 4]}... ({len(text):,} {unit})"


def leading(digits: str) -> str:
    """A long number for a message that gives its length anyway: its first digits, then ..."""
    return digits if len(digits) <= 24 else digits[:20] + "..."


def is_digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²', which int() refuses."""
    return text.isascii() and text.isdigit()
