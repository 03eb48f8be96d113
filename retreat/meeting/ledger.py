"""The year's tasks: every item a vote chose, and every commitment made in answer to a question.

A chosen item's id is `<session-stem>:<vote-id>:<candidate-id>` (the vote item's id, also for
an item chosen in its runoff); a commitment's is `<session-stem>:<question number>`. Within a
session the part after the stem (the task key) holds a colon for a chosen item and only digits
for a commitment, so the two forms never collide.

Updates after the meeting are events in the owning session's log: a commitment's progress and
completion stay FOLLOWUP_* events (the minutes read them), a chosen item's are TASK_*; a new
due date or owner is TASK_DUE / TASK_OWNER for either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from retreat.agenda import Agenda
from retreat.errors import AgendaError, AgendaErrors, CommandRefused, RetreatError
from retreat.i18n import _
from retreat.meeting import ballot_box, qa
from retreat.meeting.events import (
    Event,
    EventKind,
    PreviousRecorded,
    PreviousSession,
    PreviousTask,
    Stamp,
    TaskDone,
    TaskDue,
    TaskOwner,
    TaskProgress,
)

if TYPE_CHECKING:
    from retreat.meeting.session import Record

KINDS = ("commitment", "project")
TASK_EVENTS = frozenset({EventKind.TASK_PROGRESS, EventKind.TASK_DONE, EventKind.TASK_DUE, EventKind.TASK_OWNER})


@dataclass
class TaskLog:
    """What was recorded about one task after the meeting (a chosen item's whole history;
    for a commitment only a changed due date or owner)."""

    progress: list[tuple[float, str]] = field(default_factory=list)
    done_at: float | None = None
    due: str | None = None
    owner: str | None = None  # department id


@dataclass(frozen=True)
class Chosen:
    key: str  # "<vote-id>:<candidate-id>"
    vote: str  # the vote item's id
    vote_title: str
    title: str
    department: str | None


def chosen_items(agenda: Agenda, votes: Mapping[str, ballot_box.VoteState]) -> list[Chosen]:
    """Every item the meeting's votes chose, in agenda and candidate order."""
    out = []
    for item in agenda.items:
        spec, vote = item.vote, votes.get(item.id)
        if spec is None or vote is None:
            continue
        titles = ballot_box.chosen(dict(votes), vote)
        if not titles:
            continue
        for cid, candidate in zip(vote.candidates, spec.candidates, strict=False):
            if candidate.title in titles:
                out.append(Chosen(f"{item.id}:{cid}", item.id, item.title, candidate.title, candidate.department))
    return out


def department_id(agenda: Agenda, ref: str) -> str | None:
    """The id of the department named by its id or its name; None when there is none."""
    ref = ref.strip()
    for dep in agenda.departments:
        if ref in (dep.id, dep.name):
            return dep.id
    return None


# --- deciding ------------------------------------------------------------------------


def decide(agenda: Agenda, votes: Mapping[str, ballot_box.VoteState], questions: qa.QAState,
           tasks: Mapping[str, TaskLog], kind: EventKind, value: Mapping[str, object], now: Stamp) -> list[Event]:
    key = str(value.get("task", ""))
    projects = {c.key for c in chosen_items(agenda, votes)}
    commitments = {str(q.qid) for q in questions.followups() if q.followup is not None and not q.withdrawn}
    if key not in projects | commitments:
        raise CommandRefused(_("no task {id} in this session").format(id=key))
    log = tasks.get(key, TaskLog())
    if kind is EventKind.TASK_DUE:
        due = str(value.get("due", "")).strip()
        try:
            dt.date.fromisoformat(due)
        except ValueError:
            raise CommandRefused(_('"{due}" is not a date (YYYY-MM-DD)').format(due=due)) from None
        return [Event(kind, now, TaskDue(task=key, due=due))]
    if kind is EventKind.TASK_OWNER:
        owner = department_id(agenda, str(value.get("owner", "")))
        if owner is None:
            raise CommandRefused(_('"{owner}" is not one of this meeting\'s departments ({all})').format(
                owner=value.get("owner", ""), all=", ".join(f"{d.id} {d.name}" for d in agenda.departments)))
        return [Event(kind, now, TaskOwner(task=key, owner=owner))]
    if key not in projects:
        raise CommandRefused(_("task {id} is a commitment: its progress is a follow-up").format(id=key))
    note = str(value.get("note", "")).strip()
    if kind is EventKind.TASK_DONE:
        if log.done_at is not None:
            raise CommandRefused(_("task {id} is already done").format(id=key))
        return [Event(kind, now, TaskDone(task=key, note=note))]
    if not note:
        raise CommandRefused(_("say what progress was made"))
    return [Event(kind, now, TaskProgress(task=key, note=note))]


# --- applying ------------------------------------------------------------------------


def apply(tasks: dict[str, TaskLog], event: Event) -> None:
    data = cast(TaskProgress, event.data)
    log = tasks.setdefault(data["task"], TaskLog())
    at = event.stamp.at
    if event.kind is EventKind.TASK_PROGRESS:
        log.progress.append((at, data["note"]))
    elif event.kind is EventKind.TASK_DONE:
        log.done_at = at
        note = cast(TaskDone, event.data).get("note")
        if note:
            log.progress.append((at, note))
    elif event.kind is EventKind.TASK_DUE:
        log.due = cast(TaskDue, event.data)["due"]
    elif event.kind is EventKind.TASK_OWNER:
        log.owner = cast(TaskOwner, event.data)["owner"]


# --- the ledger ------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    id: str
    kind: str  # commitment | project
    session: str
    meeting: str
    origin: str  # which question or which vote, in words
    title: str  # the promise, or the chosen item
    owner: str  # department name
    due: str  # ISO date, "" when none was set
    status: str  # open | in progress | done
    overdue: bool
    asker: str = ""
    area: str = ""
    question: str = ""
    progress: tuple[tuple[str, str], ...] = ()  # (ISO date, note)
    department: str = ""  # the owner's department id, in its session's agenda

    @property
    def latest(self) -> tuple[str, str] | None:
        return self.progress[-1] if self.progress else None


def session_stem(record: Record) -> str:
    return Path(record.path).stem


def _status(done_at: float | None, progress: list[tuple[float, str]]) -> str:
    if done_at is not None:
        return "done"
    return "in progress" if progress else "open"


def tasks(records: list[Record], today: dt.date, kind: str = "all") -> list[Task]:
    out = []
    for record in records:
        if record.state.rehearsal is True:  # practice: its promises and votes are not the year's tasks
            continue
        offset = dt.timezone(dt.timedelta(seconds=record.utc_offset))

        def day(at: float, offset: dt.timezone = offset) -> str:
            return dt.datetime.fromtimestamp(at, offset).date().isoformat()

        stem, state, agenda = session_stem(record), record.state, record.agenda
        if kind in ("all", "commitment"):
            for q in state.qa.followups():
                f = q.followup
                if f is None:
                    continue
                log = state.tasks.get(str(q.qid), TaskLog())
                due = log.due or f.due
                out.append(Task(
                    id=f"{stem}:{q.qid}", kind="commitment", session=record.path, meeting=agenda.meeting.title,
                    origin=_("Question {n}").format(n=q.qid), title=f.promise,
                    owner=agenda.department_name(log.owner or f.owner), due=due, status=f.status,
                    overdue=f.done_at is None and bool(due) and dt.date.fromisoformat(due) < today,
                    asker=q.asker, area=q.area, question=q.text,
                    progress=tuple((day(at), note) for at, note in f.progress),
                    department=_department(agenda, log.owner or f.owner),
                ))
        if kind in ("all", "project"):
            for c in chosen_items(agenda, state.votes):
                log = state.tasks.get(c.key, TaskLog())
                due = log.due or ""
                out.append(Task(
                    id=f"{stem}:{c.key}", kind="project", session=record.path, meeting=agenda.meeting.title,
                    origin=_("chosen by the vote {title}").format(title=c.vote_title), title=c.title,
                    owner=agenda.department_name(log.owner or c.department), due=due,
                    status=_status(log.done_at, log.progress),
                    overdue=log.done_at is None and bool(due) and dt.date.fromisoformat(due) < today,
                    progress=tuple((day(at), note) for at, note in log.progress),
                    department=_department(agenda, log.owner or c.department),
                ))
    return out


def _department(agenda: Agenda, ref: str | None) -> str:
    return (department_id(agenda, ref) or "") if ref else ""


def completion(items: list[Task]) -> tuple[int, int, float]:
    """(tasks, done, percentage done), e.g. (12, 5, 41.7)."""
    total = len(items)
    done = sum(1 for t in items if t.status == "done")
    return total, done, round(100 * done / total, 1) if total else 0.0


def summary(items: list[Task], kind: str = "all", t: Callable[[str], str] = _) -> str:
    """"任务 12 项，已完成 5 项，完成率 41.7%", of the kind listed (in `t`'s language)."""
    total, done, rate = completion(items)
    sentence = {
        "commitment": t("{total} commitments, {done} done, {rate}%"),
        "project": t("{total} chosen items, {done} done, {rate}%"),
    }.get(kind, t("{total} tasks, {done} done, {rate}%"))
    return sentence.format(total=total, done=done, rate=f"{rate:.1f}")


def by_department(items: list[Task]) -> list[tuple[str, list[Task]]]:
    """The tasks per owner, departments in order of first appearance."""
    groups: dict[str, list[Task]] = {}
    for t in items:
        groups.setdefault(t.owner, []).append(t)
    return list(groups.items())


def department_line(owner: str, items: list[Task], t: Callable[[str], str] = _) -> str:
    total, done, rate = completion(items)
    overdue = sum(1 for task in items if task.overdue)
    line = t("{owner}: {total} tasks, {done} done, {rate}%").format(
        owner=owner or t("(no owner)"), total=total, done=done, rate=f"{rate:.1f}")
    if overdue:
        line += t(", {n} overdue").format(n=overdue)
    return line


def find(records: list[Record], ident: str) -> tuple[list[str], list[str]]:
    """(the sessions holding the task `ident`, every task id known): matched whole, never parsed."""
    known = [t.id for t in tasks(records, dt.date.min)]
    paths = [r.path for r in records for t in tasks([r], dt.date.min) if t.id == ident]
    return paths, known


# --- next year, against the table: the previous sessions' tasks ---------------------------
# The agenda names earlier sessions (`meeting.previous`); when this meeting's first item
# starts, the shell reads them here (read-only) and sends the snapshot in one command
# (Cmd.RECORD_PREVIOUS); the stage's `l` and the minutes read only that recorded snapshot.

STATUSES = ("open", "in progress", "done")


@dataclass(frozen=True)
class PastSession:
    file: str  # as the agenda names it
    meeting: str
    year: int | None


def previous_paths(agenda: Agenda, base: Path | None = None) -> list[tuple[str, Path]]:
    """(as written, where it is) for each session the agenda names as `meeting.previous`:
    relative to the agenda file's folder, or to `base` when given."""
    folder = base if base is not None else Path(agenda.file).parent
    return [(name, folder / name) for name in agenda.meeting.previous]


def read_previous(agenda: Agenda, base: Path | None = None) -> list[Record]:
    """The sessions the agenda names as `meeting.previous`, read without changing them.

    Every one that is missing or unreadable is named (agenda file, line, field, and why) in
    one AgendaErrors."""
    from retreat.agenda.yaml import parse
    from retreat.meeting.session import load

    records: list[Record] = []
    problems: list[tuple[int, str]] = []
    for n, (name, path) in enumerate(previous_paths(agenda, base)):
        if not path.exists():
            problems.append((n, _("{name}: no such session file (looked for {path})").format(name=name, path=path)))
            continue
        if path.is_dir():
            problems.append((n, _("{name} is a folder, not a session file").format(name=name)))
            continue
        try:
            records.append(load(path))
        except RetreatError as e:
            problems.append((n, _("{name} cannot be read as a session: {reason}").format(name=name, reason=e)))
        except OSError as e:
            problems.append((n, _("{name} cannot be read: {reason}").format(name=name, reason=e.strerror or e)))
    if problems:
        errors: list[AgendaError] = []
        try:
            located = parse(agenda.text, agenda.file)
            errors = [located.error(("meeting", "previous", n), message) for n, message in problems]
        except RetreatError:  # the agenda text is the one that was read: this does not happen
            errors = [AgendaError(message, file=agenda.file, field=f"meeting.previous[{n + 1}]")
                      for n, message in problems]
        raise AgendaErrors(errors)
    return records


def meeting_year(record: Record) -> int | None:
    """The year of a session's meeting: its agenda's date, else the day its first item started."""
    if record.agenda.meeting.date is not None:
        return record.agenda.meeting.date.year
    started = [s.started_at for s in record.state.items if s.started_at is not None]
    at = min(started) if started else record.state.opened_at
    if at is None:
        return None
    return dt.datetime.fromtimestamp(at, dt.timezone(dt.timedelta(seconds=record.utc_offset))).year


def snapshot(agenda: Agenda, records: Sequence[Record], today: dt.date, base: Path | None = None) -> PreviousRecorded:
    """The previous sessions' tasks as they stand `today` (the value of Cmd.RECORD_PREVIOUS).

    `records` are the sessions `read_previous` gave, in the agenda's order. A rehearsal's
    tasks are left out, as in the ledger."""
    names = {str(path): name for name, path in previous_paths(agenda, base)}
    sessions: list[PreviousSession] = []
    items: list[PreviousTask] = []
    for record in records:
        name = names.get(record.path, Path(record.path).name)
        sessions.append(PreviousSession(file=name, meeting=record.agenda.meeting.title, year=meeting_year(record)))
        for task in tasks([record], today):
            latest = task.latest or ("", "")
            items.append(PreviousTask(
                id=task.id, kind="project" if task.kind == "project" else "commitment", title=task.title,
                department=task.department, owner=task.owner, due=task.due,
                status="done" if task.status == "done" else "in progress" if task.status == "in progress" else "open",
                overdue=task.overdue, origin=task.origin, progress=latest[1], progress_date=latest[0], session=name,
            ))
    return PreviousRecorded(sessions=sessions, tasks=items)


def read_snapshot(agenda: Agenda, today: dt.date, base: Path | None = None) -> PreviousRecorded:
    """`snapshot` of the sessions `read_previous` reads (relative to `base` when given)."""
    return snapshot(agenda, read_previous(agenda, base), today, base)


def decide_previous(recorded: bool, started: bool, value: Mapping[str, object], now: Stamp) -> list[Event]:
    """The one PREVIOUS_RECORDED event of a meeting, from a snapshot (see `snapshot`)."""
    if recorded:
        raise CommandRefused(_("the previous sessions' tasks are already recorded in this meeting"))
    if started:
        raise CommandRefused(_("the previous sessions' tasks are recorded as the first item starts; "
                               "this meeting has started"))
    sessions, items = value.get("sessions", []), value.get("tasks", [])
    if not isinstance(sessions, Sequence) or not isinstance(items, Sequence):
        raise TypeError(f"a snapshot holds lists of sessions and tasks, not {value!r}")
    return [Event(EventKind.PREVIOUS_RECORDED, now, PreviousRecorded(
        sessions=[_past_session(cast(Mapping[str, object], s)) for s in sessions],
        tasks=[_past_task(cast(Mapping[str, object], t)) for t in items],
    ))]


def _text(value: Mapping[str, object], key: str) -> str:
    found = value.get(key, "")
    return "" if found is None else str(found)


def _past_session(value: Mapping[str, object]) -> PreviousSession:
    year = value.get("year")
    return PreviousSession(file=_text(value, "file"), meeting=_text(value, "meeting"),
                           year=year if isinstance(year, int) and not isinstance(year, bool) else None)


def _past_task(value: Mapping[str, object]) -> PreviousTask:
    kind, status = _text(value, "kind"), _text(value, "status")
    if kind not in KINDS or status not in STATUSES:
        raise TypeError(f"a task of a snapshot has kind {kind!r} and status {status!r}")
    return PreviousTask(
        id=_text(value, "id"), kind="project" if kind == "project" else "commitment", title=_text(value, "title"),
        department=_text(value, "department"), owner=_text(value, "owner"), due=_text(value, "due"),
        status="done" if status == "done" else "in progress" if status == "in progress" else "open",
        overdue=bool(value.get("overdue")), origin=_text(value, "origin"), progress=_text(value, "progress"),
        progress_date=_text(value, "progress_date"), session=_text(value, "session"),
    )


def apply_previous(data: PreviousRecorded) -> tuple[tuple[PastSession, ...], tuple[Task, ...]]:
    """The recorded snapshot as the state holds it: frozen sessions and tasks."""
    titles = {s["file"]: s["meeting"] for s in data["sessions"]}
    return (
        tuple(PastSession(s["file"], s["meeting"], s["year"]) for s in data["sessions"]),
        tuple(Task(
            id=p["id"], kind=p["kind"], session=p["session"], meeting=titles.get(p["session"], ""),
            origin=p["origin"], title=p["title"], owner=p["owner"], due=p["due"], status=p["status"],
            overdue=p["overdue"], progress=((p["progress_date"], p["progress"]),) if p["progress"] else (),
            department=p["department"],
        ) for p in data["tasks"]),
    )


def of_department(items: Sequence[Task], agenda: Agenda, ref: str | None) -> list[Task]:
    """The tasks owned by the department `ref` (an id or name of `agenda`'s departments): the
    same id, or the same name, in the session the task came from."""
    if not ref:
        return []
    dep = next((d for d in agenda.departments if ref in (d.id, d.name)), None)
    keys = {ref} if dep is None else {dep.id, dep.name}
    return [t for t in items if (t.department and t.department in keys) or t.owner in keys]
