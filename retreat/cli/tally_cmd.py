"""`retreat tally`: count a ballot file and show winners, results and every round.

numpy, Rich and the counting code are imported inside the command so `retreat --help` pays
for none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from retreat.cli.common import err, new_app

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from fractions import Fraction

    from retreat.voting import Profile, Result, Round

    Show = Callable[[Fraction | int | None], str]

app = new_app()

FORMATS = ("table", "json", "md")
ROUNDS_PER_TABLE = 8


@app.command()
def tally(
    ballots: Annotated[Path, typer.Argument(help="Ballot file: .blt, .csv or .json.",
                                            metavar="BALLOTS")],
    candidates: Annotated[Path | None, typer.Option(
        "--candidates", help="Candidate names, one per line, or CSV 'id,title'.")] = None,
    method: Annotated[str, typer.Option(
        "--method", "-m", help="stv, irv, borda, schulze, ranked_pairs, approval or plurality."
    )] = "stv",
    seats: Annotated[int | None, typer.Option(
        "--seats", "-k", help="Seats to fill; default: the BLT header, else 1.")] = None,
    quota: Annotated[str, typer.Option(
        "--quota", help="STV quota: droop (floor(N/(k+1))+1, reached) or hagenbach-bischoff "
        "(N/(k+1), exceeded).")] = "droop",
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed for ties broken by lot; the seed used is printed.")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 2 if any ballot is rejected.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or md.")] = "table",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the result to this file (replacing it).")] = None,
) -> None:
    """Count ranked ballots and print the winners, the results and the round-by-round count.

    Rejected ballots are listed on stderr with their line and reason and are not counted.
    Exit 0 when counted; 2 for an unreadable file, an unknown method or nothing valid to count.
    """
    import secrets

    from retreat.errors import BallotError, UsageError
    from retreat.voting import METHODS, QUOTAS, count, read_ballots

    if method not in METHODS:
        raise UsageError(f"Unknown method {method!r}. Use one of: {', '.join(METHODS)}.")
    if quota not in QUOTAS:
        raise UsageError(f"Unknown quota {quota!r}. Use one of: {', '.join(QUOTAS)}.")
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format {fmt!r}. Use one of: {', '.join(FORMATS)}.")
    profile = read_ballots(
        _chunks(ballots, BallotError), str(ballots),
        _read(candidates, BallotError) if candidates else None, str(candidates),
        aggregate=True,
    )
    for warning in profile.warnings:
        err(f"warning: {warning}")
    for r in profile.rejected:
        err(f"{ballots}:{r.line}: rejected: {r.reason}")
    if profile.valid_count == 0:
        raise BallotError(f"{ballots}: nothing valid to count ({len(profile.rejected)} ballots "
                          "rejected, none accepted).")
    if strict and profile.rejected:
        raise BallotError(f"{ballots}: {len(profile.rejected)} ballots rejected and --strict "
                          "was given; fix them or drop --strict to count the rest.")
    k = seats if seats is not None else (profile.seats or 1)
    if k < 1:
        raise UsageError(f"--seats must be at least 1, not {k}.")
    used_seed = seed if seed is not None else secrets.randbelow(1_000_000)
    result = count(profile, method, k, quota, used_seed)
    text = render(result, profile, fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        from retreat.files import write_text

        write_text(output, text)


CHUNK = 1 << 20  # characters read at a time: a ballot file is read as a stream


def _chunks(path: Path, error: type[Exception]) -> Iterator[str]:
    """The file's text, a chunk at a time (its memory is a chunk's, not the file's)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise error(f"{path}: cannot read the file ({reason}).") from e


def _read(path: Path, error: type[Exception]) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise error(f"{path}: cannot read the file ({reason}).") from e


def render(result: Result, profile: Profile, fmt: str) -> str:
    """The result as text in one of FORMATS."""
    if fmt == "json":
        import json

        from retreat.voting.result import result_to_json

        rejected = [(r.line, r.reason, r.weight) for r in profile.rejected]
        return json.dumps(result_to_json(result, rejected), ensure_ascii=False, indent=2) + "\n"
    sections = _sections(result, profile)
    if fmt == "md":
        return "\n\n".join(_markdown(title, head, rows) if head else title
                           for title, head, rows in sections) + "\n"
    return _rich(sections)


Section = tuple[str, list[str], list[list[str]]]


def _sections(result: Result, profile: Profile) -> list[Section]:
    from retreat.voting.result import number

    def show(v: Fraction | int | None) -> str:
        n = number(v or 0)
        return str(n) if isinstance(n, int) else f"{n:.4f}"

    quota = f"; quota {show(result.quota)}" if result.quota is not None else ""
    head = (f"{result.method}, {result.seats} seat{'s' if result.seats > 1 else ''}{quota}. "
            f"Rule: {result.rule}.")
    ballots = (f"Ballots: {result.valid} valid, {profile.rejected_count} rejected"
               + (f", {show(result.exhausted)} exhausted" if result.exhausted else "") + ".")
    winners = "Winners: " + (", ".join(result.winners) or "none") + "."
    out: list[Section] = [(head, [], []), (ballots, [], []), (winners, [], [])]
    out.append(("Results", *_results_table(result, show)))
    if len(result.rounds) > 1 or result.method in ("stv", "irv"):
        for start in range(0, len(result.rounds), ROUNDS_PER_TABLE):
            chunk = result.rounds[start : start + ROUNDS_PER_TABLE]
            out.append(("Rounds" if start == 0 else "Rounds (continued)",
                        *_rounds_table(chunk, show)))
    if result.rounds and result.rounds[0].pairwise:
        pw = result.rounds[0].pairwise
        names = list(pw)
        out.append(("Pairwise: row over column", ["", *names],
                    [[a, *(str(pw[a][b]) if b != a else "-" for b in names)] for a in names]))
    for t in result.ties:
        where = f"round {t.round}" if t.round is not None else "ranking"
        seed = f" (seed {t.seed}; replay with --seed {t.seed})" if t.seed is not None else ""
        out.append((f"Tie in {where} among {', '.join(t.candidates)}: {t.describe()}{seed}.",
                    [], []))
    return out


def _results_table(result: Result, fmt: Show) -> tuple[list[str], list[list[str]]]:
    last = result.rounds[-1].tallies if result.rounds else {}
    first = result.rounds[0].tallies if result.rounds else {}
    status: dict[str, str] = {}
    for r in result.rounds:
        for name in r.elected:
            status.setdefault(name, f"elected, round {r.number}" if len(result.rounds) > 1
                              else "elected")
        for name in r.eliminated:
            status.setdefault(name, f"eliminated, round {r.number}")
    if result.ranking:
        tiers = result.ranking
    else:
        rest = sorted((n for n in last if n not in result.winners), key=lambda n: -last[n])
        tiers = [[n] for n in [*result.winners, *rest]]
    several = len(result.rounds) > 1
    head = ["Place", "Candidate", *(["First round", "Final"] if several else ["Score"]),
            "Status"]
    rows = []
    place = 1
    for tier in tiers:
        for name in tier:
            mark = "=" if len(tier) > 1 else ""
            values = [fmt(first.get(name)), fmt(last.get(name))] if several else \
                [fmt(last.get(name))]
            rows.append([f"{place}{mark}", name, *values, status.get(name, "")])
        place += len(tier)
    return head, rows


def _rounds_table(rounds: list[Round], fmt: Show) -> tuple[list[str], list[list[str]]]:
    names = list(rounds[0].tallies)
    head = ["Candidate", *(f"R{r.number}" for r in rounds)]
    rows = [[n, *(fmt(r.tallies.get(n)) for r in rounds)] for n in names]
    rows.append(["exhausted", *(fmt(r.exhausted) for r in rounds)])
    if rounds[0].quota is not None:
        rows.append(["quota", *(fmt(r.quota) for r in rounds)])
    rows.append(["elected", *(", ".join(r.elected) for r in rounds)])
    rows.append(["eliminated", *(", ".join(r.eliminated) for r in rounds)])
    rows.append(["why", *(r.note for r in rounds)])
    return head, rows


def _markdown(title: str, head: list[str], rows: list[list[str]]) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|")

    lines = [f"**{title}**", "", "| " + " | ".join(cell(h) for h in head) + " |",
             "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _rich(sections: list[Section]) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=100, color_system=None, highlight=False)
    for title, head, rows in sections:
        if not head:
            console.print(title, soft_wrap=True)
            continue
        table = Table(title=title, title_justify="left")
        for h in head:
            table.add_column(h)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    return buf.getvalue()
