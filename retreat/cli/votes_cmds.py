"""`retreat ballots` and `retreat results`: what a session's votes recorded, for re-checking."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from retreat.cli.common import LangOption, choose_language, new_app

if TYPE_CHECKING:
    from retreat.meeting.ballot_box import VoteState
    from retreat.meeting.session import Record

app = new_app()

SessionArg = Annotated[Path, typer.Argument(help="The session file (.retreat).")]


@app.command()
def ballots(
    session: SessionArg,
    vote: Annotated[str, typer.Argument(help="The vote: its item id, or its number among the meeting's votes.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write: .blt or .csv (replaced).")],
    before_reveal: Annotated[
        bool,
        typer.Option("--before-reveal", help="Export a vote whose result is not revealed yet; the log and "
                     "the minutes then say so."),
    ] = False,
    lang: LangOption = None,
) -> None:
    """Export a vote's ballots, anonymously, as BLT or CSV (UTF-8 with BOM) for re-counting.

    `retreat tally FILE.blt --method M --seed N` (or another counting program) reproduces
    the result the room saw; the method and seed are in `retreat results`. A vote not yet
    revealed is refused (its count is the board's secret) unless --before-reveal is given,
    which records the export in the session's log and the minutes.
    """
    from retreat import i18n
    from retreat.errors import BallotError, UsageError
    from retreat.files import write_text
    from retreat.meeting.ballot_box import export_blt, export_csv
    from retreat.meeting.session import load

    record = load(session)
    choose_language(lang, record.agenda.language)
    target = _find_vote(record, vote)
    suffix = output.suffix.lower()
    if suffix not in (".blt", ".csv"):
        raise UsageError(i18n._("{path}: the file must end in .blt or .csv").format(path=output))
    title = _title(record, target)
    names = {g.id: g.name for g in record.agenda.groups}

    def exported(vote: VoteState) -> str:
        if suffix == ".csv":
            return "\ufeff" + export_csv(vote, names)
        try:
            return export_blt(vote, title)
        except BallotError as e:
            raise UsageError(str(e)) from None

    text = exported(target)
    if target.seed is None:
        if not before_reveal:
            raise UsageError(i18n._(
                "\"{title}\" is not revealed yet: its ballots would let anyone count the result the board "
                "still hides. Export them after the reveal, or add --before-reveal to export them now "
                "(the session's log and the minutes will say so)."
            ).format(title=title))
        # In the log before a byte is written; the file then holds the ballots as the log
        # stood at that moment (a ballot a running meeting added meanwhile included).
        target = _record_early_export(session, target, suffix)
        text = exported(target)
    write_text(output, text)
    typer.echo(
        i18n._("{n} ballots of \"{title}\" written to {path}").format(n=len(target.counted), title=title, path=output)
    )


@app.command()
def results(
    session: SessionArg,
    vote: Annotated[
        str | None, typer.Argument(help="One vote (item id or number); all votes when omitted.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or md.")] = "table",
    lang: LangOption = None,
) -> None:
    """The result each vote recorded in the session, as the room saw it (same JSON as `retreat tally`)."""
    import json

    from retreat import i18n
    from retreat.cli.tally_cmd import FORMATS, render
    from retreat.errors import UsageError
    from retreat.meeting.ballot_box import chosen, profile_of, tally
    from retreat.meeting.session import load
    from retreat.voting.result import result_to_json

    if fmt not in FORMATS:
        raise UsageError(i18n._("--format takes table, json or md, not {fmt}").format(fmt=fmt))
    record = load(session)
    choose_language(lang, record.agenda.language)
    targets = [_find_vote(record, vote)] if vote is not None else _all_votes(record)
    objects: list[dict[str, Any]] = []
    texts: list[str] = []
    for target in targets:
        title = _title(record, target)
        if target.seed is None:
            objects.append({"vote": target.key, "title": title, "revealed": False,
                            "ballots": {"valid": sum(b.weight for b in target.counted)}})
            texts.append(f"{title}: " + i18n._("not revealed; {n} ballots recorded").format(n=len(target.counted)))
            continue
        result = tally(target)
        final = chosen(record.state.votes, target)
        obj = {"vote": target.key, "title": title, "revealed": True, "seed": target.seed,
               **result_to_json(result, []), "chosen": final}
        objects.append(obj)
        if fmt != "json":
            header = f"## {title}\n\n" if fmt == "md" else f"{title}\n"
            texts.append(header + render(result, profile_of(target), fmt))
            if final is not None and final != result.winners:
                texts.append(i18n._("Chosen after the tie was settled: {chosen}").format(chosen=", ".join(final)))
    if fmt == "json":
        typer.echo(json.dumps(objects[0] if vote is not None else objects, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n\n".join(texts) if texts else i18n._("This meeting had no vote."))


def _record_early_export(session: Path, target: VoteState, suffix: str) -> VoteState:
    """Append the export of a vote not yet revealed to the session's log; the vote as it stands then."""
    from retreat.clock import MonotonicClock
    from retreat.meeting.engine import Cmd, Command
    from retreat.meeting.session import record

    state = record(session, Command(Cmd.EXPORT_BALLOTS, {"vote": target.key, "format": suffix[1:]}),
                   MonotonicClock())
    return state.votes.get(target.key, target)


def _all_votes(record: Record) -> list[VoteState]:
    """Every vote that received ballots, runoffs after the vote they settle."""
    out = []
    for item in record.agenda.items:
        key = item.id
        while key in record.state.votes:
            out.append(record.state.votes[key])
            key = record.state.votes[key].runoff or ""
    return out


def _find_vote(record: Record, ident: str) -> VoteState:
    from retreat.errors import UsageError
    from retreat.i18n import _
    from retreat.meeting.ballot_box import new_vote

    votes = [item for item in record.agenda.items if item.kind == "vote"]
    if ident in record.state.votes:
        return record.state.votes[ident]
    item = next((i for i in votes if i.id == ident), None)
    if item is None and ident.isdigit() and 1 <= int(ident) <= len(votes):
        item = votes[int(ident) - 1]
    if item is None:
        listing = "; ".join(f"{n + 1}. {i.id} ({i.title})" for n, i in enumerate(votes)) or "-"
        raise UsageError(_('no vote "{vote}" in this session; its votes: {listing}').format(vote=ident, listing=listing))
    return record.state.votes.get(item.id) or new_vote(record.agenda, item)


def _title(record: Record, vote: VoteState) -> str:
    from retreat.i18n import _

    title = record.agenda.items[record.agenda.index_of(vote.item)].title
    if vote.key != vote.item:
        return title + " · " + _("runoff {n}").format(n=vote.key.rsplit("-", 1)[-1])
    return title
