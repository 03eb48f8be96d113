"""Prompts for the Q&A segment: the question, the answer, edits and withdrawals.

Two layers. A `Prompter` asks one thing at a time (`text`, `select`) and re-asks until
the `validate` callable it was given accepts the value; Ctrl-C or Esc raise `Cancelled`.
The capture functions (`capture_question`, `capture_answer`, ...) ask everything one
command needs and return the command's value, or raise `Cancelled`: nothing reaches the
session until the last prompt is answered, so a cancelled capture records nothing.

`QuestionaryPrompter` is the real one. questionary (and prompt_toolkit's application
layer) costs ~120 ms to import, so it is imported inside the methods: only a Q&A capture
pays for it. Tests pass a fake prompter to the run loop, and drive this one with
prompt_toolkit's pipe input and `DummyOutput`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from retreat.i18n import _
from retreat.meeting.qa import OUTCOME_LABELS, SATISFACTION, SATISFACTION_LABELS

if TYPE_CHECKING:
    from prompt_toolkit.application import Application
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

    from retreat.meeting.engine import MeetingState
    from retreat.meeting.qa import Proposal, Question

Validate = Callable[[str], "str | None"]  # the error message, or None when the value is good
NOT_ASKED = ""  # satisfaction: the asker was not asked


class Cancelled(Exception):
    """The person at the keyboard cancelled a prompt (Ctrl-C or Esc): nothing is recorded."""


@dataclass(frozen=True)
class Option:
    title: str
    value: str


class Prompter(Protocol):
    def text(self, message: str, *, default: str = "", validate: Validate | None = None) -> str:
        """Free text (CJK welcome); re-asks while `validate` returns a message."""
        ...

    def select(
        self, message: str, options: Sequence[Option], *, default: str | None = None, validate: Validate | None = None
    ) -> str:
        """One of `options`, by its value; re-asks while `validate` returns a message."""
        ...


# --- what the prompts need to know -----------------------------------------------------


@dataclass(frozen=True)
class QAContext:
    """The current Q&A item's departments and answerers, and today's date in the meeting's zone."""

    departments: tuple[Option, ...]  # value: the department id the core records
    answerers: dict[str, str] = field(default_factory=dict)  # department id -> who answers for it
    today: dt.date = dt.date(2000, 1, 1)

    def name(self, department: str) -> str:
        return next((o.title for o in self.departments if o.value == department), department)


def context(state: MeetingState, now: float, utc_offset: int) -> QAContext:
    """The item's answering departments first (with their answerers), then the meeting's others."""
    agenda, item = state.agenda, state.item.item
    ids = {d.name: d.id for d in agenda.departments} | {d.id: d.id for d in agenda.departments}
    answerers: dict[str, str] = {}
    for a in item.qa.answerers if item.qa else []:
        answerers.setdefault(ids.get(a.department, a.department), a.name)
    options = [Option(agenda.department_name(dep), dep) for dep in answerers]
    options += [Option(d.name, d.id) for d in agenda.departments if d.id not in answerers]
    today = dt.datetime.fromtimestamp(now, dt.timezone(dt.timedelta(seconds=utc_offset))).date()
    return QAContext(tuple(options), answerers, today)


# --- validators --------------------------------------------------------------------------


def not_empty(message: str) -> Validate:
    return lambda value: None if value.strip() else message


def question_text(value: str) -> str | None:
    return None if value.strip() else _("The question is empty: type what was asked (Esc cancels).")


def department_validator(ctx: QAContext) -> Validate:
    known = {o.value for o in ctx.departments} | {o.title for o in ctx.departments}

    def check(value: str) -> str | None:
        if not value.strip():
            return _("Say which department the question is for.")
        if ctx.departments and value.strip() not in known:
            return _('"{dep}" is not a department of this meeting; choose one of: {known}').format(
                dep=value, known=", ".join(o.title for o in ctx.departments)
            )
        return None

    return check


def parse_due(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def due_validator(today: dt.date) -> Validate:
    def check(value: str) -> str | None:
        due = parse_due(value)
        if due is None:
            return _('"{due}" is not a date; write it as {example}').format(due=value, example=_example(today))
        if due < today:
            return _("{due} is in the past (today is {today}); give today or a later date").format(
                due=due.isoformat(), today=today.isoformat()
            )
        return None

    return check


def _example(today: dt.date) -> str:
    return (today + dt.timedelta(days=30)).isoformat()


# --- the captures ------------------------------------------------------------------------


def _department(p: Prompter, ctx: QAContext, message: str, default: str | None = None) -> str:
    check = department_validator(ctx)
    if not ctx.departments:
        return p.text(message, default=default or "", validate=check).strip()
    options = [Option(_with_answerer(ctx, o), o.value) for o in ctx.departments]
    return p.select(message, options, default=default or options[0].value, validate=check)


def _with_answerer(ctx: QAContext, option: Option) -> str:
    who = ctx.answerers.get(option.value)
    return f"{option.title} ({who})" if who else option.title


def capture_question(p: Prompter, ctx: QAContext, asker: str) -> dict[str, Any]:
    """The value of `Cmd.ASK`: what the drawn asker asked, and which department answers."""
    text = p.text(_("Question from {asker}:").format(asker=asker), validate=question_text)
    department = _department(p, ctx, _("Which department answers?"))
    return {"text": text.strip(), "department": department}


def _outcome_options() -> list[Option]:
    on_the_spot = OUTCOME_LABELS["answered"]
    return [Option(_(on_the_spot), "answered"), Option(_("follow-up (a promise to report back on)"), "follow-up")]


def _satisfaction_options() -> list[Option]:
    return [Option(_(SATISFACTION_LABELS[s]), s) for s in SATISFACTION] + [Option(_("not asked"), NOT_ASKED)]


def _followup(p: Prompter, ctx: QAContext, department: str) -> dict[str, Any]:
    owner = _department(p, ctx, _("Which department owns the follow-up?"), default=department)
    promise = p.text(_("What was promised?"), validate=not_empty(_("Say what was promised (Esc cancels).")))
    due = p.text(_("Due date (YYYY-MM-DD):"), default=_example(ctx.today), validate=due_validator(ctx.today))
    parsed = parse_due(due)
    return {"owner": owner, "promise": promise.strip(), "due": parsed.isoformat() if parsed else due.strip()}


def capture_answer(p: Prompter, ctx: QAContext, question: Question) -> dict[str, Any]:
    """The value of `Cmd.ANSWER` for `question`: who answered, the gist, outcome, satisfaction."""
    answerer = p.text(_("Who answered?"), default=question.answerer or ctx.answerers.get(question.department, ""))
    answer = p.text(_("The answer, in brief:"))
    outcome = p.select(_("Outcome:"), _outcome_options(), default="answered")
    value: dict[str, Any] = {"qid": question.qid, "answerer": answerer.strip(), "answer": answer.strip(),
                             "outcome": outcome}  # fmt: skip
    if outcome == "follow-up":
        value.update(_followup(p, ctx, question.department))
    satisfaction = p.select(_("Is the asker satisfied?"), _satisfaction_options(), default="satisfied")
    value["satisfaction"] = satisfaction or None
    return value


def capture_phone_question(p: Prompter, ctx: QAContext, waiting: Sequence[Proposal]) -> dict[str, Any]:
    """The value of `Cmd.ASK` for an accepted phone question: which one, and which department answers."""
    options = [Option(_shorten(f"{w.pid}. {w.text}", 40), str(w.pid)) for w in waiting]
    # One question (the one drawn, or the only one accepted) needs no choosing.
    pid = options[0].value if len(options) == 1 else p.select(_("Which phone question?"), options,
                                                                default=options[0].value)
    department = _department(p, ctx, _("Which department answers?"))
    return {"proposal": int(pid), "department": department}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def describe(question: Question, width: int = 40) -> str:
    text = question.text if len(question.text) <= width else question.text[: width - 3] + "..."
    return f"{question.qid}. {question.asker}: {text}"


def choose_question(p: Prompter, questions: Sequence[Question], message: str) -> Question:
    options = [Option(describe(q), str(q.qid)) for q in questions]
    chosen = p.select(message, options, default=options[-1].value)
    return next(q for q in questions if str(q.qid) == chosen)


def _edit_fields(question: Question) -> list[Option]:
    fields = [("text", _("the question")), ("department", _("the department")), ("asker", _("the asker")),
              ("answerer", _("who answered")), ("answer", _("the answer")), ("outcome", _("the outcome")),
              ("satisfaction", _("the satisfaction"))]  # fmt: skip
    if question.followup is not None:
        fields += [("owner", _("the follow-up's owner")), ("promise", _("the promise")), ("due", _("the due date"))]
    return [Option(title, name) for name, title in fields]


def capture_edit(p: Prompter, ctx: QAContext, question: Question) -> dict[str, Any]:
    """The value of `Cmd.EDIT_QUESTION`: one field of `question` (the log keeps the old value)."""
    name = p.select(_("Change what in question {n}?").format(n=question.qid), _edit_fields(question))
    value: dict[str, Any] = {"qid": question.qid}
    if name == "text":
        value["text"] = p.text(_("The question:"), default=question.text, validate=question_text).strip()
    elif name in ("department", "owner"):
        current = question.followup.owner if name == "owner" and question.followup else question.department
        value[name] = _department(p, ctx, _("Which department?"), default=current)
    elif name == "outcome":
        value["outcome"] = p.select(_("Outcome:"), _outcome_options(), default=question.outcome or "answered")
        if value["outcome"] == "follow-up" and question.followup is None:
            value.update(_followup(p, ctx, question.department))
    elif name == "satisfaction":
        chosen = p.select(_("Is the asker satisfied?"), _satisfaction_options(), default=question.satisfaction or "")
        value["satisfaction"] = chosen or None
    elif name == "due":
        due = p.text(_("Due date (YYYY-MM-DD):"), default=question.followup.due if question.followup else "",
                     validate=due_validator(ctx.today))  # fmt: skip
        value["due"] = due.strip()
    elif name == "promise":
        current = question.followup.promise if question.followup else ""
        value["promise"] = p.text(_("What was promised?"), default=current,
                                  validate=not_empty(_("Say what was promised (Esc cancels)."))).strip()  # fmt: skip
    else:
        value[name] = p.text(_("New value:"), default=str(getattr(question, name) or "")).strip()
    return value


def confirm_withdraw(p: Prompter, question: Question) -> bool:
    options = [Option(_("Keep it"), "keep"), Option(_("Withdraw it (the log keeps it)"), "withdraw")]
    return p.select(_("Withdraw question {q}?").format(q=describe(question)), options, default="keep") == "withdraw"


# --- questionary -------------------------------------------------------------------------


class QuestionaryPrompter:
    """The prompts on the real terminal (or on `input`/`output` given by a test)."""

    def __init__(self, input: Input | None = None, output: Output | None = None) -> None:
        self.input = input
        self.output = output

    def _io(self) -> dict[str, Any]:
        return {k: v for k, v in (("input", self.input), ("output", self.output)) if v is not None}

    def text(self, message: str, *, default: str = "", validate: Validate | None = None) -> str:
        import questionary

        check = None if validate is None else (lambda value: validate(value) or True)
        question = questionary.text(message, default=default, validate=check, **self._io())
        return str(self._ask(question))

    def select(
        self, message: str, options: Sequence[Option], *, default: str | None = None, validate: Validate | None = None
    ) -> str:
        import questionary

        choices = [questionary.Choice(o.title, value=o.value) for o in options]
        start = next((c for c in choices if c.value == default), None)
        while True:
            question = questionary.select(message, choices, default=start, **self._io())
            value = str(self._ask(question))
            error = None if validate is None else validate(value)
            if error is None:
                return value
            self.say(error)

    def say(self, message: str) -> None:
        from prompt_toolkit import print_formatted_text
        from prompt_toolkit.formatted_text import FormattedText

        print_formatted_text(FormattedText([("fg:ansired bold", message)]), **self._io())

    def _ask(self, question: Any) -> Any:
        _cancel_on_escape(question.application)
        try:
            return question.unsafe_ask(patch_stdout=False)
        except (KeyboardInterrupt, EOFError):  # a closed terminal: the stage loop notices it next
            raise Cancelled from None


def _cancel_on_escape(app: Application[Any]) -> None:
    """Esc cancels like Ctrl-C; a lone Esc is told from an arrow key's sequence within 50 ms."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    bindings = KeyBindings()

    @bindings.add("escape", eager=True)
    def _escape(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    app.key_bindings = merge_key_bindings([app.key_bindings, bindings]) if app.key_bindings else bindings
    app.ttimeoutlen = 0.05
