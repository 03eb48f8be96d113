"""The Q&A desk: the keys of a `qa` item, and the secretary's capture of questions and answers.

On a "Questions from the grassroots" item the run loop hands the Q&A keys (d k r e w m,
see `ui.keymap.QA`) to a `QADesk`: d draws an asker, k (or Enter) captures the question,
r the answer, e edits and w withdraws a question, m puts an accepted phone question to
the room. The capture runs questionary prompts off the stage (the loop clears the screen
and repaints it afterwards); a complete capture is one session command, committed before
the stage shows it, and a cancelled one records nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from retreat.i18n import N_, _
from retreat.meeting.engine import Cmd
from retreat.ui.keymap import Action

if TYPE_CHECKING:
    from retreat.meeting.events import Event
    from retreat.meeting.qa import Proposal, Question
    from retreat.meeting.session import Session
    from retreat.ui.prompts import Option, Prompter, QAContext, Validate

_SAVED = {
    Cmd.ASK: N_("Question {n} recorded; the answer countdown runs."),
    Cmd.ANSWER: N_("Answer to question {n} recorded."),
    Cmd.EDIT_QUESTION: N_("Question {n} changed (the log keeps the earlier version)."),
    Cmd.WITHDRAW_QUESTION: N_("Question {n} withdrawn (the log keeps it)."),
}


class QADesk:
    """Keys and prompts of the current Q&A item; explains itself on every other item."""

    def __init__(
        self,
        session: Session,
        say: Callable[[str], None],
        command: Callable[[Cmd, object], Sequence[Event] | None],
        off_stage: Callable[[str], AbstractContextManager[None]],
        keys: object,
        prompter: Prompter | None = None,
    ) -> None:
        self.session = session
        self.say = say
        self._command = command  # the loop's: refusals and its own messages said
        self._off_stage = off_stage
        self._keys = keys  # the stage's key reader: its `drain` and `unlocked`, where it has them
        self._prompter = prompter

    def on_key(self, action: Action) -> None:
        item = self.session.state.item.item
        if item.kind != "qa":
            self.say(_("d, k, r, e, w and m work on a Q&A item (Questions from the grassroots)."))
        elif action is Action.DRAW:
            spec_draw = item.qa.draw if item.qa else "random"
            # A fresh seed each time: the first draw orders the invited, a later one may pick
            # an accepted phone question; the core logs the seed only where it was used.
            self.command(Cmd.DRAW, secrets.randbits(32) if spec_draw == "random" else None)
        elif action is Action.QUESTION:
            self._capture_question()
        elif action is Action.PHONE_QUESTION:
            self._phone_question()
        elif action is Action.ANSWER:
            self._capture_answer()
        else:
            self._edit_or_withdraw(action is Action.WITHDRAW)

    def command(self, cmd: Cmd, value: object) -> None:
        events = self._command(cmd, value)
        if not events:
            return
        if cmd is Cmd.DRAW:
            asker = events[-1].data.get("asker") or _("A question from a phone")
            self.say(_("Drawn: {asker}").format(asker=asker))
        elif cmd in _SAVED:
            self.say(_(_SAVED[cmd]).format(n=events[-1].data.get("qid", "")))

    def _capture_question(self) -> None:
        from retreat.ui.prompts import capture_question

        qa, item_id = self.session.state.qa, self.session.state.item.item.id
        asker = qa.last_drawn(item_id)
        if qa.answering is None and item_id in qa.drawn_phone:
            self._phone_question(qa.proposals[qa.drawn_phone[item_id]])
        elif qa.answering is not None:
            self.say(_("Question {n} is still being answered: press r to record its answer.").format(n=qa.answering))
        elif asker is None:
            self.say(_("Draw an asker first: press d."))
        else:
            title = _("Question from {asker}").format(asker=asker)
            self._capture(title, Cmd.ASK, lambda p: capture_question(p, self._context(), asker))

    def _phone_question(self, drawn: Proposal | None = None) -> None:
        """An accepted phone question (the one drawn, else chosen from the list), for the
        department that answers: then it runs like any question (answer countdown, r)."""
        from retreat.meeting.qa import accepted
        from retreat.ui.prompts import capture_phone_question

        qa = self.session.state.qa
        waiting = [drawn] if drawn is not None else accepted(qa)
        if qa.answering is not None:
            self.say(_("Question {n} is still being answered: press r to record its answer.").format(n=qa.answering))
        elif not waiting:
            self.say(_("No phone question is waiting: accept them on the facilitator's page first."))
        else:
            self._capture(_("A question from a phone"), Cmd.ASK,
                          lambda p: capture_phone_question(p, self._context(), waiting))

    def _capture_answer(self) -> None:
        from retreat.ui.prompts import capture_answer

        qa = self.session.state.qa
        if qa.answering is None:
            self.say(_("No question is waiting for its answer: press k to record one."))
            return
        question = qa.questions[qa.answering]
        title = _("Answer to question {n}").format(n=question.qid)
        # The department stopped speaking when r was pressed: typing the gist is not answer time.
        spoken = qa.answer_timer.elapsed(self.session.stamp()) if qa.answer_timer is not None else None

        def answer(p: Prompter) -> dict[str, object]:
            return {**capture_answer(p, self._context(), question), "seconds": spoken}

        self._capture(title, Cmd.ANSWER, answer)

    def _edit_or_withdraw(self, withdraw: bool) -> None:
        from retreat.ui.prompts import capture_edit, choose_question, confirm_withdraw

        state = self.session.state
        questions = [q for q in state.qa.asked(state.item.item.id) if not q.withdrawn]
        if not questions:
            self.say(_("No question has been recorded in this item yet."))
            return

        def edit(p: Prompter) -> dict[str, object] | None:
            question = choose_question(p, questions, _("Which question?"))
            return capture_edit(p, self._context(), question)

        def pull(p: Prompter) -> int | None:
            question: Question = choose_question(p, questions, _("Withdraw which question?"))
            return question.qid if confirm_withdraw(p, question) else None

        if withdraw:
            self._capture(_("Withdraw a question"), Cmd.WITHDRAW_QUESTION, pull)
        else:
            self._capture(_("Edit a question"), Cmd.EDIT_QUESTION, edit)

    def _context(self) -> QAContext:
        from retreat.ui.prompts import context

        clock = self.session.clock
        return context(self.session.state, clock.now(), clock.utc_offset())

    def _capture(self, title: str, cmd: Cmd, ask: Callable[[Prompter], object]) -> None:
        """Run the prompts off the stage; a complete capture is one command, a cancelled one nothing."""
        from retreat.ui.prompts import Cancelled

        with self._off_stage(title):
            try:
                value = ask(self.prompter)
            except Cancelled:
                value = None
                self.say(_("Cancelled: nothing was recorded."))
        drain = getattr(self._keys, "drain", None)
        if drain is not None:
            drain()  # keys typed before the prompt appeared were meant for it, not for the stage
        if value is not None:
            self.command(cmd, value)

    @property
    def prompter(self) -> Prompter:
        if self._prompter is None:
            from retreat.ui.prompts import QuestionaryPrompter

            self._prompter = QuestionaryPrompter()
        unlocked = getattr(self._keys, "unlocked", None)
        return self._prompter if unlocked is None else _Unlocked(self._prompter, unlocked)


class _Unlocked:
    """A prompter that lets the phone server at the session while a human types an answer
    (only then: what the prompt shows and checks was read from the session beforehand)."""

    def __init__(self, inner: Prompter, unlocked: Callable[[], AbstractContextManager[None]]) -> None:
        self._inner = inner
        self._unlocked = unlocked

    def text(self, message: str, *, default: str = "", validate: Validate | None = None) -> str:
        with self._unlocked():
            return self._inner.text(message, default=default, validate=validate)

    def select(self, message: str, options: Sequence[Option], *, default: str | None = None,
               validate: Validate | None = None) -> str:
        with self._unlocked():
            return self._inner.select(message, options, default=default, validate=validate)
