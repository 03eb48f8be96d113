"""CSV and JSON ballots, and candidate lists.

CSV, one row per ballot, in one of three layouts told apart by the header row:
- rank columns: headers like `1, 2, 3` or `rank 1, rank 2` (also `choice 1`, `第1`), each cell a
  candidate;
- one ranking cell: a column `ranking` (or the only column) holding `A>B>C`;
- one column per candidate holding a rank number (the export of common online form tools;
  a header `Question [Name]` means candidate `Name`), blank for unranked.
Columns `weight` and `group` (also 权重, 小组/组别) are read; `id`, `timestamp`, `name`,
`email` (also 编号, 时间) are ignored.

JSON: `{"candidates": [...], "ballots": [[...], ...]}`, where a ballot may also be
`{"ranking": [...], "weight": n, "group": "..."}`; optional `"seats"` and `"title"`.

A ballot names a candidate by its name, by its id from a candidates file, or, where the
candidates are known before reading, by its 1-based number.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retreat.errors import BallotError
from retreat.voting.ballots import Profile, Rejection, build_profile, rows_to_matrix

WEIGHT = {"weight", "count", "权重", "票数"}
GROUP = {"group", "小组", "组别", "组"}
IGNORED = {"id", "ballot id", "timestamp", "time", "name", "email", "submitted at", "编号",
           "时间", "提交时间"}
RANKING = {"ranking", "ranks", "order", "preferences", "ballot", "排序"}
_RANK_HEADER = re.compile(
    r"^(?:rank|choice|preference|pref|place|第)?\s*#?\s*(\d+)\s*(?:st|nd|rd|th|位|名|志愿)?$",
    re.IGNORECASE,
)
_BRACKET = re.compile(r"\[([^\]]+)\]\s*$")
_SEP = re.compile(r"\s*[>＞]\s*")


@dataclass
class Candidates:
    """Names in order, and other ways a ballot may refer to them (ids, numbers)."""

    names: list[str]
    aliases: dict[str, int] = field(default_factory=dict)
    known: bool = True  # False: inferred from the ballots themselves

    def find(self, token: str) -> int | None:
        if token in self.aliases:
            return self.aliases[token]
        if token in self.names:
            return self.names.index(token)
        if self.known and token.isdigit() and 1 <= int(token) <= len(self.names):
            return int(token) - 1
        if not self.known:
            self.names.append(token)
            return len(self.names) - 1
        return None


def read_candidates(text: str, source: str = "<candidates>") -> Candidates:
    """One name per line, or CSV with a header `id,title`."""
    lines = [ln.strip() for ln in text.removeprefix("\ufeff").splitlines() if ln.strip()]
    if not lines:
        raise BallotError(f"{source}: the candidates file is empty.")
    names: list[str] = []
    aliases: dict[str, int] = {}
    if [h.strip().lower() for h in lines[0].split(",")] == ["id", "title"]:
        for number, row in enumerate(csv.reader(lines[1:]), start=2):
            if len(row) != 2:
                raise BallotError(f"{source}:{number}: expected 'id,title', found {row!r}.")
            aliases[row[0].strip()] = len(names)
            names.append(row[1].strip())
    else:
        names = lines
    dup = [n for n in names if names.count(n) > 1]
    if dup:
        raise BallotError(f"{source}: candidate {dup[0]!r} is listed twice.")
    return Candidates(names, aliases)


def read_csv(text: str, source: str = "<csv>", candidates: Candidates | None = None) -> Profile:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = next(reader, None)
    if not header:
        raise BallotError(f"{source}: the file is empty; expected a header row.")
    heads = [h.strip() for h in header]
    low = [h.lower() for h in heads]
    meta = {i for i, h in enumerate(low) if h in WEIGHT | GROUP | IGNORED}
    other = [i for i in range(len(heads)) if i not in meta]
    if not other:
        raise BallotError(f"{source}:1: no ranking columns in the header {heads!r}.")
    weight_col = next((i for i, h in enumerate(low) if h in WEIGHT), None)
    group_col = next((i for i, h in enumerate(low) if h in GROUP), None)
    cell_col = next((i for i in other if low[i] in RANKING), None)
    rank_cols = sorted((int(m.group(1)), i) for i in other if (m := _RANK_HEADER.match(heads[i])))
    if cell_col is None and len(other) == 1 and not rank_cols:
        cell_col = other[0]
    if cell_col is None and not rank_cols:
        grid = _grid_candidates([heads[i] for i in other], candidates, source)
        cands = grid
    else:
        cands = candidates or Candidates([], known=False)
    out = _Collector(cands)
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cell = _Row(row)
        weight = _weight(cell(weight_col))
        if isinstance(weight, str):
            out.reject(line, weight)
            continue
        if cell_col is not None:
            tokens = [t for t in _SEP.split(cell(cell_col)) if t] if cell(cell_col) else []
            ranking = out.resolve(tokens)
        elif rank_cols:
            ranking = out.resolve_columns([(n, cell(i)) for n, i in rank_cols])
        else:
            ranking = _grid_ranking([(c, cell(i)) for c, i in zip(range(len(other)), other,
                                                                  strict=True)], cands)
        out.add(line, ranking, weight, cell(group_col))
    return out.profile(source, title="")


class _Row:
    """Cells of one CSV row by column, '' where the row is short or the column absent."""

    def __init__(self, row: list[str]) -> None:
        self.row = row

    def __call__(self, i: int | None) -> str:
        return self.row[i].strip() if i is not None and i < len(self.row) else ""


def _grid_candidates(heads: list[str], given: Candidates | None, source: str) -> Candidates:
    names = [m.group(1).strip() if (m := _BRACKET.search(h)) else h for h in heads]
    if given is None:
        return Candidates(names)
    order = []
    for name in names:
        found = given.find(name)
        if found is None:
            raise BallotError(f"{source}:1: column {name!r} is not in the candidates file.")
        order.append(found)
    # ballots refer to columns; a candidates file fixes the names and their order
    return Candidates(given.names, {str(-1 - k): c for k, c in enumerate(order)})


def _grid_ranking(cells: list[tuple[int, str]], cands: Candidates) -> list[int] | str:
    ranked: list[tuple[int, int]] = []
    for column, value in cells:
        if not value:
            continue
        if not value.isdigit() or int(value) < 1:
            return f"rank {value!r} is not a whole number from 1"
        cand = cands.aliases.get(str(-1 - column), column)
        ranked.append((int(value), cand))
    ranked.sort()
    ranks = [r for r, _ in ranked]
    for a, b in zip(ranked, ranked[1:], strict=False):
        if a[0] == b[0]:
            return (f'candidates "{cands.names[a[1]]}" and "{cands.names[b[1]]}" share rank '
                    f"{a[0]} (equal preferences are not counted)")
    if ranks != list(range(1, len(ranks) + 1)):
        return f"gap in rank numbers: {', '.join(map(str, ranks))} (expected 1, 2, 3, ...)"
    return [c for _, c in ranked]


def _weight(value: str) -> int | str:
    if not value:
        return 1
    if not value.isdigit() or int(value) < 1:
        return f"weight {value!r} is not a whole number of at least 1"
    return int(value)


class _Collector:
    def __init__(self, cands: Candidates) -> None:
        self.cands = cands
        self.rows: list[list[int]] = []
        self.weights: list[int] = []
        self.lines: list[int] = []
        self.groups: list[str] = []
        self.rejected: list[Rejection] = []

    def reject(self, line: int, reason: str, weight: int = 1) -> None:
        self.rejected.append(Rejection(line, reason, weight))

    def resolve(self, tokens: Sequence[str]) -> list[int] | str:
        out = []
        for tok in tokens:
            if "=" in tok:
                return f"equal preferences {tok!r}: the methods here need a strict order"
            found = self.cands.find(tok)
            if found is None:
                return f"unknown candidate {tok!r}"
            out.append(found)
        return out

    def resolve_columns(self, cells: list[tuple[int, str]]) -> list[int] | str:
        filled = [n for n, v in cells if v]
        if filled and filled != [n for n, _ in cells][: len(filled)]:
            missing = next(n for n, v in cells if not v)
            return f"gap in rank numbers: rank {missing} is empty but a later rank is filled"
        return self.resolve([v for _, v in cells if v])

    def add(self, line: int, ranking: list[int] | str, weight: int, group: str) -> None:
        if isinstance(ranking, str):
            self.reject(line, ranking, weight)
            return
        self.rows.append(ranking)
        self.weights.append(weight)
        self.lines.append(line)
        self.groups.append(group)

    def profile(self, source: str, title: str, seats: int | None = None) -> Profile:
        if not self.cands.names:
            raise BallotError(f"{source}: no candidate is named anywhere; pass --candidates FILE.")
        warnings = []
        if not self.cands.known:
            warnings.append(f"{source}: candidates taken from the ballots in order of first "
                            "appearance; pass --candidates FILE to fix the list.")
        return build_profile(
            self.cands.names, rows_to_matrix(self.rows), np.array(self.weights, dtype=np.int64),
            np.array(self.lines, dtype=np.int64), rejected=self.rejected,
            groups=self.groups if any(self.groups) else None, seats=seats, title=title,
            warnings=warnings,
        )


def read_json(text: str, source: str = "<json>", candidates: Candidates | None = None) -> Profile:
    try:
        data: Any = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as e:
        raise BallotError(f"{source}:{e.lineno}:{e.colno}: not valid JSON: {e.msg}.") from e
    if not isinstance(data, dict) or not isinstance(data.get("ballots"), list):
        raise BallotError(f'{source}: expected an object with a "ballots" list.')
    names = data.get("candidates")
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise BallotError(f'{source}: "candidates" must be a list of names.')
        candidates = Candidates(list(names))
    out = _Collector(candidates or Candidates([], known=False))
    for number, ballot in enumerate(data["ballots"], start=1):
        ranking, weight, group = _json_ballot(ballot)
        if isinstance(ranking, str):
            out.reject(number, ranking)
            continue
        tokens = [str(t) for t in ranking]
        parsed = _weight(str(weight)) if weight is not None else 1
        if isinstance(parsed, str):
            out.reject(number, parsed)
            continue
        out.add(number, out.resolve(tokens), parsed, group)
    seats = data.get("seats")
    return out.profile(source, str(data.get("title", "")),
                       seats if isinstance(seats, int) and seats > 0 else None)


def _json_ballot(ballot: Any) -> tuple[list[Any] | str, Any, str]:
    if isinstance(ballot, dict):
        ranking = ballot.get("ranking", ballot.get("ballot"))
        weight, group = ballot.get("weight"), str(ballot.get("group", ""))
    else:
        ranking, weight, group = ballot, None, ""
    if isinstance(ranking, str):
        ranking = [t for t in _SEP.split(ranking.strip()) if t]
    if not isinstance(ranking, list) or not all(isinstance(t, (str, int)) for t in ranking):
        return "a ballot must be a list of candidate names or numbers", None, ""
    return ranking, weight, group
