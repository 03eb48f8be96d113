"""Minutes: session -> context (plain data) -> Jinja2 template -> Markdown.

The context is built from the session alone (the agenda text stored in it and the log),
so minutes can be re-rendered years later. Output is deterministic: no "generated at".
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retreat.agenda import KIND_LABELS
from retreat.durations import format_clock, format_date_in
from retreat.errors import TemplateError
from retreat.i18n import N_, translator
from retreat.meeting.ballot_box import TIE_PURPOSES, chosen, group_size, tally
from retreat.meeting.engine import ItemState, MeetingState, Status
from retreat.meeting.ledger import by_department, department_line, summary
from retreat.meeting.qa import (
    FOLLOWUP_LABELS,
    OUTCOME_LABELS,
    SATISFACTION,
    SATISFACTION_LABELS,
    Question,
)
from retreat.meeting.session import Record
from retreat.paths import bundled_template

if TYPE_CHECKING:
    import jinja2

Gettext = Callable[[str], str]  # the meeting's language, or --lang's

DEFAULT_TEMPLATE = "minutes.md.j2"

STATUS_LABELS = {
    Status.PENDING: N_("not reached"),
    Status.RUNNING: N_("running"),
    Status.PAUSED: N_("paused"),
    Status.DONE: N_("done"),
    Status.SKIPPED: N_("skipped"),
}


@dataclass(frozen=True)
class Times:
    """Renders wall-clock stamps in the meeting's own time zone and language."""

    offset: int
    lang: str

    def _local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, dt.timezone(dt.timedelta(seconds=self.offset)))

    def clock(self, at: float | None) -> str:
        return "" if at is None else self._local(at).strftime("%H:%M")

    def date(self, day: dt.date | None) -> str:
        return "" if day is None else format_date_in(day, self.lang)

    def datetime(self, at: float) -> str:
        local = self._local(at)
        return f"{self.date(local.date())} {local.strftime('%H:%M')}"


_ZH_NUMERALS = [f"{c}、" for c in "一二三四五六七八九十"] + [f"十{c}、" for c in "一二三四五六七八九"]


def signed_clock(seconds: float) -> str:
    sign = "+" if seconds > 0 else "-" if seconds < 0 else ""
    return sign + format_clock(round(abs(seconds)))


def build_context(record: Record, lang: str | None = None) -> dict[str, Any]:
    """The template's variables; `lang` overrides the meeting's language (`--lang`)."""
    agenda, state = record.agenda, record.state
    lang = lang or agenda.language
    t = translator(lang).gettext
    times = Times(record.utc_offset, lang)
    meeting = agenda.meeting
    end = state.last.at if state.last else None
    rows = [_item_row(s, state, times, t) for s in state.items]
    ran = [r for r in rows if r["ran"]]
    started = [s.started_at for s in state.items if s.started_at is not None]
    context: dict[str, Any] = {
        "lang": lang,
        "numerals": _ZH_NUMERALS if lang == "zh-CN" else [f"{i}. " for i in range(1, 21)],
        "meeting": {
            "title": meeting.title,
            "date": times.date(_held_on(state, times) or meeting.date)
            or (times.date(times._local(state.opened_at).date()) if state.opened_at else ""),
            "venue": meeting.venue,
            "chair": meeting.chair,
            "organiser": meeting.organiser,
            "recorder": meeting.recorder,
            "planned_start": meeting.start.strftime("%H:%M") if meeting.start else "",
            "actual_start": times.clock(min(started)) if started else "",
            "actual_end": times.clock(state.ended_at or end) if started else "",
            "ended": state.ended_at is not None,
            "rehearsal": state.rehearsal is True,
        },
        "participants": [{"name": p.name, "role": p.role} for p in agenda.participants],
        "representatives": [{"name": r.name, "area": r.area} for r in agenda.representatives],
        "groups": [{"name": g.name, "members": list(g.members)} for g in agenda.groups],
        "items": rows,
        "totals": {
            "planned": format_clock(agenda.planned_total),
            "actual": format_clock(sum(r["actual_seconds"] for r in ran)),
            "count": len(rows),
            "held": len(ran),
            "skipped": sum(1 for r in rows if r["status_key"] == Status.SKIPPED),
            "overtime": sum(1 for r in rows if r["overtime_seconds"] > 0),
        },
        "qa_items": [r for r in rows if r["kind"] == "qa"],
        "qa": _qa_context(record, t),
        "vote_items": [
            {**r, "vote": _vote_context(record, r["id"], t)} for r in rows if r["kind"] == "vote"
        ],
        "interruptions": [
            {"from": times.datetime(a), "to": times.datetime(b), "minutes": round((b - a) / 60)}
            for a, b in state.downtime
            if b - a >= 60
        ],
        "approval": (
            {"by": state.approvals[-1][0], "at": times.datetime(state.approvals[-1][1])}
            if state.approvals
            else None
        ),
        "early_exports": _early_exports(record, times, t),
        "previous": _previous_context(state, t),
        "session_file": Path(record.path).name,
        "events": state.events,
    }
    context["appendix"] = _appendix(context, record, t)
    return context


def _previous_context(state: MeetingState, t: Gettext) -> dict[str, Any] | None:
    """The tasks of the sessions named by `meeting.previous`, as the snapshot recorded them when
    this meeting's first item started (None without a snapshot): per department, with the
    completion rates in the form the districts publish."""
    if state.previous_tasks is None:
        return None
    items = list(state.previous_tasks)
    order = {d.name: n for n, d in enumerate(state.agenda.departments)}  # this meeting's order of departments
    years = sorted({s.year for s in state.previous_sessions if s.year is not None})
    heading = (t("Tasks of {year}: completion").format(year="/".join(str(y) for y in years)) if years
               else t("Tasks of last year: completion"))
    departments = [
        {
            "name": owner or t("(no owner)"),
            "line": department_line(owner, theirs, t),
            "tasks": [{
                "id": task.id, "title": task.title, "origin": task.origin, "due": task.due or "—",
                "status": t(FOLLOWUP_LABELS[task.status]), "overdue": task.overdue,
                "latest": task.latest[1] if task.latest else "—", "latest_date": task.latest[0] if task.latest else "",
            } for task in theirs],
        }
        for owner, theirs in sorted(by_department(items), key=lambda group: order.get(group[0], len(order)))
    ]
    return {
        "heading": heading,
        "sessions": [{"file": s.file, "meeting": s.meeting} for s in state.previous_sessions],
        "summary": summary(items, "all", t),
        "overdue": sum(1 for task in items if task.overdue),
        "departments": departments,
    }


def _held_on(state: MeetingState, times: Times) -> dt.date | None:
    """The day a rehearsal, or the meeting itself held on another day, really ran (the stage
    asked, on a day other than the agenda's date); None when nobody was asked."""
    if state.rehearsal is None:
        return None
    started = [s.started_at for s in state.items if s.started_at is not None]
    at = min(started) if started else state.rehearsal_at
    return None if at is None else times._local(at).date()


def _item_row(s: ItemState, state: MeetingState, times: Times, t: Gettext) -> dict[str, Any]:
    item, timer = s.item, s.timer
    ran = s.started_at is not None
    # One rule for the whole row: the time run is rounded to whole seconds once, and the
    # overtime and the difference from plan are taken from that rounded figure, so the
    # table never shows 00:21 run against 00:20 planned with no overtime.
    actual = round(timer.elapsed(state.last) if state.last else timer.closed) if ran else 0
    overtime = max(0, actual - round(timer.limit))
    over_plan = actual - round(timer.planned) if ran else 0
    vote = item.vote
    candidates = [
        {"number": n + 1, "id": c.id or f"c{n + 1}", "title": c.title, "department": state.agenda.department_name(c.department)}
        for n, c in enumerate(vote.candidates if vote else [])
    ]
    return {
        "position": item.position,
        "id": item.id,
        "kind": item.kind,
        "kind_label": t(KIND_LABELS[item.kind]),
        "title": item.title,
        "presenter": item.presenter,
        "department": state.agenda.department_name(item.department),
        "planned": format_clock(timer.planned),
        "adjusted": signed_clock(timer.adjusted) if timer.adjusted else "",
        "actual": format_clock(actual) if ran else "",
        "actual_seconds": actual,
        "start": times.clock(s.started_at),
        "end": times.clock(s.ended_at) if s.status is Status.DONE else "",
        "ran": ran,
        "overtime": signed_clock(overtime) if overtime else "",
        "overtime_seconds": overtime,
        "vs_plan": signed_clock(over_plan) if over_plan else "",
        "alarms": timer.alarms,
        "pauses": s.pauses,
        "messages": s.messages,  # messages sent to the speaker (keys 1-3)
        "status_key": s.status,
        "status": t(STATUS_LABELS[s.status]),
        "points": [{"text": p, "covered": i in s.ticked} for i, p in enumerate(item.points)],
        "points_covered": len(s.ticked),
        "notes": [{"time": times.clock(at), "text": text} for at, text in s.notes],
        "planned_notes": item.notes,
        "seats": vote.seats if vote else None,
        "method": t(METHOD_NAMES[vote.method]) if vote else None,
        "candidates": candidates,
    }


def commitment_id(session_path: str, qid: int) -> str:
    """Short and stable across sessions: `<session-stem>:<question number>`."""
    return f"{Path(session_path).stem}:{qid}"


def _asker(q: Question, t: Gettext) -> str:
    """Who asked; an accepted phone question records no asker, only that a phone sent it (the
    core stored that label in the stage's language: the minutes say it in theirs)."""
    return str(t("a phone in the room")) if q.from_phone else q.asker


def _qa_context(record: Record, t: Gettext) -> dict[str, Any]:
    agenda, qa_state = record.agenda, record.state.qa
    questions = [q for q in qa_state.questions.values() if not q.withdrawn]
    rows = [
        {
            "number": n + 1,
            "qid": q.qid,
            # An accepted phone question: no asker is recorded, only that a phone sent it (the core
            # stored the label in the stage's language; the minutes say it in theirs).
            "asker": _asker(q, t),
            "area": q.area,
            "text": q.text,
            "department": agenda.department_name(q.department),
            "answerer": q.answerer,
            "answer": q.answer,
            "outcome": t(OUTCOME_LABELS[q.outcome]) if q.outcome else t("not answered"),
            "satisfaction": t(SATISFACTION_LABELS[q.satisfaction]) if q.satisfaction else "",
            "edited": any(kind == "edited" for _, kind, _ in q.history),
        }
        for n, q in enumerate(questions)
    ]
    satisfaction = [
        {"label": t(SATISFACTION_LABELS[key]), "count": sum(1 for q in questions if q.satisfaction == key)}
        for key in SATISFACTION
    ]
    satisfaction_text = t("Satisfaction of the askers: {counts}.").format(
        counts=t(", ").join(t("{label} {count}").format(**s) for s in satisfaction)
    )
    draws = [
        {
            "item": agenda.items[agenda.index_of(item_id)].title,
            "seed": seed,
            "order": order,
            "drawn": qa_state.drawn.get(item_id, []),
            "with_phones": [
                {"seed": seed, "pool": pool,
                 "drawn": t("phone question {n}").format(n=one) if isinstance(one, int) else one}
                for seed, pool, one in qa_state.pool_draws.get(item_id, [])
            ],
        }
        for item_id, (order, seed) in qa_state.orders.items()
    ]
    commitments = [
        {
            "id": commitment_id(record.path, q.qid),
            "owner": agenda.department_name(q.followup.owner),
            "promise": q.followup.promise,
            "due": q.followup.due,
            "asker": _asker(q, t),
            "status": t(FOLLOWUP_LABELS[q.followup.status]),
        }
        for q in qa_state.followups()
        if q.followup is not None
    ]
    return {
        "count": len(questions),
        "answered": sum(1 for q in questions if q.outcome == "answered"),
        "followups": sum(1 for q in questions if q.outcome == "follow-up"),
        "unanswered": sum(1 for q in questions if q.outcome is None),
        "withdrawn": sum(1 for q in qa_state.questions.values() if q.withdrawn),
        "satisfaction": satisfaction,
        "satisfaction_text": satisfaction_text,
        "questions": rows,
        "draws": draws,
        "commitments": commitments,
    }


METHOD_NAMES = {
    "borda": N_("Borda count"),
    "stv": N_("single transferable vote"),
    "irv": N_("instant runoff"),
    "schulze": N_("Schulze method"),
    "ranked_pairs": N_("ranked pairs"),
    "approval": N_("approval"),
    "plurality": N_("plurality"),
}
METHOD_RULES = {
    "borda": N_("Borda count: with m candidates, a ballot gives m points to its first choice, m-1 to "
                "its second and so on, unranked candidates 0; the highest totals are chosen."),
    "stv": N_("Single transferable vote: Droop quota, surpluses transferred by the weighted inclusive "
              "Gregory method with exact fractions, lowest eliminated in turn."),
    "irv": N_("Instant runoff: the candidate with the fewest first preferences is eliminated in turn and "
              "their ballots move to the next choice, until one has a majority."),
    "schulze": N_("Schulze method: candidates are ranked by the strongest paths of pairwise wins "
                  "(a ranked candidate beats every unranked one)."),
    "ranked_pairs": N_("Ranked pairs: pairwise wins are locked in from the largest, skipping any that "
                       "would create a cycle (a ranked candidate beats every unranked one)."),
    "approval": N_("Approval: every candidate a ballot lists gets one point."),
    "plurality": N_("Plurality: every ballot gives one point to its first choice."),
}
TIE_RULES = {
    "lot": N_("A tie for the last place is decided by lot; the appendix says how to re-check the draw."),
    "runoff": N_("A tie for the last place goes to a runoff vote among the tied."),
    "chair": N_("A tie for the last place is decided by the chair."),
}

# How the count settled a tie, as the voting core records it (plain English identifiers,
# kept stable for `retreat tally --format json`); what it was about: ballot_box.TIE_PURPOSES.
TIE_HOW = {
    "lot": N_("decided by lot"),
    "look-back, then lot": N_("earlier rounds did not separate them, so it was decided by lot"),
    "look-back": N_("decided by the tallies of an earlier round"),
    "tie order": N_("decided by the tie order declared in the ballot file"),
}


def tie_how(rule: str) -> str:
    """The msgid saying how a tie was settled, for a rule string of retreat.voting.tiebreak."""
    if rule.startswith("tie order"):
        return TIE_HOW["tie order"]
    if rule.startswith("look-back") and "lot" in rule:
        return TIE_HOW["look-back, then lot"]
    if rule.startswith("look-back"):
        return TIE_HOW["look-back"]
    if "lot" in rule:
        return TIE_HOW["lot"]
    return rule


def _vote_context(record: Record, key: str, t: Gettext) -> dict[str, Any] | None:
    """One vote as the minutes show it; None when no ballot was cast."""
    votes = record.state.votes
    vote = votes.get(key)
    if vote is None or not vote.ballots:
        return None
    agenda = record.agenda
    revealed = vote.seed is not None
    result = tally(vote) if revealed else None
    final = chosen(votes, vote)
    group_rows = []
    for gid in vote.groups:
        name = next((g.name for g in agenda.groups if g.id == gid), gid)
        received = vote.received(gid)
        top = tally(vote, gid).winners if revealed and received else []
        group_rows.append({"name": name, "received": received, "size": group_size(agenda, gid),
                           "winners": top})
    rows = []
    if result is not None:
        first = result.rounds[0].tallies if result.rounds else {}
        last = result.rounds[-1].tallies if result.rounds else {}
        order = [c for tier in (result.ranking or [[w] for w in result.winners]) for c in tier]
        order += [c for c in vote.titles if c not in order]
        for n, title in enumerate(order):
            rows.append({"place": n + 1, "title": title, "first": _num(first.get(title)),
                         "final": _num(last.get(title)), "chosen": final is not None and title in final})
    rounds = []
    if result is not None and vote.method in ("stv", "irv"):
        for r in result.rounds:
            rounds.append({"number": r.number, "tallies": [_num(r.tallies.get(c)) for c in vote.titles],
                           "elected": r.elected, "eliminated": r.eliminated, "exhausted": _num(r.exhausted),
                           "quota": _num(r.quota) if r.quota is not None else ""})
    runoff = _vote_context(record, vote.runoff, t) if vote.runoff else None
    return {
        "key": vote.key,
        "method_key": vote.method,
        "quota": vote.quota,
        "method_rule": t(METHOD_RULES[vote.method]),
        "tie_rule": t(TIE_RULES[vote.tie]),
        "seats": vote.seats,
        "ranks": vote.ranks,
        "cast": len(vote.ballots),
        "undone": sum(1 for b in vote.ballots if b.undone),
        "valid": sum(b.weight for b in vote.counted),
        "exhausted": _num(result.exhausted) if result is not None else 0,
        "sources": sorted({b.source.split(":")[0] for b in vote.counted}),
        "revealed": revealed,
        "seed": vote.seed,
        "groups": group_rows,
        "rows": rows,
        "titles": list(vote.titles),
        "rounds": rounds,
        "ties": [
            {"candidates": list(tie.candidates), "rule": tie.rule, "chosen": tie.chosen, "seed": tie.seed,
             "purpose": t(TIE_PURPOSES.get(tie.purpose, tie.purpose)), "how": t(tie_how(tie.rule))}
            for tie in (result.ties if result is not None else [])
            # A tie for the last seats under `tie: chair` or `runoff` is settled by that rule
            # (shown below), not by the lot the count draws to finish its ranking.
            if tie.purpose != "seat boundary" or vote.tie == "lot"
        ],
        "chair": [vote.title_of(c) for c in vote.chair_choice] if vote.chair_choice else None,
        "runoff": runoff,
        "chosen": final,
    }


def _early_exports(record: Record, times: Times, t: Gettext) -> list[dict[str, str]]:
    """Each export of a vote's ballots made before its result was revealed (`retreat ballots
    --before-reveal`), under the vote item it belongs to."""
    out = []
    for key, at in record.state.early_exports:
        vote = record.state.votes.get(key)
        item = vote.item if vote is not None else key
        title = record.agenda.items[record.agenda.index_of(item)].title
        if key != item:
            title += " · " + t("runoff {n}").format(n=key.rsplit("-", 1)[-1])
        out.append({"item": item, "title": title, "at": times.datetime(at)})
    return out


def _appendix(context: dict[str, Any], record: Record, t: Gettext) -> dict[str, Any]:
    """What a reader needs to repeat the draws and counts: seeds, methods, commands.

    Kept out of the body of the minutes, which say what was decided in plain words.
    """
    draws = [d for d in context["qa"]["draws"] if d["seed"] is not None]
    votes = []
    for item in context["vote_items"]:
        vote, title = item["vote"], item["title"]
        while vote is not None and vote["revealed"]:
            votes.append({**_recount(vote, context["session_file"]), "title": title, "seed": vote["seed"],
                          "method": t(METHOD_NAMES[vote["method_key"]]), "ties": vote["ties"]})
            vote = vote["runoff"]
            if vote is not None:
                title = item["title"] + " · " + t("runoff {n}").format(n=vote["key"].rsplit("-", 1)[-1])
    return {"draws": draws, "votes": votes}


def _recount(vote: dict[str, Any], session_file: str) -> dict[str, str]:
    """The two commands that export a vote's ballots and count them again with its seed."""
    blt = vote["key"].replace("/", "-") + ".blt"
    recount = f"retreat tally {shlex.quote(blt)} --method {vote['method_key']} --seed {vote['seed']}"
    if vote["method_key"] == "stv" and vote["quota"] != "droop":
        recount += f" --quota {vote['quota']}"
    return {
        "export": f"retreat ballots {shlex.quote(session_file)} {shlex.quote(vote['key'])} -o {shlex.quote(blt)}",
        "recount": recount,
    }


def _num(value: object) -> str:
    """Scores as the room reads them: whole numbers plain, fractions to two decimals."""
    if value is None:
        return ""
    from fractions import Fraction

    f = Fraction(str(value)) if not isinstance(value, Fraction | int) else Fraction(value)
    return str(f.numerator) if f.denominator == 1 else f"{float(f):.2f}"


def md_cell(value: object) -> str:
    """Text safe inside a GitHub-flavoured Markdown table cell."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def markdown_env(lang: str) -> jinja2.Environment:
    """The Jinja2 environment of every Markdown document: the minutes, the progress report."""
    import jinja2

    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - Markdown, not HTML; cells are escaped by md_cell
    )
    env.install_gettext_translations(translator(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["cell"] = md_cell
    return env


def render(record: Record, template: Path | str | None = None, lang: str | None = None) -> str:
    import jinja2

    context = build_context(record, lang)
    path = Path(template) if template else bundled_template(DEFAULT_TEMPLATE)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"{path}: no such template file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise TemplateError(f"{path}: cannot read the template: {e}") from None
    env = markdown_env(context["lang"])
    try:
        return env.from_string(source).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"{path}:{e.lineno}: template syntax error: {e.message}") from None
    except jinja2.UndefinedError as e:
        raise TemplateError(f"{path}: the template uses something the minutes do not have: {e.message}") from None
